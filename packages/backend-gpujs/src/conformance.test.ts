// The shared conformance suite on the default instance: headless-gl (this package's test script
// runs under xvfb-run, so a GL context is available), or the mode FLINT_GPUJS_MODE forces.
// Textures are float32 (int32 exact below 2^24) and GL shaders flush subnormals (see README).
import { runConformance } from '@flint/conformance';
import { gpujsBackend } from './index.js';

const forced = process.env.FLINT_GPUJS_MODE;
const engine = forced === undefined || forced === '' || forced === 'auto' ? 'headlessgl' : forced;
const gl = engine === 'headlessgl' || engine === 'webgl' || engine === 'webgl2';

runConformance({
  backend: () => gpujsBackend,
  expectedEngine: engine,
  ops: true,
  storage: { int32ExactBelow: 2 ** 24, ...(gl ? { flushSubnormals: true } : {}) },
});
