/**
 * Host side of the float32 batch normalisation kernels of the wasm backend
 * (assembly/kernels/norm.ts): the training forward and its backward, each one kernel call split
 * over channels across threads when the tensor is big enough.
 * @module
 */
import type { View } from '../../core/backend.js';
import { numel } from '../../core/shape.js';
import type { WasmContext } from './context.js';
import { isContiguous } from './layout.js';
import type { WasmStorage } from './storage.js';

/** Estimated ns per element of the forward (three passes) and the backward (two). */
const FORWARD_NS = 0.6;
const BACKWARD_NS = 0.6;

/** The view's address when contiguous, else a contiguous copy (returned so the caller frees it). */
function dense(ctx: WasmContext, v: View): { ptr: number; tmp: WasmStorage | null } {
  if (isContiguous(v.shape, v.strides)) return { ptr: ctx.address(v), tmp: null };
  const tmp = ctx.contiguous(v);
  return { ptr: tmp.ptr, tmp };
}

function freeAll(ctx: WasmContext, parts: readonly ({ tmp: WasmStorage | null } | null)[]): void {
  for (const p of parts) if (p?.tmp) ctx.free(p.tmp);
}

/** [N, C, S] of an [N, C, ...] shape. */
function layout(shape: readonly number[]): [number, number, number] {
  return [shape[0], shape[1], numel(shape.slice(2))];
}

/**
 * Training forward of float32 x [N, C, ...] with optional float32 weight and bias [C]:
 * [output, mean, invstd, biased variance].
 */
export function batchNormF32(ctx: WasmContext, x: View, weight: View | null, bias: View | null, eps: number): [WasmStorage, WasmStorage, WasmStorage, WasmStorage] {
  const [N, C, S] = layout(x.shape);
  const out = ctx.storage('float32', numel(x.shape), false);
  const mean = ctx.storage('float32', C, false);
  const invstd = ctx.storage('float32', C, false);
  const variance = ctx.storage('float32', C, false);
  if (C === 0) return [out, mean, invstd, variance];
  const src = dense(ctx, x);
  const w = weight ? dense(ctx, weight) : null;
  const b = bias ? dense(ctx, bias) : null;
  // [N, C] is vectorised across channels: keep each thread's share a multiple of 4 of them.
  ctx.parallel('batchNormF32', C, N * S * FORWARD_NS + 50, S === 1 ? 4 : 1, (c0, c1) => [
    src.ptr, out.ptr, w ? w.ptr : 0, b ? b.ptr : 0, mean.ptr, invstd.ptr, variance.ptr, N, C, S, eps, c0, c1,
  ]);
  freeAll(ctx, [src, w, b]);
  return [out, mean, invstd, variance];
}

/**
 * Backward of {@link batchNormF32} from the saved float32 mean and invstd:
 * [dx (null unless `inputGrad`), dweight, dbias].
 */
export function batchNormBackwardF32(
  ctx: WasmContext, grad: View, x: View, mean: View, invstd: View, weight: View | null, inputGrad: boolean,
): [WasmStorage | null, WasmStorage, WasmStorage] {
  const [N, C, S] = layout(x.shape);
  const dx = inputGrad ? ctx.storage('float32', numel(x.shape), false) : null;
  const dw = ctx.storage('float32', C, false);
  const db = ctx.storage('float32', C, false);
  if (C === 0) return [dx, dw, db];
  const px = dense(ctx, x);
  const pg = dense(ctx, grad);
  const pm = dense(ctx, mean);
  const pi = dense(ctx, invstd);
  const pw = weight ? dense(ctx, weight) : null;
  const ns = N * S * (inputGrad ? BACKWARD_NS : BACKWARD_NS / 2) + 50;
  ctx.parallel('batchNormBackwardF32', C, ns, S === 1 ? 4 : 1, (c0, c1) => [
    px.ptr, pg.ptr, pm.ptr, pi.ptr, pw ? pw.ptr : 0, dx ? dx.ptr : 0, dw.ptr, db.ptr, N, C, S, c0, c1,
  ]);
  freeAll(ctx, [px, pg, pm, pi, pw]);
  return [dx, dw, db];
}
