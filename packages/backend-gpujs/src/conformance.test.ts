// The shared conformance suite on the default instance, which must have picked headless-gl
// (this package's test script runs under xvfb-run, so a GL context is available).
import { runConformance } from '@flint/conformance';
import { gpujsBackend } from './index.js';

runConformance({ backend: () => gpujsBackend, expectedEngine: 'headlessgl', ops: true });
