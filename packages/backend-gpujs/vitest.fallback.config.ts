// Used by backend.test.ts to run src/fallback.check.ts in a child process without an X display.
import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

export default defineConfig({ ...sharedConfig, test: { ...sharedConfig.test, include: ['src/fallback.check.ts'] } });
