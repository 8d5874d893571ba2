/**
 * RMSprop: gradients divided by a moving root-mean-square of recent gradients.
 * @module
 */
import { noGrad } from '../core/grad_mode.js';
import { zerosLike } from '../core/creation.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, mul, neg, sqrt, sub } from '../ops/elementwise.js';
import { add_, mul_ } from '../ops/inplace.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { checkBoolean, checkNonNegative } from './validate.js';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the moving average of squared gradients (default 0.99). */
  alpha?: number;
  /** Added to the root mean square for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay λ (L2 penalty, default 0). */
  weightDecay?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance, E[g²] − E[g]², instead of E[g²] (default false). */
  centered?: boolean;
  /** Ascend the objective instead of descending it (default false). */
  maximize?: boolean;
}

/** Hyper-parameters of one RMSprop parameter group. */
export type RMSpropHyper = Required<RMSpropOptions>;

/**
 * Per-parameter state of RMSprop (PyTorch: `step`, `square_avg`, `momentum_buffer`, `grad_avg`):
 * the momentum buffer exists only when momentum > 0, the gradient average only when centered.
 */
export type RMSpropState = { step: number; squareAvg: Tensor; momentumBuffer?: Tensor; gradAvg?: Tensor };

/**
 * One RMSprop update of `param` in place (the pure step that {@link RMSprop} calls), following
 * PyTorch's `_single_tensor_rmsprop`. Increments `state.step` and updates its averages.
 */
export function rmspropStep(param: Tensor, grad: Tensor, state: RMSpropState, h: RMSpropHyper): void {
  noGrad(() => {
    state.step += 1;
    let g = h.maximize ? neg(grad) : grad;
    if (h.weightDecay !== 0) g = add(g, param, { alpha: h.weightDecay });
    // addcmul_ order: v·α + ((1 − α)·g)·g.
    add_(mul_(state.squareAvg, h.alpha), mul(mul(g, 1 - h.alpha), g));
    let avg: Tensor;
    if (h.centered) {
      // Created here too, in case `centered` was switched on after the state was made.
      const gradAvg = (state.gradAvg ??= zerosLike(param));
      add_(mul_(gradAvg, h.alpha), g, { alpha: 1 - h.alpha });
      avg = sqrt(sub(state.squareAvg, mul(gradAvg, gradAvg)));
    } else {
      avg = sqrt(state.squareAvg);
    }
    avg = add(avg, h.eps);
    if (h.momentum > 0) {
      const buf = (state.momentumBuffer ??= zerosLike(param));
      add_(mul_(buf, h.momentum), div(g, avg));
      add_(param, buf, { alpha: -h.lr });
    } else {
      add_(param, div(mul(g, -h.lr), avg));
    }
  });
}

/**
 * RMSprop, like `torch.optim.RMSprop`. Unlike Adagrad's ever-growing sum, the moving average v
 * forgets old gradients, so the effective step γ / (√v + ε) can grow again when gradients shrink.
 *
 * ```text
 * input: α (alpha), γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay), μ (momentum), centered
 * initialize: v₀ ← 0 (square average), b₀ ← 0 (buffer), g^ave₀ ← 0
 * for t = 1 to … do
 *   g_t ← ∇θ f_t(θ_{t−1})
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
 *   v_t ← α v_{t−1} + (1 − α) g_t²
 *   ṽ_t ← v_t
 *   if centered:
 *     g^ave_t ← α g^ave_{t−1} + (1 − α) g_t
 *     ṽ_t ← ṽ_t − (g^ave_t)²
 *   if μ > 0:
 *     b_t ← μ b_{t−1} + g_t / (√ṽ_t + ε)
 *     θ_t ← θ_{t−1} − γ b_t
 *   else:
 *     θ_t ← θ_{t−1} − γ g_t / (√ṽ_t + ε)
 * return θ_t
 * ```
 *
 * ε is added after the square root (TensorFlow adds it inside), as in PyTorch.
 */
export class RMSprop extends Optimizer<RMSpropHyper, RMSpropState> {
  /**
   * @param params tensors, or parameter groups
   * @param options hyper-parameters for every group that does not set its own
   */
  constructor(params: Params<RMSpropHyper>, options: RMSpropOptions = {}) {
    super('RMSprop', params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected checkGroup(h: RMSpropHyper): void {
    checkNonNegative('RMSprop', 'learning rate', h.lr);
    checkNonNegative('RMSprop', 'epsilon value', h.eps);
    checkNonNegative('RMSprop', 'momentum value', h.momentum);
    checkNonNegative('RMSprop', 'weight decay', h.weightDecay);
    checkNonNegative('RMSprop', 'alpha value', h.alpha);
    checkBoolean('RMSprop', 'centered', h.centered);
    checkBoolean('RMSprop', 'maximize', h.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<RMSpropHyper>): RMSpropState {
    const s: RMSpropState = { step: 0, squareAvg: zerosLike(param) };
    if (group.momentum > 0) s.momentumBuffer = zerosLike(param);
    if (group.centered) s.gradAvg = zerosLike(param);
    return s;
  }

  protected update(param: Tensor, grad: Tensor, state: RMSpropState, group: ParamGroup<RMSpropHyper>): void {
    rmspropStep(param, grad, state, group);
  }
}
