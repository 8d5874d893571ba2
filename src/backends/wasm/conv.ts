/**
 * Host side of the float32 convolution kernels of the wasm backend: im2col, col2im and max pooling
 * with indices (assembly/kernels/conv.ts). Each writes the geometry into the descriptor area and
 * splits rows (im2col) or planes (col2im, pooling) across threads when the work is big enough.
 * @module
 */
import type { View } from '../../core/backend.js';
import type { Conv2dGeometry, Pool2dWindows } from '../../core/conv_shape.js';
import { partBounds, PARTS_PER_THREAD, type WasmContext } from './context.js';
import type { ParallelKernel } from './kernels.js';
import { isContiguous } from './layout.js';
import type { WasmStorage } from './storage.js';

/**
 * Writes the geometry as the kernels read it: [H, W, kH, kW, sH, sW, pT, pL, dH, dW, oH, oW, C, B],
 * where the columns of plane n·C + c, tap t are row (c·kH·kW + t)·B + n (B = 1: [N, C·kH·kW, L];
 * B = N: the batch-folded [C·kH·kW, N·L]).
 */
export function writeGeometry(ctx: WasmContext, g: Conv2dGeometry, C: number, B: number): number {
  const at = ctx.desc >>> 2;
  ctx.views.i32.set([
    g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.outH, g.outW, C, B,
  ], at);
  return ctx.desc;
}

/** The view's address when contiguous, else a contiguous copy (returned so the caller frees it). */
export function dense(ctx: WasmContext, v: View): { ptr: number; tmp: WasmStorage | null } {
  if (isContiguous(v.shape, v.strides)) return { ptr: ctx.address(v), tmp: null };
  const tmp = ctx.contiguous(v);
  return { ptr: tmp.ptr, tmp };
}

/**
 * im2col of float32 x [N, C, H, W] into a new [N, C·kH·kW, outH·outW] storage, or with `folded`
 * into [C·kH·kW, N·outH·outW].
 */
export function im2colF32(ctx: WasmContext, x: View, g: Conv2dGeometry, folded = false): WasmStorage {
  const [N, C] = x.shape;
  const rows = N * C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const out = ctx.storage('float32', rows * L, false);
  if (rows * L === 0) return out;
  const src = dense(ctx, x);
  const geo = folded ? writeGeometry(ctx, g, C, N) : writeGeometry(ctx, g, N * C, 1);
  // About 0.3 ns per element moved, plus a per-row cost.
  ctx.parallel('im2colF32', rows, 0.3 * L + 20, 1, (r0, r1) => [src.ptr, out.ptr, geo, r0, r1]);
  if (src.tmp) ctx.free(src.tmp);
  return out;
}

/**
 * col2im of float32 cols [N, C·kH·kW, outH·outW] into a new [N, C, H, W] storage; with `batch` N
 * given, cols is the batch-folded [C·kH·kW, N·outH·outW].
 */
export function col2imF32(ctx: WasmContext, cols: View, g: Conv2dGeometry, batch?: number): WasmStorage {
  const K = g.kernelH * g.kernelW;
  const N = batch ?? cols.shape[0];
  const C = (batch === undefined ? cols.shape[1] : cols.shape[0]) / K;
  const planes = N * C;
  const plane = g.height * g.width;
  const out = ctx.storage('float32', planes * plane, false);
  if (planes * plane === 0) return out;
  const src = dense(ctx, cols);
  const geo = batch === undefined ? writeGeometry(ctx, g, planes, 1) : writeGeometry(ctx, g, C, N);
  const perPlane = 0.3 * plane + 0.4 * g.kernelH * g.kernelW * g.outH * g.outW;
  ctx.parallel('col2imF32', planes, perPlane, 1, (p0, p1) => [src.ptr, out.ptr, geo, p0, p1]);
  if (src.tmp) ctx.free(src.tmp);
  return out;
}

