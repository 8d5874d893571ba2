/**
 * Host side of the float32 GEMM: batched [...B, M, K] @ [...B, K, N] with any strides (transposed
 * operands are only a different packing), split across threads by batches, rows or columns.
 * @module
 */
import type { View } from '../../core/backend.js';
import { contiguousStrides, numel } from '../../core/shape.js';
import type { WasmContext } from './context.js';
import { coalesce, writeDescriptor } from './layout.js';
import type { WasmStorage } from './storage.js';

/** Single-thread GEMM speed assumed when deciding to split (FLOP per ns). */
const FLOP_PER_NS = 40;

/**
 * Batched float32 a @ b into a new contiguous storage [...B, M, N]; with `init` (a view of that
 * shape), init is copied in first and the GEMM accumulates onto it.
 */
export function matmulF32(ctx: WasmContext, a: View, b: View, init?: View): WasmStorage {
  const r = a.shape.length;
  const M = a.shape[r - 2];
  const K = a.shape[r - 1];
  const N = b.shape[r - 1];
  const batchShape = a.shape.slice(0, r - 2);
  const B = numel(batchShape);
  const out = ctx.storage('float32', B * M * N, false);
  if (B * M * N === 0) return out;
  const accumulate = init === undefined ? 0 : 1;
  if (init !== undefined) ctx.backend.copy(init, { storage: out, shape: [...batchShape, M, N], strides: contiguousStrides([...batchShape, M, N]), offset: 0 });
  const layout = coalesce(batchShape, [a.strides.slice(0, r - 2), b.strides.slice(0, r - 2)]);
  writeDescriptor(ctx.views.i32, ctx.desc >>> 2, layout);
  const rsA = a.strides[r - 2];
  const csA = a.strides[r - 1];
  const rsB = b.strides[r - 2];
  const csB = b.strides[r - 1];
  const pa = ctx.address(a);
  const pb = ctx.address(b);
  const pc = out.ptr;
  const d = ctx.desc;
  const call = (t: number, b0: number, b1: number, i0: number, i1: number, j0: number, j1: number): number[] =>
    [d, pa, pb, pc, M, N, K, rsA, csA, rsB, csB, ctx.scratch(t), b0, b1, i0, i1, j0, j1, accumulate];
  let threads = ctx.threadsFor((2 * B * M * N * K) / FLOP_PER_NS);
  if (threads === 1) {
    ctx.kernels.gemmF32(...(call(0, 0, B, 0, M, 0, N) as Parameters<typeof ctx.kernels.gemmF32>));
    return out;
  }
  const parts: number[][] = [];
  if (B >= threads) {
    for (let t = 0; t < threads; t++) {
      const b0 = Math.floor((B * t) / threads);
      const b1 = Math.floor((B * (t + 1)) / threads);
      if (b1 > b0) parts.push(call(t, b0, b1, 0, M, 0, N));
    }
  } else if (M >= N) {
    // Rows in multiples of 12, whole micro-tiles of both builds (4 rows SIMD, 6 rows relaxed).
    threads = Math.min(threads, Math.ceil(M / 12));
    const step = Math.ceil(M / threads / 12) * 12;
    for (let t = 0, i0 = 0; i0 < M; t++, i0 += step) parts.push(call(t, 0, B, i0, Math.min(M, i0 + step), 0, N));
  } else {
    threads = Math.min(threads, Math.ceil(N / 8));
    const step = Math.ceil(N / threads / 8) * 8;
    for (let t = 0, j0 = 0; j0 < N; t++, j0 += step) parts.push(call(t, 0, B, 0, M, j0, Math.min(N, j0 + step)));
  }
  ctx.runParts('gemmF32', parts);
  return out;
}
