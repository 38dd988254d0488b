// The same conformance suite with gpu.js forced into its webasm mode (no GL at all).
import { runConformance } from '@flint/conformance';
import { createGpujsBackend } from './backend.js';

runConformance({ backend: () => createGpujsBackend({ mode: 'webasm' }), expectedEngine: 'webasm', ops: true });