/**
 * Runs `kernel` over `n` items (images or chunks of them) on `threads` threads, in
 * {@link PARTS_PER_THREAD} parts per thread when there are several (see {@link partBounds}), each
 * part with scratch of its own (any thread may run any part) from one temporary block, freed when
 * the parts are done: `bytes` per part, or `bytes(items)` for the largest part's item count.
 */
function runWithScratch(
  ctx: WasmContext, kernel: ParallelKernel, n: number, threads: number, bytes: number | ((items: number) => number),
  args: (i0: number, i1: number, scratch: number) => number[],
): void {
  const bounds = partBounds(n, threads === 1 ? 1 : threads * PARTS_PER_THREAD);
  let largest = 0;
  for (let q = 1; q < bounds.length; q++) largest = Math.max(largest, bounds[q] - bounds[q - 1]);
  const aligned = Math.ceil((typeof bytes === 'number' ? bytes : bytes(largest)) / 16) * 16;
  const count = bounds.length - 1;
  const block = ctx.storage('float32', (count * aligned) / 4, false);
  const parts: number[][] = [];
  for (let q = 0; q < count; q++) parts.push(args(bounds[q], bounds[q + 1], block.ptr + q * aligned));
  ctx.runParts(kernel, parts);
  ctx.free(block);
}

/** Divisors as float32 in a temporary block (the caller frees it). */
function divisorBlock(ctx: WasmContext, divisors: Float64Array): WasmStorage {
  const block = ctx.storage('float32', divisors.length, false);
  ctx.views.f32.set(divisors, block.ptr >>> 2);
  return block;
}

/**
 * True for the 2×2 window at stride 2 without padding, which the kernels run on vectors (see
 * isHalving in assembly/kernels/avgpool.ts): measured 0.5 ns per output forward and 0.16 ns per
 * input pixel backward on one thread, against ~4 ns per output for the general path.
 */
function isHalving(g: Conv2dGeometry): boolean {
  return g.kernelH === 2 && g.kernelW === 2 && g.strideH === 2 && g.strideW === 2 && g.padTop === 0 && g.padLeft === 0;
}

/** Average pooling of float32 x [N, C, H, W] straight over the image (see `Backend.avgPool2d`). */
export function avgPool2dF32(ctx: WasmContext, x: View, g: Conv2dGeometry, divisors: Float64Array): WasmStorage {
  const outPlane = g.outH * g.outW;
  const ns = isHalving(g) ? outPlane * 0.5 : outPlane * (g.kernelH * g.kernelW * 0.5 + 2);
  return avgPoolPlanes(ctx, 'avgPool2dF32', x, g, divisors, outPlane, ns);
}

/** The adjoint of {@link avgPool2dF32}: grad [N, C, outH, outW] → a new [N, C, H, W] storage. */
export function avgPool2dBackwardF32(ctx: WasmContext, grad: View, g: Conv2dGeometry, divisors: Float64Array): WasmStorage {
  const plane = g.height * g.width;
  const ns = isHalving(g) ? plane * 0.16 : 0.3 * plane + g.outH * g.outW * (g.kernelH * g.kernelW * 0.5 + 2);
  return avgPoolPlanes(ctx, 'avgPool2dBackwardF32', grad, g, divisors, plane, ns);
}

/** Runs an average-pooling kernel over the N·C planes of `src` into a new storage of `outPlane` floats per plane. */
function avgPoolPlanes(
  ctx: WasmContext, kernel: 'avgPool2dF32' | 'avgPool2dBackwardF32', src: View, g: Conv2dGeometry, divisors: Float64Array,
  outPlane: number, nsPerPlane: number,
): WasmStorage {
  const [N, C] = src.shape;
  const planes = N * C;
  const out = ctx.storage('float32', planes * outPlane, false);
  if (planes * outPlane === 0) return out;
  const input = dense(ctx, src);
  const div = divisorBlock(ctx, divisors);
  const geo = writeGeometry(ctx, g, planes, 1);
  ctx.parallel(kernel, planes, nsPerPlane, 1, (p0, p1) => [input.ptr, out.ptr, div.ptr, geo, p0, p1]);
  ctx.free(div);
  if (input.tmp) ctx.free(input.tmp);
  return out;
}

