/** Dispatch a parsed command to its implementation. */
import type { BenchOptions, EvalOptions, ExportOptions, ParityOptions, PredictOptions, TrainOptions } from '../cli.js';
import { bench } from './bench.js';
import type { Output } from './common.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { parity } from './parity.js';
import { predict } from './predict.js';
import { train } from './train.js';

export async function runCommand(name: string, options: Record<string, unknown>, io: Output): Promise<number> {
  switch (name) {
    case 'train':
      return train(options as unknown as TrainOptions, io);
    case 'eval':
      return evalCommand(options as unknown as EvalOptions, io);
    case 'export':
      return exportCommand(options as unknown as ExportOptions, io);
    case 'predict':
      return predict(options as unknown as PredictOptions, io);
    case 'parity':
      return parity(options as unknown as ParityOptions, io);
    case 'bench':
      return bench(options as unknown as BenchOptions, io);
    default:
      throw new Error(`unknown command ${name}`);
  }
}
