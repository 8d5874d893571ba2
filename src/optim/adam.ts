/**
 * Adam and AdamW: momentum on the gradient and on its square, with bias correction.
 * @module
 */
import { noGrad } from '../core/grad_mode.js';
import { zerosLike } from '../core/creation.js';
import { Tensor } from '../core/tensor.js';
import { add, div, maximum, mul, neg, sqrt } from '../ops/elementwise.js';
import { add_, copy_, mul_ } from '../ops/inplace.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { checkBetas, checkBoolean, checkNonNegative } from './validate.js';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decay rates [β₁, β₂] of the moving averages of the gradient and of its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay λ: an L2 penalty in Adam (default 0), decoupled decay in AdamW (default 1e-2). */
  weightDecay?: number;
  /** Use the AMSGrad variant: divide by the running maximum of v̂ (default false). */
  amsgrad?: boolean;
  /** Ascend the objective instead of descending it (default false). */
  maximize?: boolean;
}

/** Hyper-parameters of one Adam or AdamW parameter group. */
export type AdamHyper = Required<AdamOptions>;

/**
 * Per-parameter state of Adam and AdamW (PyTorch: `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`):
 * the step count, the moving averages m and v, and with AMSGrad the running maximum of v.
 */
export type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq?: Tensor };

/** The moment updates and the parameter update shared by Adam and AdamW (`_single_tensor_adam`'s order). */
function adamCore(param: Tensor, g: Tensor, state: AdamState, h: AdamHyper): void {
  const [beta1, beta2] = h.betas;
  add_(mul_(state.expAvg, beta1), g, { alpha: 1 - beta1 });
  // addcmul_ order: v·β₂ + ((1 − β₂)·g)·g.
  add_(mul_(state.expAvgSq, beta2), mul(mul(g, 1 - beta2), g));
  // The same float64 scalars as core/backend.ts's adamStepScalars (the fused kernels' inputs).
  const biasCorrection1 = 1 - beta1 ** state.step;
  const biasCorrection2 = 1 - beta2 ** state.step;
  const stepSize = h.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let second = state.expAvgSq;
  if (h.amsgrad) {
    const max = (state.maxExpAvgSq ??= zerosLike(param));
    copy_(max, maximum(max, state.expAvgSq));
    second = max;
  }
  // PyTorch folds the bias corrections into the step size and the denominator rather than
  // forming m̂ and v̂: denom = √v / √(1 − β₂ᵗ) + ε, step = γ / (1 − β₁ᵗ).
  const denom = add(div(sqrt(second), biasCorrection2Sqrt), h.eps);
  // addcdiv_ order: θ + (−step·m) / denom.
  add_(param, div(mul(state.expAvg, -stepSize), denom));
}

/**
 * One Adam update of `param` in place (the pure step that {@link Adam} calls), following PyTorch's
 * `_single_tensor_adam`: weight decay is added to the gradient (an L2 penalty).
 */
export function adamStep(param: Tensor, grad: Tensor, state: AdamState, h: AdamHyper): void {
  state.step += 1;
  if (fusedAdamStep(param, grad, state, h, false)) return;
  noGrad(() => {
    let g = h.maximize ? neg(grad) : grad;
    if (h.weightDecay !== 0) g = add(g, param, { alpha: h.weightDecay });
    adamCore(param, g, state, h);
  });
}

/**
 * One AdamW update of `param` in place (the pure step that {@link AdamW} calls), following
 * PyTorch's `_single_tensor_adamw`: the parameter decays by (1 − γλ) before the Adam update,
 * and the gradient is left alone.
 */
export function adamwStep(param: Tensor, grad: Tensor, state: AdamState, h: AdamHyper): void {
  state.step += 1;
  if (fusedAdamStep(param, grad, state, h, true)) return;
  noGrad(() => {
    const g = h.maximize ? neg(grad) : grad;
    mul_(param, 1 - h.lr * h.weightDecay);
    adamCore(param, g, state, h);
  });
}

/**
 * The same update (after `state.step` is incremented) as one backend kernel per parameter
 * (`Backend.adamStep`, bit-identical to the ops above) where the backend has it and the parameter,
 * gradient and state are contiguous, of one shape, dtype and backend; false when it does not apply.
 */
function fusedAdamStep(param: Tensor, grad: Tensor, state: AdamState, h: AdamHyper, decoupled: boolean): boolean {
  const be = param.backend;
  if (be.adamStep === undefined || !param.isContiguous()) return false;
  const others = [grad, state.expAvg, state.expAvgSq];
  if (h.amsgrad && state.maxExpAvgSq !== undefined) others.push(state.maxExpAvgSq);
  const fits = (t: Tensor): boolean =>
    t.backend === be && t.dtype === param.dtype && t.isContiguous() && t.ndim === param.ndim && t.shape.every((s, i) => s === param.shape[i]);
  if (!others.every(fits)) return false;
  // AMSGrad's running maximum starts at zero, as `zerosLike` in adamCore (alloc zero-fills).
  const fresh = h.amsgrad && state.maxExpAvgSq === undefined ? new Tensor(be.alloc(param.dtype, param.numel()), param.shape) : null;
  const max = h.amsgrad ? (state.maxExpAvgSq ?? fresh) : null;
  const [beta1, beta2] = h.betas;
  const hyper = { lr: h.lr, beta1, beta2, eps: h.eps, weightDecay: h.weightDecay, amsgrad: h.amsgrad, maximize: h.maximize, decoupled, step: state.step };
  if (!be.adamStep(param, grad, state.expAvg, state.expAvgSq, max ?? null, hyper)) {
    fresh?.dispose();
    return false;
  }
  for (const t of [param, state.expAvg, state.expAvgSq, max]) if (t) t.storage.version++;
  if (fresh !== null) state.maxExpAvgSq = fresh;
  return true;
}

