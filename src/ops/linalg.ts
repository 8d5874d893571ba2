/**
 * Matrix products: matmul (batched, broadcasting, 1-d operands as in PyTorch), mm, bmm.
 * @module
 */
import { allocForOverwrite } from '../core/backend.js';
import { broadcastShapes, fmtShape, numel } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkSameBackend, checkTensor, record, wrap } from './helpers.js';
import { expand, squeeze, sumToShape, transpose, unsqueeze } from './view.js';
import { promoteTypes } from '../core/dtype.js';
import { add, mul, to } from './elementwise.js';

/**
 * Matrix product with PyTorch's rules: 1-d × 1-d is a dot product; a 1-d operand gains (then loses)
 * a dim; batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'input', a);
  checkTensor('matmul', 'other', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const ka = a.shape[a.ndim - 1];
  const kb = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (ka !== kb) {
    throw new Error(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${ka} != ${kb})`);
  }
  // b first: for 1-d · 1-d the inner call then sees a [1,K]·… product whose -2 dim exists.
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  checkSameBackend('matmul', [a, b]);
  const dtype = promoteTypes(a.dtype, b.dtype);
  const batch = matmulBatch(a, b);
  const x = expand(to(a, dtype), [...batch, ...a.shape.slice(-2)]);
  const y = expand(to(b, dtype), [...batch, ...b.shape.slice(-2)]);
  return matmulSameBatch(x, y);
}

/** The broadcast batch dims of two ≥ 2-d operands; the error names both full shapes. */
function matmulBatch(a: Tensor, b: Tensor): number[] {
  try {
    return broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new Error(
      `matmul: the batch dims of ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be broadcast ` +
        `(${fmtShape(a.shape.slice(0, -2))} vs ${fmtShape(b.shape.slice(0, -2))})`,
    );
  }
}

/** The primitive: equal batch dims, ≥ 2 dims each. */
function matmulSameBatch(x: Tensor, y: Tensor): Tensor {
  const shape = [...x.shape.slice(0, -1), y.shape[y.ndim - 1]];
  const out = wrap(x.backend.matmul(x, y, x.dtype), shape);
  return record('MmBackward0', out, [x, y], (g, [sx, sy], needs) => productGrads(g, sx, sy, needs), [x, y]);
}

/** True for a transposed view of a contiguous tensor (the last two dims swapped), such as Wᵀ. */
function isTransposed(t: Tensor): boolean {
  return t.ndim >= 2 && !t.isContiguous() && transpose(t, -1, -2).isContiguous();
}

/**
 * Gradients of a @ b: g·bᵀ and aᵀ·g. For an operand that is a transposed view (Linear's Wᵀ) the
 * product is formed the other way round and transposed, (b·gᵀ)ᵀ or (gᵀ·a)ᵀ, so that the view's
 * own backward turns it into a contiguous gradient: no copy when it reaches the parameter.
 */
function productGrads(g: Tensor, a: Tensor, b: Tensor, needs: readonly boolean[], offset = 0): (Tensor | null)[] {
  const ga = !needs[offset] ? null
    : isTransposed(a) ? transpose(matmulSameBatch(b, transpose(g, -1, -2)), -1, -2) : matmulSameBatch(g, transpose(b, -1, -2));
  const gb = !needs[offset + 1] ? null
    : isTransposed(b) ? transpose(matmulSameBatch(transpose(g, -1, -2), a), -1, -2) : matmulSameBatch(transpose(a, -1, -2), g);
  return [ga, gb];
}

/**
 * The primitive with the GEMM's accumulate epilogue: init (broadcast to the product's shape) + x @ y
 * in one pass over the output. The expand's own backward sums the gradient back to init's shape.
 */
function matmulAddSameBatch(init: Tensor, x: Tensor, y: Tensor): Tensor {
  const shape = [...x.shape.slice(0, -1), y.shape[y.ndim - 1]];
  const c = expand(init, shape);
  const out = wrap(x.backend.matmul(x, y, x.dtype, c), shape);
  return record('AddmmBackward0', out, [c, x, y], (g, [sx, sy], needs) => [needs[0] ? g : null, ...productGrads(g, sx, sy, needs, 1)], [x, y]);
}

/** Options of {@link addmm}. */
export interface AddmmOptions {
  /** Factor of `input` (default 1; 0 ignores it, NaNs included, as in PyTorch). */
  beta?: number;
  /** Factor of the product (default 1). */
  alpha?: number;
}

/**
 * `beta·input + alpha·(mat1 @ mat2)`, like `torch.addmm`: mat1 [M,K], mat2 [K,N], input broadcastable
 * to [M,N] (a bias [N] or [M,1], or a full [M,N]). With the default factors the sum is the GEMM's
 * accumulate epilogue: no separate pass over the output.
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options: AddmmOptions = {}): Tensor {
  checkTensor('addmm', 'input', input);
  checkTensor('addmm', 'mat1', mat1);
  checkTensor('addmm', 'mat2', mat2);
  if (mat1.ndim !== 2 || mat2.ndim !== 2) {
    throw new Error(`addmm: mat1 and mat2 must be matrices, got ${fmtShape(mat1.shape)} and ${fmtShape(mat2.shape)}`);
  }
  if (mat1.shape[1] !== mat2.shape[0]) {
    throw new Error(`addmm: shapes ${fmtShape(mat1.shape)} and ${fmtShape(mat2.shape)} cannot be multiplied (${mat1.shape[1]} != ${mat2.shape[0]})`);
  }
  const outShape = [mat1.shape[0], mat2.shape[1]];
  let broadcast: number[];
  try {
    broadcast = broadcastShapes('addmm', input.shape, outShape);
  } catch {
    broadcast = [];
  }
  if (broadcast.length !== 2 || broadcast[0] !== outShape[0] || broadcast[1] !== outShape[1]) {
    throw new Error(`addmm: input ${fmtShape(input.shape)} cannot be broadcast to the product's shape ${fmtShape(outShape)}`);
  }
  checkSameBackend('addmm', [input, mat1, mat2]);
  const beta = options.beta ?? 1;
  const alpha = options.alpha ?? 1;
  const dtype = promoteTypes(promoteTypes(mat1.dtype, mat2.dtype), input.dtype);
  const [x, y, c] = [to(mat1, dtype), to(mat2, dtype), to(input, dtype)];
  if (beta === 1 && alpha === 1) return matmulAddSameBatch(c, x, y);
  const product = alpha === 1 ? matmulSameBatch(x, y) : mul(matmulSameBatch(x, y), alpha);
  if (beta !== 0) return add(beta === 1 ? c : mul(c, beta), product);
  // beta = 0 ignores input's values (NaN included) but, as in PyTorch, still gives it a zero gradient.
  const out = wrap(allocForOverwrite(x.backend, dtype, numel(outShape)), outShape);
  x.backend.copy(product, out);
  return record('AddmmBackward0', out, [c, product], (g, _s, needs) => [needs[0] ? mul(sumToShape(g, c.shape), 0) : null, g]);
}

/** Product of two matrices (2-d only). */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2) throw new Error(`mm: expects two matrices, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return matmul(a, b);
}

/** Batched product of [B,M,K] and [B,K,N] (3-d only, same B). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new Error(`bmm: expects [B,M,K] and [B,K,N] with the same B, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return matmul(a, b);
}
