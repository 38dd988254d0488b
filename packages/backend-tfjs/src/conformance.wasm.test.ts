/** The shared conformance suite on tfjs's wasm engine (this file's worker runs only wasm). */
import { runConformance } from '@flint/conformance';
import { createTfjsBackend } from './index.js';

runConformance({ backend: () => createTfjsBackend({ engine: 'wasm' }), expectedEngine: 'wasm', ops: true });
