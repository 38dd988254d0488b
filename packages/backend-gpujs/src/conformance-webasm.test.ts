// The same conformance suite with gpu.js forced into its webasm mode (no GL at all).
// Every value lives in a float32 array, so int32 is exact below 2^24 (see README).
import { runConformance } from '@flint/conformance';
import { createGpujsBackend } from './backend.js';

runConformance({
  backend: () => createGpujsBackend({ mode: 'webasm' }),
  expectedEngine: 'webasm',
  ops: true,
  storage: { int32ExactBelow: 2 ** 24 },
});
