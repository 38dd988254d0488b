/** The shared conformance suite on tfjs's cpu engine (this file's worker runs only cpu). */
import { runConformance } from '@flint/conformance';
import { createTfjsBackend } from './index.js';

runConformance({ backend: () => createTfjsBackend({ engine: 'cpu' }), expectedEngine: 'cpu', ops: true });
