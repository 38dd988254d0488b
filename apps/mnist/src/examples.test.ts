import '@flint/backend-cpu';
import { setBackend } from '@flint/core';
import { describeExamples } from './test-examples.js';

describeExamples('cpu', async () => setBackend('cpu'));
