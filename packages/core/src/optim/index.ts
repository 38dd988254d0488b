/** torch.optim: optimizers and learning-rate schedulers. */
export {
  Optimizer,
  type BaseOptions,
  type Closure,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type ParamsInput,
  type StateValue,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { NAdam, type NAdamOptions } from './nadam.js';
export * as lr_scheduler from './lr_scheduler.js';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LambdaLR,
  LinearLR,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  MultiplicativeLR,
  ConstantLR,
  PolynomialLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  OneCycleLR,
  SequentialLR,
  ChainedScheduler,
  type SchedulerLike,
  type StepLROptions,
  type MultiStepLROptions,
  type ExponentialLROptions,
  type CosineAnnealingLROptions,
  type LambdaLROptions,
  type LinearLROptions,
  type ConstantLROptions,
  type PolynomialLROptions,
  type CosineAnnealingWarmRestartsOptions,
  type CyclicLROptions,
  type OneCycleLROptions,
  type SequentialLROptions,
} from './lr_scheduler.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { Rprop, type RpropOptions } from './rprop.js';
export { ASGD, type ASGDOptions } from './asgd.js';
export { LBFGS, type LBFGSOptions } from './lbfgs.js';
