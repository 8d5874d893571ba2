/**
 * Host side of the one-image-at-a-time convolution kernels (assembly/kernels/conv_images.ts): the
 * forward pass and both gradients of a large-image convolution, each image's columns packed for the
 * GEMM straight from the image (or built in a cache-sized scratch block), the batch split across
 * threads by image.
 * @module
 */
import type { View } from '../../core/backend.js';
import type { Conv2dGeometry } from '../../core/conv_shape.js';
import { fmtShape } from '../../core/shape.js';
import type { WasmContext } from './context.js';
import { dense, freeDense, writeGeometry } from './conv.js';
import type { WasmStorage } from './storage.js';

/**
 * The most floats of one image's columns (C·kH·kW × outH·outW) stored in a part's scratch where the
 * GEMM does not take the packed path (which packs them from the image instead): 4 MiB, so that the
 * two threads' blocks and their GEMM packing space stay in a 32 MiB L3.
 */
const IMAGE_COLUMNS_MAX = 1 << 20;

/** gemmPath's packed path (PATH_PACKED in assembly/kernels/gemm.ts). */
const PATH_PACKED = 0;

/** Single-thread speed assumed when deciding to split (FLOP per ns). */
const FLOP_PER_NS = 30;

/** Weight-gradient partial sums per batch: fixed, so the sums do not depend on the thread count. */
const WEIGHT_GRAD_GROUPS = 8;

/**
 * Floats of a part's column area for a product weight [M × K] · columns [K × L] (`transposed`: the
 * weight gradient's dy [M × L] · columnsᵀ [L × K]): the packers' tap table where the GEMM takes the
 * packed path, else one image's columns; null where those exceed {@link IMAGE_COLUMNS_MAX}.
 */
function columnArea(ctx: WasmContext, M: number, K: number, L: number, transposed: boolean): number | null {
  if (M === 0 || K === 0 || L === 0) return null;
  if (isPacked(ctx, M, K, L, transposed)) return 3 * K;
  return K * L <= IMAGE_COLUMNS_MAX ? Math.max(K * L, 3 * K) : null;
}

/** True when the product of {@link columnArea} takes gemmPath's packed path (columns packed from the image). */
function isPacked(ctx: WasmContext, M: number, K: number, L: number, transposed = false): boolean {
  return (transposed ? ctx.kernels.gemmPath(M, K, L, 1, 1, L) : ctx.kernels.gemmPath(M, L, K, 1, L, 1)) === PATH_PACKED;
}

/**
 * True when the one-image kernels take this float32 convolution (groups 1) forward: a batch of at
 * least two images, packed from the image or with columns that fit {@link IMAGE_COLUMNS_MAX}, or a
 * single image packed from the image (split across threads by column).
 */
export function hasImageConv(ctx: WasmContext, x: View, weight: View, g: Conv2dGeometry): boolean {
  const [N, C] = x.shape;
  const K = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  return x.storage.dtype === 'float32' && weight.storage.dtype === 'float32' && weight.shape[1] === C && N >= 1 &&
    (N >= 2 ? columnArea(ctx, weight.shape[0], K, L, false) !== null : isPacked(ctx, weight.shape[0], K, L));
}

/** A part's scratch: the column area (16-byte aligned), then the GEMM's packing space. */
interface PartLayout {
  /** Bytes per part. */
  bytes: number;
  /** Offset of the GEMM's packing space in a part. */
  work: number;
}

function partLayout(ctx: WasmContext, columnFloats: number): PartLayout {
  const work = Math.ceil((columnFloats * 4) / 16) * 16;
  return { bytes: work + ctx.kernels.gemmScratchBytes(), work };
}

/** What a split call covers: items (images or weight-gradient groups) [i0, i1), columns [c0, c1) of each. */
interface Part {
  i0: number;
  i1: number;
  c0: number;
  c1: number;
}

/**
 * Runs `kernel` in one part per thread, each part with a scratch block of its own (`layout`), all
 * from one temporary block freed afterwards. The parts take whole items (`n` of them, each of
 * `columns` columns); with a single item and `columnSplit` they take columns instead, in multiples
 * of 8 (whole micro-panels; the column range changes no sums). One part per thread, not several:
 * each part's block is touched afresh, and eight blocks of 4.7 MB (the 3×3 conv 64→64 on 32×32
 * images) would not stay in the L3 together.
 */
