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
} from './lr_scheduler.js';
