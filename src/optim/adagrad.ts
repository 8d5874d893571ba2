/**
 * Adagrad: per-coordinate learning rates that shrink with the accumulated squared gradients.
 * @module
 */
import { noGrad } from '../core/grad_mode.js';
import { fullLike } from '../core/creation.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, mul, neg, sqrt } from '../ops/elementwise.js';
import { add_ } from '../ops/inplace.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { checkBoolean, checkNonNegative } from './validate.js';

/** Options of {@link Adagrad}. */
export interface AdagradOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Learning-rate decay η: step t uses γ / (1 + (t − 1)η) (default 0). */
  lrDecay?: number;
  /** Weight decay λ (L2 penalty, default 0). */
  weightDecay?: number;
  /** Starting value of the accumulator of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Ascend the objective instead of descending it (default false). */
  maximize?: boolean;
}

/** Hyper-parameters of one Adagrad parameter group. */
export type AdagradHyper = Required<AdagradOptions>;

/** Per-parameter state of Adagrad: the step count and the sum of squared gradients (PyTorch: `step`, `sum`). */
export type AdagradState = { step: number; sum: Tensor };

/**
 * One Adagrad update of `param` in place (the pure step that {@link Adagrad} calls), following
 * PyTorch's `_single_tensor_adagrad`. Increments `state.step` and accumulates into `state.sum`.
 */
export function adagradStep(param: Tensor, grad: Tensor, state: AdagradState, h: AdagradHyper): void {
  noGrad(() => {
    state.step += 1;
    let g = h.maximize ? neg(grad) : grad;
    if (h.weightDecay !== 0) g = add(g, param, { alpha: h.weightDecay });
    const clr = h.lr / (1 + (state.step - 1) * h.lrDecay);
    add_(state.sum, mul(g, g));
    const std = add(sqrt(state.sum), h.eps);
    // addcdiv_ order: θ + (−clr·g) / std.
    add_(param, div(mul(g, -clr), std));
  });
}

/**
 * Adagrad, like `torch.optim.Adagrad`. Each coordinate's step is γ / (√(Σ g²) + ε): it can only
 * shrink, quickly where gradients are large, which suits sparse features but can stop learning
 * too early (RMSprop replaces the sum with a moving average).
 *
 * ```text
 * input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay), τ (initial accumulator value), η (lr decay)
 * initialize: state_sum₀ ← τ
 * for t = 1 to … do
 *   g_t ← ∇θ f_t(θ_{t−1})
 *   γ̃ ← γ / (1 + (t − 1) η)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
 *   state_sum_t ← state_sum_{t−1} + g_t²
 *   θ_t ← θ_{t−1} − γ̃ g_t / (√state_sum_t + ε)
 * return θ_t
 * ```
 *
 * As in PyTorch, the state of every parameter is created in the constructor (step 0, sum τ).
 */
export class Adagrad extends Optimizer<AdagradHyper, AdagradState> {
  /**
   * @param params tensors, or parameter groups
   * @param options hyper-parameters for every group that does not set its own
   */
  constructor(params: Params<AdagradHyper>, options: AdagradOptions = {}) {
    super('Adagrad', params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
      maximize: options.maximize ?? false,
    });
    for (const g of this.paramGroups) for (const p of g.params) this.stateOf(p, g);
  }

  protected checkGroup(h: AdagradHyper): void {
    checkNonNegative('Adagrad', 'learning rate', h.lr);
    checkNonNegative('Adagrad', 'lr decay', h.lrDecay);
    checkNonNegative('Adagrad', 'weight decay', h.weightDecay);
    checkNonNegative('Adagrad', 'initial accumulator value', h.initialAccumulatorValue);
    checkNonNegative('Adagrad', 'epsilon value', h.eps);
    checkBoolean('Adagrad', 'maximize', h.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<AdagradHyper>): AdagradState {
    return { step: 0, sum: fullLike(param, group.initialAccumulatorValue) };
  }

  protected update(param: Tensor, grad: Tensor, state: AdagradState, group: ParamGroup<AdagradHyper>): void {
    adagradStep(param, grad, state, group);
  }
}
