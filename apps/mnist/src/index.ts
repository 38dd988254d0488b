/** @flint/mnist: the data layer, the models, the training loop and the CLI as a library. */
export * from './data/index.js';
export * from './models.js';
export * from './train.js';
export * from './report.js';
export { runCli, buildProgram } from './cli.js';
export { CliError } from './errors.js';
