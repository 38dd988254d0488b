import '@flint/backend-cpu';
import { describe, it } from 'vitest';
import { loadModuleFixtures, runModuleFixture } from '@flint/conformance';
import * as api from '../index.js';

// The cases and their runner live in @flint/conformance (src/modules/), which every
// backend's test files also run; here on cpu, through core's source.
describe('Transformer family, RNN cells, packed sequences, weight norm against PyTorch (modules-transformer.json)', () => {
  for (const c of loadModuleFixtures('modules-transformer.json')) {
    it(c.name, () => runModuleFixture(api, c));
  }
});
