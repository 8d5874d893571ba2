/**
 * Matrix products: matmul (batched, broadcasting, 1-d operands as in PyTorch), mm, bmm.
 * @module
 */
import { broadcastShapes, fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkSameBackend, checkTensor, record, wrap } from './helpers.js';
import { expand, squeeze, transpose, unsqueeze } from './view.js';
import { promoteTypes } from '../core/dtype.js';
import { to } from './elementwise.js';

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
  return record('MmBackward0', out, [x, y], (g, [sx, sy]) => [
    matmulSameBatch(g, transpose(sy, -1, -2)),
    matmulSameBatch(transpose(sx, -1, -2), g),
  ], [x, y]);
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
