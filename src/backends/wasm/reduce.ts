/**
 * Host side of the float32 reductions and softmax. Any reduction of a strided view is mapped onto the
 * kernel's three-level form out[o·I + i] = reduce_r x[o·so + r·sr + i·si]; the few layouts that do
 * not fit (several kept or reduced dims that will not merge) are first copied so the reduced dims
 * are innermost.
 * @module
 */
import type { ReduceOp, View } from '../../core/backend.js';
import type { DType } from '../../core/dtype.js';
import { contiguousStrides, numel } from '../../core/shape.js';
import type { WasmContext } from './context.js';
import { copySameDtype } from './elementwise.js';
import { coalesce, isContiguous } from './layout.js';
import { REDUCE_CODES } from './opcodes.js';
import type { WasmStorage } from './storage.js';

/** True when the float32 reduction kernel computes `op` into `outDtype`. */
export function hasReduceKernel(op: ReduceOp, x: View, outDtype: DType): boolean {
  if (x.storage.dtype !== 'float32' || numel(x.shape) === 0) return false;
  return op === 'argmax' || op === 'argmin' ? outDtype === 'int32' : outDtype === 'float32';
}

interface ThreeLevel {
  O: number; R: number; I: number; so: number; sr: number; si: number;
}

/** The three-level form of reducing `dims` of a view, or null when the layout does not fit it. */
function threeLevel(shape: readonly number[], strides: readonly number[], dims: readonly number[]): ThreeLevel | null {
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (dims.includes(d)) {
      redShape.push(shape[d]);
      redStrides.push(strides[d]);
    } else {
      keptShape.push(shape[d]);
      keptStrides.push(strides[d]);
    }
  }
  const kept = coalesce(keptShape, [keptStrides]);
  const red = coalesce(redShape, [redStrides]);
  if (kept.shape.length > 2 || red.shape.length > 1) return null;
  const R = red.shape[0];
  const sr = red.strides[0][0];
  if (kept.shape.length === 2) {
    return { O: kept.shape[0], so: kept.strides[0][0], I: kept.shape[1], si: kept.strides[0][1], R, sr };
  }
  const k = kept.shape[0];
  const sk = kept.strides[0][0];
  // One kept dim: contiguous across outputs → the column loop; otherwise one output per row.
  if (sk === 1 && sr !== 1 && k > 1) return { O: 1, so: 0, I: k, si: 1, R, sr };
  return { O: k, so: sk, I: 1, si: 0, R, sr };
}

/** Reduces `dims` (sorted) of float32 x into a new storage (int32 for argmax/argmin). */
export function reduceF32(ctx: WasmContext, op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): WasmStorage {
  const outCount = numel(x.shape.filter((_, d) => !dims.includes(d)));
  const out = ctx.storage(outDtype, outCount, false);
  if (outCount === 0) return out;
  let form = threeLevel(x.shape, x.strides, dims);
  let src: View = x;
  let tmp: WasmStorage | null = null;
  if (form === null) {
    // Permute so the kept dims come first and the reduced dims last, then copy contiguous.
    const order = [...x.shape.keys()].filter((d) => !dims.includes(d)).concat(dims);
    const permuted: View = { storage: x.storage, shape: order.map((d) => x.shape[d]), strides: order.map((d) => x.strides[d]), offset: x.offset };
    tmp = ctx.storage('float32', numel(x.shape), false);
    const dst: View = { storage: tmp, shape: permuted.shape, strides: contiguousStrides(permuted.shape), offset: 0 };
    copySameDtype(ctx, permuted, dst, x.storage as WasmStorage, tmp);
    const R = numel(dims.map((d) => x.shape[d]));
    form = { O: outCount, so: R, I: 1, si: 0, R, sr: 1 };
    src = dst;
  }
  const { O, R, I, so, sr, si } = form;
  const code = REDUCE_CODES[op];
  const px = ctx.address(src);
  const po = out.ptr;
  const perOutput = R * (op === 'argmax' || op === 'argmin' || op === 'prod' || (sr !== 1 && si !== 1) ? 1.5 : 0.3);
  ctx.parallel('reduceF32', O * I, perOutput, I > 1 ? 16 : 1, (s, e) => [code, px, po, O, R, I, so, sr, si, s, e]);
  if (tmp) ctx.free(tmp);
  return out;
}


/** Softmax or log-softmax of float32 x along `dim` into a new storage. */
export function softmaxF32(ctx: WasmContext, x: View, dim: number, log: boolean): WasmStorage {
  const n = numel(x.shape);
  const out = ctx.storage('float32', n, false);
  if (n === 0) return out;
  const c = isContiguous(x.shape, x.strides) ? null : ctx.contiguous(x);
  const L = x.shape[dim];
  const I = numel(x.shape.slice(dim + 1));
  const O = numel(x.shape.slice(0, dim));
  const px = c ? c.ptr : ctx.address(x);
  const po = out.ptr;
  const lg = log ? 1 : 0;
  // Split the outer rows when there are enough of them, else the columns (softmax over dim 0).
  if (O >= 8 || I === 1) ctx.parallel('softmaxF32', O, L * I * 3, 1, (s, e) => [px, po, O, L, I, lg, s, e, 0, I]);
  else ctx.parallel('softmaxF32', I, O * L * 3, 16, (s, e) => [px, po, O, L, I, lg, 0, O, s, e]);
  if (c) ctx.free(c);
  return out;
}
