import { defineConfig } from 'vitest/config';

// No source aliases here (unlike the packages): these tests check the packages as published —
// bundled from their dist/ through package.json's exports, and run by Node and Chromium — so they
// need `pnpm build` first (turbo's test task depends on ^build).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One Chromium and the bundler at a time on a small machine.
    fileParallelism: false,
  },
});
