import '@flint/backend-tfjs';
import { ready, setBackend } from '@flint/core';
import { describeExamples } from './test-examples.js';

// tfjs on its wasm engine here (no native TensorFlow): the same PyTorch numbers as on cpu
describeExamples('tfjs', async () => {
  await ready();
  setBackend('tfjs');
});
