import '@flint/backend-cpu';
import { describe, it } from 'vitest';
import { loadAutogradApiFixtures, runAutogradApiFixture } from '@flint/conformance';
import * as api from '../index.js';

// Higher-order gradients against PyTorch (conformance's fixtures/autograd-api.json): first, second
// and third derivatives through autograd.grad(createGraph), and no handle left after each case.
describe('higher-order gradients (PyTorch fixtures) on cpu', () => {
  for (const f of loadAutogradApiFixtures()) {
    it(f.name, () => runAutogradApiFixture(api, api.getBackend('cpu'), f));
  }
});
