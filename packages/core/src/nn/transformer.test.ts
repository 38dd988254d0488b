import '@flint/backend-cpu';
import { describe, it } from 'vitest';
import { loadModuleFixtures, runTransformerModuleFixture } from '@flint/conformance';
import * as api from '../index.js';

// The cases and their runner live in @flint/conformance (src/modules/transformer.ts), which every
// backend's test files also run; here on cpu, through core's source.
describe('Transformer family, RNN cells, packed sequences, weight norm against PyTorch (modules-transformer.json)', () => {
  for (const c of loadModuleFixtures('modules-transformer.json')) {
    it(c.name, () => runTransformerModuleFixture(api, c, { rtol: 2e-4, atol: 2e-5 }));
  }
});
