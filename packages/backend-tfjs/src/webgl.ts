/**
 * `@flint/backend-tfjs/webgl`: adds tfjs's WebGL engine (browsers). Import it next to the main
 * entry; auto-selection then prefers webgl (priority 60) over wasm, or pick it with
 * `setTfjsEngine('webgl')`. It needs `@tensorflow/tfjs-backend-webgl` (an optional peer
 * dependency, same version as tfjs-core) and WebGL with float32 render targets; without them init
 * falls back to wasm in auto mode, or fails when webgl was forced.
 */
import '@tensorflow/tfjs-backend-webgl';
import { enableWebglEngine } from './engine.js';

enableWebglEngine();
