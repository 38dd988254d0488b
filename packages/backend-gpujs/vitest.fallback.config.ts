// Used by backend.test.ts to run src/test-fallback.ts in a child process without an X display.
import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

export default defineConfig({ ...sharedConfig, test: { ...sharedConfig.test, include: ['src/test-fallback.ts'] } });