/** Each window's first index inside the input: padding positions are stepped over, as PyTorch does. */
function firstInside(start: readonly number[], step: number, into: Int32Array, at: number): void {
  for (let o = 0; o < start.length; o++) {
    let s = start[o];
    while (s < 0) s += step;
    into[at + o] = s;
  }
}

/** Max pooling of float32 x [N, C, H, W] over `windows`: [values float32, indices int32], [N, C, oH, oW]. */
export function maxPool2dF32(ctx: WasmContext, x: View, windows: Pool2dWindows): [WasmStorage, WasmStorage] {
  const [N, C, H, W] = x.shape;
  const { rows, cols } = windows;
  const oH = rows.start.length;
  const oW = cols.start.length;
  const planes = N * C;
  const values = ctx.storage('float32', planes * oH * oW, false);
  const indices = ctx.storage('int32', planes * oH * oW, false);
  if (planes * oH * oW === 0) return [values, indices];
  const src = dense(ctx, x);
  // Window bounds: in the descriptor area when they fit (4 KiB), else in a temporary block.
  const slots = 2 * (oH + oW);
  const table = slots <= 1024 ? null : ctx.storage('int32', slots, false);
  const win = table ? table.ptr : ctx.desc;
  const i32 = ctx.views.i32;
  const at = win >>> 2;
  firstInside(rows.start, rows.step, i32, at);
  i32.set(rows.end, at + oH);
  firstInside(cols.start, cols.step, i32, at + 2 * oH);
  i32.set(cols.end, at + 2 * oH + oW);
  const kH = Math.ceil(Math.max(1, ...rows.end.map((e, o) => e - rows.start[o])) / rows.step);
  const kW = Math.ceil(Math.max(1, ...cols.end.map((e, o) => e - cols.start[o])) / cols.step);
  ctx.parallel('maxPool2dF32', planes, oH * oW * (kH * kW * 0.5 + 1), 1, (p0, p1) => [
    src.ptr, values.ptr, indices.ptr, win, H, W, oH, oW, rows.step, cols.step, p0, p1,
  ]);
  if (table) ctx.free(table);
  if (src.tmp) ctx.free(src.tmp);
  return [values, indices];
}

/** The largest output-channel count the implicit-GEMM kernels take (sgemmDirect's row limit). */
const IMPLICIT_MAX_O = 16;

/** Single-thread speed of the implicit-GEMM kernels assumed when deciding to split (FLOP per ns). */
const IMPLICIT_FLOP_PER_NS = 30;

/**
 * True when the implicit-GEMM forward takes this float32 convolution (groups 1): exactly when the
 * explicit product weight @ columns would take gemmPath's direct path (few rows, N·L ≥ 64,
 * 0 < K ≤ 8192), so both round alike.
 */
export function hasImplicitConv(x: View, weight: View, g: Conv2dGeometry): boolean {
  const [N, C] = x.shape;
  const K = C * g.kernelH * g.kernelW;
  return x.storage.dtype === 'float32' && weight.storage.dtype === 'float32' && weight.shape[1] === C &&
    weight.shape[0] <= IMPLICIT_MAX_O && N * g.outH * g.outW >= 64 && K > 0 && K <= 8192;
}

/**
 * weight [O, C, kH, kW] ⋆ x [N, C, H, W] (+ bias [O]) as one GEMM over batch-folded columns, the
 * columns built slab by slab from x: a new [N, O, outH, outW] storage (each slab's result scattered
 * to it with the bias added, from cache) and, with `keepColumns`, the columns [C·kH·kW, N·outH·outW]
 * as im2colBatched would write them (see `Backend.conv2dFolded`). Writing the batch-major output
 * with the bias here saved LeNet-5's C3 the separate permute-and-add pass over it.
 */
