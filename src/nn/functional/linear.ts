/**
 * Affine maps: `linear` (y = x Wᵀ + b) and the input check Linear-like layers share.
 * @module
 */
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { add } from '../../ops/elementwise.js';
import { checkTensor } from '../../ops/helpers.js';
import { addmm, matmul } from '../../ops/linalg.js';
import { reshape, t } from '../../ops/view.js';

/**
 * Throws unless the last dim of `x` matches the weight's `in` dim, naming `op` and both shapes,
 * e.g. `Linear: input [8,5] has 5 features, expected 4 (weight [3,4])`.
 */
export function checkLinearInput(op: string, x: Tensor, weight: Tensor): void {
  checkTensor(op, 'input', x);
  const inFeatures = weight.shape[weight.ndim - 1];
  if (x.ndim === 0) throw new Error(`${op}: input is a 0-d tensor, expected [..., ${inFeatures}] (weight ${fmtShape(weight.shape)})`);
  const got = x.shape[x.ndim - 1];
  if (got !== inFeatures) {
    throw new Error(`${op}: input ${fmtShape(x.shape)} has ${got} features, expected ${inFeatures} (weight ${fmtShape(weight.shape)})`);
  }
}

/**
 * `y = x Wᵀ + b` over the last dim: x [..., in], weight [out, in], bias [out] → y [..., out].
 * @example linear(randn(8, 4), randn(3, 4), zeros(3)) // [8, 3]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('linear', 'weight', weight);
  if (weight.ndim !== 2) throw new Error(`linear: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  checkLinearInput('linear', input, weight);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new Error(`linear: bias ${fmtShape(bias.shape)} does not match weight ${fmtShape(weight.shape)} (expected [${weight.shape[0]}])`);
  }
  if (bias === null || input.ndim < 2) {
    const y = matmul(input, t(weight));
    return bias === null ? y : add(y, bias);
  }
  // The bias rides in the GEMM's accumulate epilogue (addmm), on [rows, in] views of the input.
  if (input.ndim === 2) return addmm(bias, input, t(weight));
  const rows = reshape(input, [-1, input.shape[input.ndim - 1]]);
  return reshape(addmm(bias, rows, t(weight)), [...input.shape.slice(0, -1), weight.shape[0]]);
}
