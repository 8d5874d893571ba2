/**
 * Explicit regularisation terms to add to a loss.
 * @module
 */
import { Tensor } from '../core/tensor.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';

/**
 * The L2 penalty (λ/2)·Σ‖w‖² over `parameters`, differentiable, to add to a loss.
 *
 * Convention: the factor ½ makes the gradient λw, so `loss + l2Penalty(params, λ)` with plain SGD
 * takes exactly the step of SGD with `weightDecay: λ` on `loss` (w ← w − γ(∇loss + λw)). Other
 * texts write λ‖w‖² (gradient 2λw); halve λ to convert. With Adam the two are not the same (the
 * penalty's gradient is normalised too); AdamW's decoupled decay is the alternative.
 * @example
 * const loss = mseLoss(model.forward(x), y).add(optim.l2Penalty(model.parameters(), 1e-4));
 */
export function l2Penalty(parameters: Tensor | Iterable<Tensor>, lambda: number): Tensor {
  if (typeof lambda !== 'number' || !(lambda >= 0)) throw new Error(`l2Penalty: lambda must be a number >= 0, got ${String(lambda)}`);
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  if (list.length === 0) throw new Error('l2Penalty: got no parameters');
  let total: Tensor | null = null;
  for (const w of list) {
    const sq = sum(mul(w, w));
    total = total === null ? sq : add(total, sq);
  }
  return mul(total!, lambda / 2);
}
