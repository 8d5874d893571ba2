/**
 * Host side of the one-image-at-a-time convolution kernels (assembly/kernels/conv_images.ts): the
 * forward pass and both gradients of a large-image convolution, each image's columns built and used
 * in a cache-sized scratch block, with the batch split across threads by image.
 * @module
 */
import type { View } from '../../core/backend.js';
import type { Conv2dGeometry } from '../../core/conv_shape.js';
import type { WasmContext } from './context.js';
import { dense, freeDense, writeGeometry } from './conv.js';
import type { WasmStorage } from './storage.js';

/**
 * The most floats of one image's columns (C·kH·kW × outH·outW) the kernels take: 4 MiB, so that the
 * two threads' blocks and their GEMM packing space stay in a 32 MiB L3. Larger images keep im2col
 * to memory and one product per image.
 */
const IMAGE_COLUMNS_MAX = 1 << 20;

/** Single-thread speed assumed when deciding to split (FLOP per ns). */
const FLOP_PER_NS = 30;

/** Weight-gradient partial sums per batch: fixed, so the sums do not depend on the thread count. */
const WEIGHT_GRAD_GROUPS = 8;

/**
 * True when the one-image kernels take this float32 convolution (groups 1): a batch of at least two
 * images whose columns fit {@link IMAGE_COLUMNS_MAX} each.
 */
export function hasImageConv(x: View, weight: View, g: Conv2dGeometry): boolean {
  const [N, C] = x.shape;
  return x.storage.dtype === 'float32' && weight.storage.dtype === 'float32' && weight.shape[1] === C && N >= 2 && imageColumnsFit(C, g);
}

/** True when one image's columns (C channels) are not empty and fit {@link IMAGE_COLUMNS_MAX}. */
export function imageColumnsFit(C: number, g: Conv2dGeometry): boolean {
  const size = C * g.kernelH * g.kernelW * g.outH * g.outW;
  return size > 0 && size <= IMAGE_COLUMNS_MAX;
}

/** Bytes of one part's scratch: an image's columns (16-byte aligned) and the GEMM's packing space. */
function partBytes(ctx: WasmContext, K: number, L: number): number {
  return Math.ceil((K * L * 4) / 16) * 16 + ctx.kernels.gemmScratchBytes();
}

/**
 * Runs `kernel` over `n` items in one part per thread, each part with a scratch block of its own
 * (`bytes`), all from one temporary block freed afterwards. One part per thread, not several: each
 * part's block is touched afresh, and eight blocks of 4.7 MB (the 3×3 conv 64→64 on 32×32 images)
 * would not stay in the L3 together.
 */
function runPerThread(
  ctx: WasmContext, kernel: 'convImagesF32' | 'convImagesInputGradF32' | 'convImagesWeightGradF32', n: number, flop: number, bytes: number,
  args: (i0: number, i1: number, scratch: number) => number[],
): void {
  const threads = Math.min(n, ctx.threadsFor(flop / FLOP_PER_NS));
  const block = ctx.storage('float32', (threads * bytes) / 4, false);
  const parts: number[][] = [];
  for (let t = 0; t < threads; t++) parts.push(args(Math.floor((n * t) / threads), Math.floor((n * (t + 1)) / threads), block.ptr + t * bytes));
  if (threads === 1) (ctx.kernels[kernel] as (...a: number[]) => void)(...parts[0]);
  else ctx.runParts(kernel, parts);
  ctx.free(block);
}

/** weight [O, C, kH, kW] ⋆ x [N, C, H, W] (+ bias [O]) → a new [N, O, outH, outW] storage (see `Backend.conv2dImages`). */
export function convImagesF32(ctx: WasmContext, x: View, weight: View, g: Conv2dGeometry, bias: View | null): WasmStorage {
  const [N, C] = x.shape;
  const O = weight.shape[0];
  const K = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const out = ctx.storage('float32', N * O * L, false);
  if (O === 0) return out;
  const src = dense(ctx, x);
  const w = dense(ctx, weight);
  const b = bias === null ? null : dense(ctx, bias);
  // After the copies above, which may use the descriptor area themselves.
  const geo = writeGeometry(ctx, g, C, 1);
  runPerThread(ctx, 'convImagesF32', N, 2 * N * O * K * L, partBytes(ctx, K, L), (n0, n1, scratch) => [src.ptr, w.ptr, b?.ptr ?? 0, out.ptr, O, geo, scratch, n0, n1]);
  freeDense(ctx, src, w, b);
  return out;
}

/**
 * The input gradient of {@link convImagesF32} from grad [N, O, outH, outW]: a new [N, C, H, W] storage.
 * At stride 1 it is the convolution of grad with the flipped, transposed weights (see
 * {@link flippedGeometry}), run by the forward kernel, which packs its columns straight from the
 * image: ~10% less time than col2im(weightᵀ @ grad), which moves a 2.4 MB column gradient per image
 * of the bench's conv through the cache twice. It rounds differently from col2im's order, within
 * float32 rounding of the same sums.
 */
export function convImagesInputGradF32(ctx: WasmContext, grad: View, weight: View, g: Conv2dGeometry): WasmStorage {
  const [N, O] = grad.shape;
  const C = weight.shape[1];
  const K = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const out = ctx.storage('float32', N * C * g.height * g.width, O === 0);
  if (O === 0) return out;
  const dy = dense(ctx, grad);
  const w = dense(ctx, weight);
  const flipped = flippedGeometry(g);
  if (flipped !== null) {
    const wf = flippedWeight(ctx, w.ptr, O, C, g.kernelH * g.kernelW);
    const geo = writeGeometry(ctx, flipped, O, 1);
    runPerThread(ctx, 'convImagesF32', N, 2 * N * O * K * L, partBytes(ctx, K, g.height * g.width),
      (n0, n1, scratch) => [dy.ptr, wf.ptr, 0, out.ptr, C, geo, scratch, n0, n1]);
    ctx.free(wf);
  } else {
    const geo = writeGeometry(ctx, g, C, 1);
    runPerThread(ctx, 'convImagesInputGradF32', N, 2 * N * O * K * L, partBytes(ctx, K, L), (n0, n1, scratch) => [dy.ptr, w.ptr, out.ptr, O, geo, scratch, n0, n1]);
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
 * (the groups split across threads), then over the groups in order.
 */
export function convImagesWeightGradF32(ctx: WasmContext, grad: View, x: View, g: Conv2dGeometry): WasmStorage {
  const [N, C] = x.shape;
  const O = grad.shape[1];
  const K = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const groups = Math.min(N, WEIGHT_GRAD_GROUPS);
  const partials = ctx.storage('float32', groups * O * K, false);
  const dy = dense(ctx, grad);
  const src = dense(ctx, x);
  const geo = writeGeometry(ctx, g, C, 1);
  runPerThread(ctx, 'convImagesWeightGradF32', groups, 2 * N * O * K * L, partBytes(ctx, K, L),
    (q0, q1, scratch) => [dy.ptr, src.ptr, partials.ptr, O, geo, scratch, N, groups, q0, q1]);
  freeDense(ctx, dy, src);
  const sum = ctx.backend.reduce('sum', { storage: partials, shape: [groups, O * K], strides: [O * K, 1], offset: 0 }, [0], 'float32') as WasmStorage;
  ctx.free(partials);
  return sum;
}
