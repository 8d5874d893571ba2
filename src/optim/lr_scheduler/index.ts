/**
 * `optim.lrScheduler`: learning-rate schedules, like `torch.optim.lr_scheduler`.
 * Call `scheduler.step()` once per epoch, after `optimizer.step()`.
 * @module
 */
export {
  LRScheduler, bisectRight, type SchedulerOptions, type SchedulerStateDict, type PlainData,
} from './scheduler.js';
export {
  StepLR, MultiStepLR, ConstantLR, ExponentialLR,
  type StepLROptions, type ConstantLROptions, type ExponentialLROptions,
} from './step.js';
export { LambdaLR, MultiplicativeLR, InverseTimeLR, inverseTimeDecay, type LrLambda } from './lambda.js';
export { LinearLR, type LinearLROptions } from './linear.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine.js';
export { SequentialLR } from './sequential.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