function checkAdam(name: string, h: AdamHyper): void {
  checkNonNegative(name, 'learning rate', h.lr);
  checkNonNegative(name, 'epsilon value', h.eps);
  checkBetas(name, h.betas);
  checkNonNegative(name, 'weight decay', h.weightDecay);
  checkBoolean(name, 'amsgrad', h.amsgrad);
  checkBoolean(name, 'maximize', h.maximize);
}

function adamDefaults(options: AdamOptions, weightDecay: number): Partial<AdamHyper> {
  return {
    lr: options.lr ?? 1e-3,
    betas: options.betas ?? [0.9, 0.999],
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
  };
}

function adamState(param: Tensor, group: ParamGroup<AdamHyper>): AdamState {
  const s: AdamState = { step: 0, expAvg: zerosLike(param), expAvgSq: zerosLike(param) };
  if (group.amsgrad) s.maxExpAvgSq = zerosLike(param);
  return s;
}

/**
 * Adam, like `torch.optim.Adam`: a per-coordinate step from moving averages of the gradient (m,
 * momentum) and of its square (v, as RMSprop), both corrected for their start at zero.
 *
 * ```text
 * input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay), amsgrad, maximize
 * initialize: m₀ ← 0 (first moment), v₀ ← 0 (second moment), v̂₀^max ← 0
 * for t = 1 to … do
 *   if maximize:  g_t ← −∇θ f_t(θ_{t−1})
 *   else:         g_t ← ∇θ f_t(θ_{t−1})
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
 *   m_t ← β₁ m_{t−1} + (1 − β₁) g_t
 *   v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
 *   m̂_t ← m_t / (1 − β₁ᵗ)
 *   v̂_t ← v_t / (1 − β₂ᵗ)
 *   if amsgrad:
 *     v̂_t^max ← max(v̂_{t−1}^max, v̂_t)
 *     θ_t ← θ_{t−1} − γ m̂_t / (√v̂_t^max + ε)
 *   else:
 *     θ_t ← θ_{t−1} − γ m̂_t / (√v̂_t + ε)
 * return θ_t
 * ```
 * (Kingma & Ba, "Adam: A Method for Stochastic Optimization"; AMSGrad: Reddi et al.,
 * "On the Convergence of Adam and Beyond".) The code computes the same thing in PyTorch's order:
 * θ ← θ − (γ / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε), with the maximum taken over the raw v.
 */
export class Adam extends Optimizer<AdamHyper, AdamState> {
  /**
   * @param params tensors, or parameter groups
   * @param options hyper-parameters for every group that does not set its own
   */
  constructor(params: Params<AdamHyper>, options: AdamOptions = {}) {
    super('Adam', params, adamDefaults(options, 0));
  }

  protected checkGroup(h: AdamHyper): void {
    checkAdam('Adam', h);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamHyper>): AdamState {
    return adamState(param, group);
  }

  protected update(param: Tensor, grad: Tensor, state: AdamState, group: ParamGroup<AdamHyper>): void {
    adamStep(param, grad, state, group);
  }
}

/**
 * AdamW, like `torch.optim.AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter). The
 * decay shrinks the parameter directly, θ ← θ(1 − γλ), instead of entering the gradient, where
 * Adam's normalisation would weaken it for coordinates with large gradients.
 *
 * ```text
 * input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), ε (epsilon), λ (weight decay), amsgrad, maximize
 * initialize: m₀ ← 0, v₀ ← 0, v̂₀^max ← 0
 * for t = 1 to … do
 *   if maximize:  g_t ← −∇θ f_t(θ_{t−1})
 *   else:         g_t ← ∇θ f_t(θ_{t−1})
 *   θ_t ← θ_{t−1} − γ λ θ_{t−1}
 *   m_t ← β₁ m_{t−1} + (1 − β₁) g_t
 *   v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
 *   m̂_t ← m_t / (1 − β₁ᵗ)
 *   v̂_t ← v_t / (1 − β₂ᵗ)
 *   if amsgrad:
 *     v̂_t^max ← max(v̂_{t−1}^max, v̂_t)
 *     θ_t ← θ_t − γ m̂_t / (√v̂_t^max + ε)
 *   else:
 *     θ_t ← θ_t − γ m̂_t / (√v̂_t + ε)
 * return θ_t
 * ```
 * The default weight decay is 1e-2.
 */
export class AdamW extends Optimizer<AdamHyper, AdamState> {
  /**
   * @param params tensors, or parameter groups
   * @param options hyper-parameters for every group that does not set its own
   */
  constructor(params: Params<AdamHyper>, options: AdamOptions = {}) {
    super('AdamW', params, adamDefaults(options, 1e-2));
  }

  protected checkGroup(h: AdamHyper): void {
    checkAdam('AdamW', h);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamHyper>): AdamState {
    return adamState(param, group);
  }

  protected update(param: Tensor, grad: Tensor, state: AdamState, group: ParamGroup<AdamHyper>): void {
    adamwStep(param, grad, state, group);
  }
}
