// The shared conformance suite on the default instance, which must have picked headless-gl
// (this package's test script runs under xvfb-run, so a GL context is available).
// Textures are float32 (int32 exact below 2^24) and GL shaders flush subnormals (see README).
import { runConformance } from '@flint/conformance';
import { gpujsBackend } from './index.js';

runConformance({
  backend: () => gpujsBackend,
  expectedEngine: 'headlessgl',
  ops: true,
  storage: { int32ExactBelow: 2 ** 24, flushSubnormals: true },
});
