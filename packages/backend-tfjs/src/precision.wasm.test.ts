/** Precision of long reductions on tfjs's wasm engine (one engine per vitest worker): see test-precision.ts. */
import { describePrecision } from './test-precision.js';

describePrecision('wasm');
