/**
 * Gradient clipping, like `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`: limits the
 * gradients in place between backward and the optimiser step.
 * @module
 */
import { scalarTensor } from '../core/creation.js';
import { noGrad } from '../core/grad_mode.js';
import { Tensor } from '../core/tensor.js';
import { abs, add, div, mul, pow, sqrt } from '../ops/elementwise.js';
import { clamp_, mul_ } from '../ops/inplace.js';
import { stack } from '../ops/join.js';
import { amax, sum } from '../ops/reduce.js';
import { detach } from '../ops/view.js';

/** Options of {@link clipGradNorm_}. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite, instead of scaling the gradients by it (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(parameters: Tensor | Iterable<Tensor>): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  return list.filter((p) => p.grad !== null).map((p) => detach(p.grad!));
}

/** The p-norm of all elements of `x` (p may be Infinity). */
function pNorm(x: Tensor, p: number): Tensor {
  if (p === Infinity) return amax(abs(x));
  if (p === 2) return sqrt(sum(mul(x, x)));
  if (p === 1) return sum(abs(x));
  return pow(sum(pow(abs(x), p)), 1 / p);
}

/**
 * Rescales the gradients of `parameters` in place so that their total norm, taken over all of
 * them as if concatenated into one vector, is at most `maxNorm`; returns the total norm before
 * clipping (a 0-d tensor). With ‖g‖ the total `normType`-norm:
 *
 *   clip_coef = maxNorm / (‖g‖ + 1e-6);  if clip_coef < 1: g ← g · clip_coef
 *
 * (the 1e-6 keeps the division finite for zero gradients; PyTorch's formula). The total norm is
 * the norm of the per-tensor norms, which equals the norm of the concatenation. Parameters with no
 * gradient are skipped; with none at all the norm is 0.
 * @param normType p of the p-norm: any p > 0, or Infinity for the largest |g| (default 2)
 * @example
 * loss.backward();
 * optim.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): Tensor {
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new Error(`clipGradNorm_: maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new Error(`clipGradNorm_: normType must be a number > 0 or Infinity, got ${String(normType)}`);
  }
  return noGrad(() => {
    const grads = gradsOf(parameters);
    if (grads.length === 0) return scalarTensor(0);
    const norms = grads.map((g) => pNorm(g, normType));
    const total = norms.length === 1 ? norms[0] : pNorm(stack(norms), normType);
    const value = total.item();
    if (options.errorIfNonfinite && !Number.isFinite(value)) {
      throw new Error(
        `clipGradNorm_: the total norm of order ${normType} of the gradients is ${value}, so it cannot be clipped; ` +
          'pass errorIfNonfinite: false to scale the gradients by it anyway',
      );
    }
    // Same tensor arithmetic as PyTorch (in the gradients' dtype), so the clipped values match.
    const coef = div(maxNorm, add(total, 1e-6));
    // A NaN coefficient is applied too, as PyTorch does: the gradients become NaN and the caller sees it.
    const c = coef.item();
    if (!(c >= 1)) for (const g of grads) mul_(g, coef);
    return total;
  });
}

/**
 * Clamps every gradient element of `parameters` into [−clipValue, clipValue] in place.
 * Parameters with no gradient are skipped.
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    throw new Error(`clipGradValue_: clipValue must be a number >= 0, got ${String(clipValue)}`);
  }
  noGrad(() => {
    for (const g of gradsOf(parameters)) clamp_(g, -clipValue, clipValue);
  });
}