export function convFoldedF32(ctx: WasmContext, x: View, weight: View, g: Conv2dGeometry, bias: View | null, keepColumns: boolean): { output: WasmStorage; columns: WasmStorage | null } {
  const [N, C] = x.shape;
  const O = weight.shape[0];
  const K = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const NL = N * L;
  const output = ctx.storage('float32', O * NL, false);
  const columns = keepColumns ? ctx.storage('float32', K * NL, false) : null;
  if (O * NL === 0) return { output, columns };
  const b = bias === null ? null : dense(ctx, bias);
  const src = dense(ctx, x);
  const w = dense(ctx, weight);
  const geo = writeGeometry(ctx, g, C, N);
  // Columns in multiples of 8 per thread: the scalar tail then stays at the end, as on one thread.
  const threads = Math.min(ctx.threadsFor((2 * O * K * NL) / IMPLICIT_FLOP_PER_NS), Math.ceil(NL / 8));
  const step = Math.ceil(NL / threads / 8) * 8;
  const parts: number[][] = [];
  for (let t = 0, j = 0; j < NL; t++, j += step) {
    parts.push([O, j, Math.min(NL, j + step), K, w.ptr, K, 1, src.ptr, geo, columns?.ptr ?? 0, output.ptr, NL, ctx.scratch(t), L, b?.ptr ?? 0]);
  }
  ctx.runParts('convDirectF32', parts);
  freeDense(ctx, src, w, b);
  return { output, columns };
}

/** The largest O + C·kH·kW that {@link foldedWeightGradF32} takes: gemmPath's dot-product path (see hasFoldedWeightGrad). */
const FOLDED_WGRAD_MAX_OK = 256;

/** The smallest N·outH·outW that {@link foldedWeightGradF32} takes (one of sgemmDot's K blocks). */
const FOLDED_WGRAD_MIN_NL = 512;

/**
 * True when {@link foldedWeightGradF32} takes the float32 convolution of x with O output channels
 * (groups 1): exactly when the explicit product grad [O, N·L] @ columnsᵀ would take gemmPath's
 * dot-product path, whose bits it reproduces (O + C·kH·kW ≤ 256 and N·L ≥ 512).
 */
export function hasFoldedWeightGrad(O: number, x: View, g: Conv2dGeometry): boolean {
  const [N, C] = x.shape;
  return x.storage.dtype === 'float32' && O + C * g.kernelH * g.kernelW <= FOLDED_WGRAD_MAX_OK &&
    N * g.outH * g.outW >= FOLDED_WGRAD_MIN_NL;
}

/**
 * The weight gradient of {@link convFoldedF32}, grad [O, N·outH·outW] @ columnsᵀ → a new [O, C·kH·kW]
 * storage, the columns rebuilt block by block in cache (see `Backend.conv2dFoldedWeightGrad`):
 * bit-identical to im2col + matmul. Split across threads by column of the result, each thread
 * building only its rows of the column matrix.
 */
export function foldedWeightGradF32(ctx: WasmContext, grad: View, x: View, g: Conv2dGeometry): WasmStorage {
  const [N, C] = x.shape;
  const O = grad.shape[0];
  const K = C * g.kernelH * g.kernelW;
  const NL = N * g.outH * g.outW;
  const out = ctx.storage('float32', O * K, true);
  if (O * K === 0 || NL === 0) return out;
  const dy = dense(ctx, grad);
  const src = dense(ctx, x);
  // After the copies above, which may use the descriptor area themselves.
  const geo = writeGeometry(ctx, g, C, N);
  // Columns of the result in pairs (the dot kernels' tile width), several parts per thread.
  const pairs = Math.ceil(K / 2);
  const threads = ctx.threadsFor((2 * O * K * NL) / IMPLICIT_FLOP_PER_NS);
  runWithScratch(ctx, 'convWeightGradDirectF32', pairs, threads, (largest) => ctx.kernels.convWeightGradScratchBytes(2 * largest),
    (p0, p1, scratch) => [O, 2 * p0, Math.min(K, 2 * p1), NL, dy.ptr, src.ptr, geo, out.ptr, K, scratch]);
  freeDense(ctx, dy, src);
  return out;
}

