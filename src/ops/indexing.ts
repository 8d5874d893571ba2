/**
 * Indexing ops: gather, scatterAdd, indexSelect, maskedFill.
 * Indices are int32 tensors and are bounds-checked before any kernel runs.
 * @module
 */
import { fmtShape, normalizeDim } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { zeros } from '../core/creation.js';
import { broadcastShapes } from '../core/shape.js';
import { checkSameBackend, checkTensor, record, wrap } from './helpers.js';
import { where } from './elementwise.js';
import { expand, narrow, reshape } from './view.js';

function checkIndex(op: string, index: Tensor, size: number, dim: number, input: Tensor): void {
  if (index.dtype !== 'int32') {
    throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype} ${fmtShape(index.shape)} (input ${fmtShape(input.shape)})`);
  }
  const values = index.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= size) {
      throw new Error(`${op}: index ${values[i]} is out of bounds for dim ${dim} with size ${size} (input ${fmtShape(input.shape)})`);
    }
  }
}

function checkIndexShape(op: string, x: Tensor, dim: number, index: Tensor, other?: Tensor): void {
  if (index.ndim !== x.ndim) {
    throw new Error(`${op}: index ${fmtShape(index.shape)} must have as many dims as the input ${fmtShape(x.shape)}`);
  }
  for (let d = 0; d < x.ndim; d++) {
    if (d !== dim && index.shape[d] > x.shape[d]) {
      throw new Error(`${op}: index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} at dim ${d}`);
    }
    if (other && index.shape[d] > other.shape[d]) {
      throw new Error(`${op}: index ${fmtShape(index.shape)} is larger than src ${fmtShape(other.shape)} at dim ${d}`);
    }
  }
}

/** `out[i][j] = x[i][index[i][j]]` for dim 1 (and likewise for any dim). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', 'index', index);
  const d = normalizeDim('gather', dim, x.shape);
  checkIndexShape('gather', x, d, index);
  checkIndex('gather', index, x.shape[d], d, x);
  checkSameBackend('gather', [x, index]);
  const out = wrap(x.backend.gather(x, d, index), index.shape);
  return record('GatherBackward0', out, [x], (g, [si]) => [scatterAdd(zeros([...x.shape], { dtype: g.dtype }), d, si, g)], [index]);
}

/** A copy of `x` with `src` added at `index` along `dim`: `out[i][index[i][j]] += src[i][j]`. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('scatterAdd', 'index', index);
  checkTensor('scatterAdd', 'src', src);
  const d = normalizeDim('scatterAdd', dim, x.shape);
  checkIndexShape('scatterAdd', x, d, index, src);
  checkIndex('scatterAdd', index, x.shape[d], d, x);
  if (src.dtype !== x.dtype) throw new Error(`scatterAdd: src is ${src.dtype} ${fmtShape(src.shape)} but the input is ${x.dtype} ${fmtShape(x.shape)}`);
  checkSameBackend('scatterAdd', [x, index, src]);
  const out = wrap(x.backend.scatterAdd(x, d, index, src), x.shape);
  return record('ScatterAddBackward0', out, [x, src], (g, [si]) => {
    const picked = gather(g, d, si);
    if (picked.shape.every((s, i) => s === src.shape[i])) return [g, picked];
    // src is larger than index: only its first index.shape elements were used.
    const gs = zeros([...src.shape], { dtype: g.dtype });
    let region = gs;
    for (let k = 0; k < src.ndim; k++) region = narrow(region, k, 0, si.shape[k]);
    gs.backend.copy(picked, region);
    return [g, gs];
  }, [index]);
}

/** The entries of `index` (1-d int32) along `dim`: `indexSelect(x, 0, idx)` picks rows. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('indexSelect', 'index', index);
  const d = normalizeDim('indexSelect', dim, x.shape);
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 1-d, got ${fmtShape(index.shape)}`);
  // Checked here too so that errors name indexSelect rather than the gather it is built on.
  checkIndex('indexSelect', index, x.shape[d], d, x);
  const n = index.numel();
  const idxShape = x.shape.map((_, k) => (k === d ? n : 1));
  const target = x.shape.map((s, k) => (k === d ? n : s));
  return gather(x, d, expand(reshape(index, idxShape), target));
}

/** `x` with `value` where `mask` (bool, broadcastable to x) is true. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', 'mask', mask);
  if (mask.dtype !== 'bool') throw new Error(`maskedFill: mask must be bool, got ${mask.dtype} ${fmtShape(mask.shape)}`);
  const shape = broadcastShapes('maskedFill', mask.shape, x.shape);
  if (shape.length !== x.ndim || shape.some((s, i) => s !== x.shape[i])) {
    throw new Error(`maskedFill: mask ${fmtShape(mask.shape)} does not broadcast to the input ${fmtShape(x.shape)}`);
  }
  return where(mask, value, x);
}
