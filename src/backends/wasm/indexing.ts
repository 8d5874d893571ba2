/**
 * Host side of gather (any dtype: it moves bits) and float32 scatter-add.
 * @module
 */
import type { View } from '../../core/backend.js';
import { contiguousStrides, numel } from '../../core/shape.js';
import type { WasmContext } from './context.js';
import { copySameDtype } from './elementwise.js';
import { coalesce, isContiguous, writeDescriptor } from './layout.js';
import { ELEMENT_BYTES, type WasmStorage } from './storage.js';


/** out[..i..] = x[..index[..i..]..] along `dim`; index is int32 and already bounds-checked. */
export function gatherAny(ctx: WasmContext, x: View, dim: number, index: View): WasmStorage {
  const n = numel(index.shape);
  const xs = x.storage as WasmStorage;
  const out = ctx.storage(xs.dtype, n, false);
  if (n === 0) return out;
  const idx = isContiguous(index.shape, index.strides) ? null : ctx.contiguous(index);
  const pi = idx ? idx.ptr : ctx.address(index);
  const strides = x.strides.map((s, d) => (d === dim ? 0 : s));
  writeDescriptor(ctx.views.i32, ctx.desc >>> 2, coalesce(index.shape, [strides]));
  const esize = ELEMENT_BYTES[xs.dtype];
  const px = ctx.address(x);
  const po = out.ptr;
  const step = x.strides[dim];
  ctx.parallel('gather', n, 1, 256, (s, e) => [esize, px, pi, po, ctx.desc, step, s, e]);
  if (idx) ctx.free(idx);
  return out;
}

/** A contiguous float32 copy of `self` with `src` added at `index` along `dim`. */
export function scatterAddF32(ctx: WasmContext, self: View, dim: number, index: View, src: View): WasmStorage {
  const total = numel(self.shape);
  const out = ctx.storage('float32', total, false);
  if (total === 0) return out;
  const outStrides = contiguousStrides(self.shape);
  copySameDtype(ctx, self, { storage: out, shape: self.shape, strides: outStrides, offset: 0 }, self.storage as WasmStorage, out);
  const n = numel(index.shape);
  if (n === 0) return out;
  const idx = isContiguous(index.shape, index.strides) ? null : ctx.contiguous(index);
  const pi = idx ? idx.ptr : ctx.address(index);
  const zeroed = outStrides.map((s, d) => (d === dim ? 0 : s));
  writeDescriptor(ctx.views.i32, ctx.desc >>> 2, coalesce(index.shape, [zeroed, src.strides.slice(0, index.shape.length)]));
  ctx.kernels.scatterAddF32(out.ptr, pi, ctx.address(src), ctx.desc, outStrides[dim], n);
  if (idx) ctx.free(idx);
  return out;
}