function runPerThread(
  ctx: WasmContext, kernel: 'convImagesF32' | 'convImagesInputGradF32' | 'convImagesWeightGradF32', n: number, columns: number,
  columnSplit: boolean, flop: number, layout: PartLayout, args: (part: Part, cols: number, work: number) => number[],
): void {
  let threads = ctx.threadsFor(flop / FLOP_PER_NS);
  const byColumn = n === 1 && columnSplit && threads > 1;
  threads = byColumn ? Math.min(threads, Math.ceil(columns / 8)) : Math.min(threads, n);
  const step = Math.ceil(columns / threads / 8) * 8;
  const block = ctx.storage('float32', (threads * layout.bytes) / 4, false);
  const parts: number[][] = [];
  for (let t = 0; t < threads; t++) {
    const part = byColumn
      ? { i0: 0, i1: 1, c0: Math.min(columns, t * step), c1: Math.min(columns, (t + 1) * step) }
      : { i0: Math.floor((n * t) / threads), i1: Math.floor((n * (t + 1)) / threads), c0: 0, c1: columns };
    const cols = block.ptr + t * layout.bytes;
    parts.push(args(part, cols, cols + layout.work));
  }
  if (threads === 1) (ctx.kernels[kernel] as (...a: number[]) => void)(...parts[0]);
  else ctx.runParts(kernel, parts);
  ctx.free(block);
}

/**
 * weight [O, C, kH, kW] ⋆ x [N, C, H, W] (+ bias [O]) → a new [N, O, outH, outW] storage (see
 * `Backend.conv2dImages`), for operands {@link hasImageConv} takes.
 */
export function convImagesF32(ctx: WasmContext, x: View, weight: View, g: Conv2dGeometry, bias: View | null): WasmStorage {
  const [N, C] = x.shape;
  const O = weight.shape[0];
  const K = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const area = columnArea(ctx, O, K, L, false);
  if (area === null) throw new Error(`conv2d: the one-image kernels (wasm) do not take weight ${fmtShape(weight.shape)} on images of ${L} positions`);
  const out = ctx.storage('float32', N * O * L, false);
  const src = dense(ctx, x);
  const w = dense(ctx, weight);
  const b = bias === null ? null : dense(ctx, bias);
  // After the copies above, which may use the descriptor area themselves.
  const geo = writeGeometry(ctx, g, C, 1);
  runPerThread(ctx, 'convImagesF32', N, L, isPacked(ctx, O, K, L), 2 * N * O * K * L, partLayout(ctx, area),
    (p, cols, work) => [src.ptr, w.ptr, b?.ptr ?? 0, out.ptr, O, geo, cols, work, p.i0, p.i1, p.c0, p.c1]);
  freeDense(ctx, src, w, b);
  return out;
}

/**
 * The input gradient of {@link convImagesF32} from grad [N, O, outH, outW]: a new [N, C, H, W] storage,
 * or null where one image's columns would have to be stored and exceed {@link IMAGE_COLUMNS_MAX}.
 * At stride 1 it is the convolution of grad with the flipped, transposed weights (see
 * {@link flippedGeometry}), run by the forward kernel, which packs its columns straight from the
 * image: ~10% less time than col2im(weightᵀ @ grad), which moves a 2.4 MB column gradient per image
 * of the bench's conv through the cache twice. It rounds differently from col2im's order, within
 * float32 rounding of the same sums.
 */
