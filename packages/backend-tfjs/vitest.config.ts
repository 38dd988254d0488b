import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// tfjs-core's engine is a process-wide singleton and this backend runs one tfjs engine per process:
// the *.wasm.test.ts and *.cpu.test.ts files rely on vitest running every test file in its own
// isolated worker (the default; stated here because the suite depends on it).
export default defineConfig({ ...sharedConfig, test: { ...sharedConfig.test, isolate: true } });
