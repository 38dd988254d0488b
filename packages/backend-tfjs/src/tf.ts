/**
 * The one place that imports TensorFlow.js's core. tfjs-core's engine is a process-wide singleton:
 * every kernel of this package runs on whichever tfjs engine `engine.ts` selected at init.
 */
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export type TfTensor = tf.Tensor;