export function convImagesInputGradF32(ctx: WasmContext, grad: View, weight: View, g: Conv2dGeometry): WasmStorage | null {
  const [N, O] = grad.shape;
  const C = weight.shape[1];
  const taps = g.kernelH * g.kernelW;
  const K = C * taps;
  const L = g.outH * g.outW;
  const HW = g.height * g.width;
  const flipped = flippedGeometry(g);
  // The flipped convolution is weight' [C × O·taps] · columns(grad) [O·taps × H·W].
  const area = flipped !== null ? columnArea(ctx, C, O * taps, HW, false) : (K * L <= IMAGE_COLUMNS_MAX ? Math.max(K * L, 1) : null);
  if (area === null || N * C * HW === 0) return null;
  const out = ctx.storage('float32', N * C * HW, false);
  const dy = dense(ctx, grad);
  const w = dense(ctx, weight);
  const flop = 2 * N * O * K * L;
  if (flipped !== null) {
    const wf = flippedWeight(ctx, w.ptr, O, C, taps);
    const geo = writeGeometry(ctx, flipped, O, 1);
    runPerThread(ctx, 'convImagesF32', N, HW, isPacked(ctx, C, O * taps, HW), flop, partLayout(ctx, area),
      (p, cols, work) => [dy.ptr, wf.ptr, 0, out.ptr, C, geo, cols, work, p.i0, p.i1, p.c0, p.c1]);
    ctx.free(wf);
  } else {
    const geo = writeGeometry(ctx, g, C, 1);
    runPerThread(ctx, 'convImagesInputGradF32', N, L, false, flop, partLayout(ctx, area),
      (p, cols, work) => [dy.ptr, w.ptr, out.ptr, O, geo, cols, work, p.i0, p.i1]);
  }
  freeDense(ctx, dy, w);
  return out;
}

/**
 * The geometry of the input gradient of a stride-1 convolution as a convolution of the output
 * gradient (an image of outH × outW) with the flipped kernel: padding (k − 1)·d − p, output the
 * input's size. Null for other strides, or where that padding would be negative (padding wider
 * than the kernel's reach).
 */
function flippedGeometry(g: Conv2dGeometry): Conv2dGeometry | null {
  const padTop = (g.kernelH - 1) * g.dilationH - g.padTop;
  const padLeft = (g.kernelW - 1) * g.dilationW - g.padLeft;
  if (g.strideH !== 1 || g.strideW !== 1 || padTop < 0 || padLeft < 0) return null;
  return {
    height: g.outH, width: g.outW, kernelH: g.kernelH, kernelW: g.kernelW, strideH: 1, strideW: 1,
    padTop, padLeft, dilationH: g.dilationH, dilationW: g.dilationW, outH: g.height, outW: g.width,
  };
}

/** weight [O, C, taps] → a new [C, O, taps] block with the taps reversed (the caller frees it). */
function flippedWeight(ctx: WasmContext, w: number, O: number, C: number, taps: number): WasmStorage {
  const out = ctx.storage('float32', O * C * taps, false);
  const f32 = ctx.views.f32;
  const src = w >>> 2;
  const dst = out.ptr >>> 2;
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      const from = src + (o * C + c) * taps;
      const to = dst + (c * O + o) * taps + taps - 1;
      for (let t = 0; t < taps; t++) f32[to - t] = f32[from + t];
    }
  }
  return out;
}

/**
 * The weight gradient of {@link convImagesF32} from grad [N, O, outH, outW]: a new [O, C·kH·kW]
 * storage, Σₙ grad[n] @ im2col(x[n])ᵀ, summed in {@link WEIGHT_GRAD_GROUPS} fixed groups of images
 * (the groups split across threads), then over the groups in order; null where one image's columns
 * would have to be stored and exceed {@link IMAGE_COLUMNS_MAX}.
 */
export function convImagesWeightGradF32(ctx: WasmContext, grad: View, x: View, g: Conv2dGeometry): WasmStorage | null {
  const [N, C] = x.shape;
  const O = grad.shape[1];
  const K = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const area = columnArea(ctx, O, K, L, true);
  if (area === null || N === 0) return null;
  const groups = Math.min(N, WEIGHT_GRAD_GROUPS);
  const partials = ctx.storage('float32', groups * O * K, false);
  const dy = dense(ctx, grad);
  const src = dense(ctx, x);
  const geo = writeGeometry(ctx, g, C, 1);
  runPerThread(ctx, 'convImagesWeightGradF32', groups, K, isPacked(ctx, O, K, L, true), 2 * N * O * K * L, partLayout(ctx, area),
    (p, cols, work) => [dy.ptr, src.ptr, partials.ptr, O, geo, cols, work, N, groups, p.i0, p.i1, p.c0, p.c1]);
  freeDense(ctx, dy, src);
  const sum = ctx.backend.reduce('sum', { storage: partials, shape: [groups, O * K], strides: [O * K, 1], offset: 0 }, [0], 'float32') as WasmStorage;
  ctx.free(partials);
  return sum;
}
