/**
 * modules-transformer.json (generate_modules_transformer.py: the Transformer family, RNN cells,
 * RNN / GRU / LSTM on packed sequences, weight norm) through the shared module-fixture runner
 * (src/modules/run.ts); these two names stay for
 * the callers that used them before it existed.
 */
import type { Tolerance } from '../compare.js';
import type { ModuleFixture } from '../fixtures/load.js';
import type { FlintApi } from '../ops/adapters.js';
import { runModuleFixture, runModuleFixtures, type ModuleFixtureOptions } from './run.js';

/** One case on the current default device; throws listing every mismatch. */
export const runTransformerModuleFixture = (api: FlintApi, c: ModuleFixture, tol: Tolerance): Promise<void> =>
  runModuleFixture(api, c, tol);

export type TransformerModuleOptions<S> = ModuleFixtureOptions<S>;

/** Registers one test per modules-transformer.json case on the given backend (made the default). */
export function runTransformerModuleFixtures<S>(options: TransformerModuleOptions<S>): void {
  runModuleFixtures('modules-transformer.json', options);
}
