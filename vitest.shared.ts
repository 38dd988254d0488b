// Shared vitest settings: tests import workspace packages from source, so a change in core is
// seen by every backend's tests without a rebuild (builds are for publishing and typecheck only).
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export const flintAliases = [
  { find: /^@flint\/core\/backend$/, replacement: `${root}packages/core/src/backend/index.ts` },
  { find: /^@flint\/core$/, replacement: `${root}packages/core/src/index.ts` },
  { find: /^@flint\/backend-cpu$/, replacement: `${root}packages/backend-cpu/src/index.ts` },
  { find: /^@flint\/backend-gpujs$/, replacement: `${root}packages/backend-gpujs/src/index.ts` },
  { find: /^@flint\/backend-tfjs$/, replacement: `${root}packages/backend-tfjs/src/index.ts` },
  { find: /^@flint\/conformance$/, replacement: `${root}packages/conformance/src/index.ts` },
  { find: /^@flint\/onnx$/, replacement: `${root}packages/onnx/src/index.ts` },
];

export const sharedConfig: ViteUserConfig = {
  resolve: { alias: flintAliases },
  // Backends are registered by explicit imports in tests, not auto-loaded from node_modules.
  test: { testTimeout: 120_000, hookTimeout: 120_000, env: { FLINT_NO_AUTOLOAD: '1' } },
};