/** Input channels (of the forward) the direct input-gradient kernel takes: its tile's six rows. */
const INPUT_GRAD_MAX_C = 6;

/** True when {@link convInputGradF32} takes this float32 convolution: at most six input channels, stride 1, dilation 1. */
export function hasDirectInputGrad(grad: View, weight: View, g: Conv2dGeometry): boolean {
  return grad.storage.dtype === 'float32' && weight.storage.dtype === 'float32' && weight.shape[1] <= INPUT_GRAD_MAX_C &&
    g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
}

/**
 * The input gradient of weight [O, C, kH, kW] ⋆ x (geometry g, `batch` images) from the folded output
 * gradient grad [O, batch·outH·outW], as the full convolution of grad with the flipped weights
 * (assembly/kernels/conv_input_grad.ts): a new [batch, C, H, W] storage, or null when one image's
 * padded gradient planes do not fit a thread's scratch.
 */
export function convInputGradF32(ctx: WasmContext, grad: View, weight: View, g: Conv2dGeometry, batch: number): WasmStorage | null {
  const [O, C] = weight.shape;
  const L = g.outH * g.outW;
  const plane = g.height * g.width;
  const dy = dense(ctx, grad);
  const w = dense(ctx, weight);
  // After the copies above, which may use the descriptor area themselves.
  const geo = writeGeometry(ctx, g, C, batch);
  const bytes = ctx.kernels.convInputGradScratchBytes(geo, O);
  if (bytes > ctx.kernels.gemmScratchBytes()) {
    freeDense(ctx, dy, w);
    return null;
  }
  const out = ctx.storage('float32', batch * C * plane, false);
  if (batch * C * plane === 0) {
    freeDense(ctx, dy, w);
    return out;
  }
  const taps = O * g.kernelH * g.kernelW;
  const threads = ctx.threadsFor((2 * taps * C * batch * plane) / DIRECT_FLOP_PER_NS);
  runWithScratch(ctx, 'convInputGradF32', batch, threads, bytes, (n0, n1, scratch) => [dy.ptr, L, batch * L, w.ptr, out.ptr, O, C, geo, scratch, n0, n1]);
  freeDense(ctx, dy, w);
  return out;
}

/** Output channels the direct single-channel kernels take (their accumulators fill the registers). */
export const DIRECT_MAX_O = 6;

/** Images per chunk of the direct weight gradient: fixed, so the chunks' sums do not depend on threads. */
const DIRECT_CHUNK = 1;

/** Single-thread speed of the direct kernels assumed when deciding to split (FLOP per ns). */
const DIRECT_FLOP_PER_NS = 20;

/**
 * True when the direct single-channel kernels take this float32 convolution: one input channel,
 * at most six output channels, stride 1, dilation 1 (a first layer on grayscale images).
 */
export function hasDirectConv(x: View, weight: View, g: Conv2dGeometry): boolean {
  return x.storage.dtype === 'float32' && weight.storage.dtype === 'float32' && x.shape[1] === 1 && weight.shape[1] === 1 &&
    weight.shape[0] <= DIRECT_MAX_O && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
}

/**
 * The direct kernels' scratch bytes per part for `chunk` padded images, or null when that exceeds a
 * thread's GEMM scratch (images that large take im2col + GEMM).
 */
function directScratch(ctx: WasmContext, geo: number, chunk: number): number | null {
  const bytes = ctx.kernels.conv1chScratchBytes(geo, chunk);
  return bytes <= ctx.kernels.gemmScratchBytes() ? bytes : null;
}

/** Frees the contiguous copies {@link dense} made. */
export function freeDense(ctx: WasmContext, ...copies: ({ tmp: WasmStorage | null } | null)[]): void {
  for (const d of copies) if (d?.tmp) ctx.free(d.tmp);
}

