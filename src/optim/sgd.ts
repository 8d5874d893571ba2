/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay.
 * @module
 */
import { noGrad } from '../core/grad_mode.js';
import { Tensor } from '../core/tensor.js';
import { add, neg } from '../ops/elementwise.js';
import { add_, mul_ } from '../ops/inplace.js';
import { clone } from '../ops/view.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { checkBoolean, checkNonNegative } from './validate.js';

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** Learning rate γ; required here or in every parameter group. */
  lr?: number;
  /** Momentum factor μ (default 0: plain gradient descent). */
  momentum?: number;
  /** Dampening τ: the new gradient enters the momentum buffer scaled by 1 − τ (default 0). */
  dampening?: number;
  /** Weight decay λ, the L2 penalty (λ/2)‖θ‖² added to the loss (default 0). */
  weightDecay?: number;
  /** Use Nesterov momentum (needs momentum > 0 and dampening 0; default false). */
  nesterov?: boolean;
  /** Ascend the objective instead of descending it (default false). */
  maximize?: boolean;
}

/** Hyper-parameters of one SGD parameter group. */
export type SGDHyper = Required<SGDOptions>;

/** Per-parameter state of SGD: the momentum buffer b, created on the first step (null without momentum). PyTorch: `momentum_buffer`. */
export type SGDState = { momentumBuffer: Tensor | null };

/**
 * One SGD update of `param` in place (the pure step that {@link SGD} calls), following PyTorch's
 * `_single_tensor_sgd` operation for operation. Updates `state.momentumBuffer` too.
 */
export function sgdStep(param: Tensor, grad: Tensor, state: SGDState, h: SGDHyper): void {
  if (fusedSgdStep(param, grad, state, h)) return;
  noGrad(() => {
    let d = h.maximize ? neg(grad) : grad;
    if (h.weightDecay !== 0) d = add(d, param, { alpha: h.weightDecay });
    if (h.momentum !== 0) {
      let buf = state.momentumBuffer;
      if (buf === null) {
        // The first step starts the buffer at the gradient itself (not (1 − τ)·g), as PyTorch does.
        buf = clone(d);
        state.momentumBuffer = buf;
      } else {
        add_(mul_(buf, h.momentum), d, { alpha: 1 - h.dampening });
      }
      d = h.nesterov ? add(d, buf, { alpha: h.momentum }) : buf;
    }
    add_(param, d, { alpha: -h.lr });
  });
}

/**
 * The same update as one backend kernel per parameter (`Backend.sgdStep`, bit-identical to the ops
 * above) where the backend has it and the tensors are contiguous; false when it does not apply.
 */
function fusedSgdStep(param: Tensor, grad: Tensor, state: SGDState, h: SGDHyper): boolean {
  const be = param.backend;
  if (be.sgdStep === undefined || grad.backend !== be || grad.dtype !== param.dtype || !param.isContiguous() || !grad.isContiguous()) return false;
  if (grad.ndim !== param.ndim || grad.shape.some((s, i) => s !== param.shape[i])) return false;
  let buf = h.momentum !== 0 ? state.momentumBuffer : null;
  if (buf !== null && (buf.backend !== be || buf.dtype !== param.dtype || !buf.isContiguous())) return false;
  const first = h.momentum !== 0 && buf === null;
  const fresh = first ? new Tensor(be.alloc(param.dtype, param.numel()), param.shape) : null;
  if (fresh !== null) buf = fresh;
  if (!be.sgdStep(param, grad, buf, { ...h, first })) {
    fresh?.dispose();
    return false;
  }
  param.storage.version++;
  if (buf !== null) buf.storage.version++;
  if (fresh !== null) state.momentumBuffer = fresh;
  return true;
}

/**
 * Stochastic gradient descent, optionally with momentum, like `torch.optim.SGD`.
 *
 * ```text
 * input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay), μ (momentum), τ (dampening), nesterov, maximize
 * for t = 1 to … do
 *   g_t ← ∇θ f_t(θ_{t−1})
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t−1}
 *   if μ ≠ 0:
 *     if t > 1:  b_t ← μ b_{t−1} + (1 − τ) g_t
 *     else:      b_t ← g_t
 *     if nesterov:  g_t ← g_t + μ b_t
 *     else:         g_t ← b_t
 *   if maximize:  θ_t ← θ_{t−1} + γ g_t
 *   else:         θ_t ← θ_{t−1} − γ g_t
 * return θ_t
 * ```
 *
 * The momentum form is PyTorch's (v ← μv + g; θ ← θ − γv), not Sutskever's (v ← μv + γg; θ ← θ − v):
 * the two agree for a constant learning rate but differ when a scheduler changes γ.
 * Weight decay λ is the gradient of the L2 penalty (λ/2)‖θ‖² (see `l2Penalty`).
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * lossFn(model.forward(input), target).backward();
 * opt.step();
 */
export class SGD extends Optimizer<SGDHyper, SGDState> {
  /**
   * @param params tensors, or parameter groups `[{ params, lr, momentum, … }]`
   * @param options hyper-parameters for every group that does not set its own
   */
  constructor(params: Params<SGDHyper>, options: SGDOptions = {}) {
    super('SGD', params, {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected checkGroup(h: SGDHyper): void {
    checkNonNegative('SGD', 'learning rate', h.lr);
    checkNonNegative('SGD', 'momentum value', h.momentum);
    checkNonNegative('SGD', 'weight decay', h.weightDecay);
    if (typeof h.dampening !== 'number' || !Number.isFinite(h.dampening)) {
      throw new Error(`SGD: invalid dampening ${String(h.dampening)} (must be a finite number)`);
    }
    checkBoolean('SGD', 'nesterov', h.nesterov);
    checkBoolean('SGD', 'maximize', h.maximize);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new Error(`SGD: Nesterov momentum requires momentum > 0 and dampening 0 (got momentum ${h.momentum}, dampening ${h.dampening})`);
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(param: Tensor, grad: Tensor, state: SGDState, group: ParamGroup<SGDHyper>): void {
    sgdStep(param, grad, state, group);
  }
}
