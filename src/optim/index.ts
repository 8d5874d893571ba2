/**
 * `optim`: optimisers, gradient clipping, regularisation and learning-rate schedules, like
 * `torch.optim` (clipping is `torch.nn.utils.clip_grad_norm_` in PyTorch).
 *
 * Each optimiser is a stateful shell (parameter groups, per-parameter state, state dicts) around a
 * pure update function (`sgdStep`, `adamStep`, …) that holds the algorithm's maths.
 * @example
 * import { optim } from 'glubina';
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new optim.lrScheduler.StepLR(opt, 10, { gamma: 0.5 });
 * for (let epoch = 0; epoch < 30; epoch++) {
 *   opt.zeroGrad();
 *   loss(model).backward();
 *   optim.clipGradNorm_(model.parameters(), 1.0);
 *   opt.step();
 *   sched.step();
 * }
 * @module
 */
export {
  Optimizer,
  type BaseHyper, type HyperValue, type ParamGroup, type ParamGroupInput, type Params, type StateValue,
  type ParamState, type ParamGroupState, type OptimizerStateDict, type Closure,
} from './optimizer.js';
export { SGD, sgdStep, type SGDOptions, type SGDHyper, type SGDState } from './sgd.js';
export { Adagrad, adagradStep, type AdagradOptions, type AdagradHyper, type AdagradState } from './adagrad.js';
export { RMSprop, rmspropStep, type RMSpropOptions, type RMSpropHyper, type RMSpropState } from './rmsprop.js';
export { Adam, AdamW, adamStep, adamwStep, type AdamOptions, type AdamHyper, type AdamState } from './adam.js';
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip_grad.js';
export { l2Penalty } from './regularization.js';
export { splitStateDict, joinStateDict, type SplitState, type JsonValue, type StateTree } from './state_dict.js';
export * as lrScheduler from './lr_scheduler/index.js';