/**
 * weight [O, 1, kH, kW] ⋆ x [N, 1, H, W] (+ bias [O]) straight from zero-padded copies of the images:
 * a new [N, O, outH, outW] storage, bit-identical to im2col + GEMM (+ a broadcast add) (see
 * `Backend.conv2dSingleChannel`); null when a padded image does not fit the scratch.
 */
export function singleChannelConvF32(ctx: WasmContext, x: View, weight: View, g: Conv2dGeometry, bias: View | null): WasmStorage | null {
  const N = x.shape[0];
  const O = weight.shape[0];
  const src = dense(ctx, x);
  const w = dense(ctx, weight);
  const b = bias === null ? null : dense(ctx, bias);
  // After the copies above, which may use the descriptor area themselves.
  const geo = writeGeometry(ctx, g, 1, N);
  const bytes = directScratch(ctx, geo, 1);
  if (bytes === null) {
    freeDense(ctx, src, w, b);
    return null;
  }
  const L = g.outH * g.outW;
  const out = ctx.storage('float32', N * O * L, false);
  if (N * O * L > 0) {
    const threads = ctx.threadsFor((2 * O * g.kernelH * g.kernelW * N * L) / DIRECT_FLOP_PER_NS);
    runWithScratch(ctx, 'conv1chF32', N, threads, bytes, (n0, n1, scratch) => [src.ptr, w.ptr, b?.ptr ?? 0, out.ptr, O, geo, scratch, n0, n1]);
  }
  freeDense(ctx, src, w, b);
  return out;
}

/**
 * The weight gradient of {@link singleChannelConvF32}: Σ over images and positions of grad [N, O, outH,
 * outW] × the shifted padded image, per chunk of images in double, the chunks added in order: a new
 * [O, 1, kH, kW] storage, and with `withBias` the bias gradient [O] (Σ of grad per channel, read in
 * the same pass) (see `Backend.conv2dSingleChannelWeightGrad`); null when the chunk's padded images
 * do not fit the scratch.
 */
export function singleChannelWeightGradF32(ctx: WasmContext, grad: View, x: View, g: Conv2dGeometry, withBias: boolean): { weight: WasmStorage; bias: WasmStorage | null } | null {
  const N = x.shape[0];
  const O = grad.shape[1];
  const K = g.kernelH * g.kernelW;
  const src = dense(ctx, x);
  const dy = dense(ctx, grad);
  // After the copies above, which may use the descriptor area themselves.
  const geo = writeGeometry(ctx, g, 1, N);
  const bytes = directScratch(ctx, geo, DIRECT_CHUNK);
  if (bytes === null) {
    freeDense(ctx, src, dy);
    return null;
  }
  const weight = ctx.storage('float32', O * K, true);
  const bias = withBias ? ctx.storage('float32', O, true) : null;
  const chunks = Math.ceil(N / DIRECT_CHUNK);
  if (O * K === 0 || chunks === 0) {
    freeDense(ctx, src, dy);
    return { weight, bias };
  }
  // Per chunk and channel: K weight sums, then the bias sum when asked for.
  const row = K + (withBias ? 1 : 0);
  const partial = ctx.storage('float64', chunks * O * row, false);
  const L = g.outH * g.outW;
  const threads = ctx.threadsFor((2 * O * K * N * L) / DIRECT_FLOP_PER_NS);
  runWithScratch(ctx, 'conv1chWeightGradF32', chunks, threads, bytes,
    (c0, c1, scratch) => [dy.ptr, src.ptr, partial.ptr, N, O, geo, DIRECT_CHUNK, scratch, c0, c1, withBias ? 1 : 0]);
  // In the kernels: the same sums in JavaScript took ~55 µs per LeNet-5 step, this ~7.
  ctx.kernels.conv1chWeightGradSumF32(partial.ptr, chunks, O, K, withBias ? 1 : 0, weight.ptr, bias?.ptr ?? 0);
  ctx.free(partial);
  freeDense(ctx, src, dy);
  return { weight, bias };
}
