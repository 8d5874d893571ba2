/**
 * Pooling as PyTorch computes it: max (with argmax indices, dilation, padding, ceilMode),
 * average (countIncludePad, divisorOverride), adaptive average and max, and max-unpooling.
 * 1-d pooling runs as 2-d over a height-1 image. Max pooling has its own kernel; its gradient
 * scatters to the saved indices. Average pooling is im2col summed and divided, so its gradient
 * comes from those ops; adaptive average is a mean per window.
 * @module
 */
import {
  adaptiveAxis, avgPoolDivisors, expandSize, poolAxis, poolOutSize, type Conv2dGeometry, type Pool2dWindows, type SizeArg,
} from '../core/conv_shape.js';
import { noGrad } from '../core/grad_mode.js';
import { fmtShape, type Shape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { div, mul } from './elementwise.js';
import { checkTensor, record, wrap } from './helpers.js';
import { gather, scatterAdd } from './indexing.js';
import { cat } from './join.js';
import { mean, sum } from './reduce.js';
import { batched, checkFloating, floatTensor, zerosOn } from './spatial.js';
import { im2col } from './unfold.js';
import { narrow, reshape, squeeze, unsqueeze } from './view.js';

/** Options of {@link maxPool1d} and {@link maxPool2d}. */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit −∞ padding on both sides, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** Spacing between window elements (default 1). */
  dilation?: SizeArg;
  /** Round the output size up, keeping a last partial window that starts inside the input or left padding (default false). */
  ceilMode?: boolean;
  /** Also return the argmax of every window, as int32 indices h·W + w within each plane (default false). */
  returnIndices?: boolean;
}

/** Options of {@link avgPool1d} and {@link avgPool2d}. */
export interface AvgPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count padding zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (2-d only). */
  divisorOverride?: number;
}

/** Options of the adaptive max poolings. */
export interface AdaptiveMaxPoolOptions {
  /** Also return the argmax indices (default false). */
  returnIndices?: boolean;
}

/** Options of {@link maxUnpool1d} and {@link maxUnpool2d}. */
export interface MaxUnpoolOptions {
  /** The stride of the max pooling being inverted (default: the kernel size). */
  stride?: SizeArg | null;
  /** Its padding (default 0). */
  padding?: SizeArg;
  /** The exact output size, when the pooling's input size was ambiguous (the last 1 or 2 entries are used). */
  outputSize?: readonly number[];
}

/** Kernel, stride, padding and dilation of a pooling, lifted to 2-d (height 1 for 1-d). */
interface PoolParams {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  /** The arguments as given (before lifting), for error messages (built only when one is thrown). */
  describe: () => string;
}

function poolParams(op: string, spatial: 1 | 2, kernelSize: SizeArg, stride: SizeArg | null | undefined, padding: SizeArg | undefined, dilation: SizeArg | undefined): PoolParams {
  const kernel = expandSize(op, 'kernelSize', kernelSize, spatial, 1);
  const useKernel = stride === null || stride === undefined || (typeof stride !== 'number' && stride.length === 0);
  const s = useKernel ? kernel : expandSize(op, 'stride', stride, spatial, 1);
  const p = expandSize(op, 'padding', padding ?? 0, spatial, 0);
  const d = expandSize(op, 'dilation', dilation ?? 1, spatial, 1);
  if (p.some((v, i) => v > kernel[i] / 2)) {
    throw new Error(`${op}: padding ${fmtShape(p)} must be at most half the kernel size ${fmtShape(kernel)}`);
  }
  const lift = (v: number[], h: number): number[] => (spatial === 1 ? [h, ...v] : v);
  const describe = (): string => `kernel ${fmtShape(kernel)}, stride ${fmtShape(s)}, padding ${fmtShape(p)}, dilation ${fmtShape(d)}`;
  return { kernel: lift(kernel, 1), stride: lift(s, 1), padding: lift(p, 0), dilation: lift(d, 1), describe };
}

/** Output [oH, oW] of a pooling over x4 [N, C, H, W]; throws when a size is below 1. */
function poolOutput(op: string, spatial: 1 | 2, input: Tensor, x4: Tensor, p: PoolParams, ceilMode: boolean): [number, number] {
  const out = [0, 1].map((d) => poolOutSize(x4.shape[2 + d], p.kernel[d], p.stride[d], p.padding[d], p.dilation[d], ceilMode));
  if (out.some((s) => s < 1)) {
    const shown = spatial === 1 ? out.slice(1) : out;
    throw new Error(`${op}: output size ${fmtShape(shown)} is too small for input ${fmtShape(input.shape)} (${p.describe()})`);
  }
  return [out[0], out[1]];
}

/** Scatters g [N, C, oH, oW] into zeros of `shape` [N, C, H, W] at plane indices idx (overlaps add). */
function scatterToPlanes(g: Tensor, idx: Tensor, shape: Shape): Tensor {
  const [N, C, H, W] = shape;
  const index = reshape(idx, [N, C, -1]);
  const src = reshape(g, [N, C, -1]);
  // The pooling kernel made these indices, so they are in range: scatterAdd's bounds check (which
  // reads every index back into JavaScript) is skipped.
  const flat = wrap(g.backend.scatterAdd(zerosOn(g, [N, C, H * W]), 2, index, src), [N, C, H * W]);
  record('ScatterAddBackward0', flat, [src], (gg, [si]) => [gather(gg, 2, si)], [index]);
  return reshape(flat, shape);
}

/** The max pooling primitive over precomputed windows; the gradient goes to each window's argmax. */
function maxPoolWindows(node: string, x4: Tensor, windows: Pool2dWindows): [Tensor, Tensor] {
  const [N, C] = x4.shape;
  const shape = [N, C, windows.rows.start.length, windows.cols.start.length];
  const [vs, is] = x4.backend.maxPool2d(x4, windows);
  const values = wrap(vs, shape);
  const indices = wrap(is, shape);
  record(node, values, [x4], (g, [idx]) => [scatterToPlanes(g, idx, x4.shape)], [indices]);
  return [values, indices];
}

function maxPoolNd(op: string, spatial: 1 | 2, input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  const { x, unbatch } = batched(op, input, spatial);
  checkFloating(op, 'input', x);
  const p = poolParams(op, spatial, kernelSize, options.stride, options.padding, options.dilation);
  const x4 = spatial === 1 ? unsqueeze(x, 2) : x;
  const [oH, oW] = poolOutput(op, spatial, input, x4, p, options.ceilMode ?? false);
  const [H, W] = [x4.shape[2], x4.shape[3]];
  const windows = {
    rows: poolAxis(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], oH),
    cols: poolAxis(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], oW),
  };
  const [values, indices] = maxPoolWindows('MaxPool2DWithIndicesBackward0', x4, windows);
  const back = (t: Tensor): Tensor => unbatch(spatial === 1 ? squeeze(t, 2) : t);
  if (options.returnIndices) return [back(values), back(indices)];
  // Without a graph nothing reads the indices: free them now rather than at the next collection.
  if (values.gradFn === null) indices.dispose();
  return back(values);
}

/**
 * 2-d max pooling, like `torch.nn.functional.max_pool2d`: out[n, c, i, j] = max of x[n, c] over the
 * window rows i·s − p + a·d, cols j·s − p + b·d (a < kH, b < kW), padding never winning.
 * Input [N, C, H, W] or [C, H, W]. With `returnIndices`, returns [output, indices] where indices
 * (int32) hold h·W + w of each max within its plane, as {@link maxUnpool2d} takes them.
 */
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options?: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd('maxPool2d', 2, input, kernelSize, options);
}

/** 1-d max pooling, like `torch.nn.functional.max_pool1d`: input [N, C, L] or [C, L]; indices index L. */
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options?: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd('maxPool1d', 1, input, kernelSize, options);
}

function avgPoolNd(op: string, spatial: 1 | 2, input: Tensor, kernelSize: SizeArg, options: AvgPoolOptions): Tensor {
  const { x, unbatch } = batched(op, input, spatial);
  checkFloating(op, 'input', x);
  const p = poolParams(op, spatial, kernelSize, options.stride, options.padding, 1);
  const override = options.divisorOverride;
  if (override !== undefined && (!Number.isFinite(override) || override === 0)) {
    throw new Error(`${op}: divisorOverride must be a non-zero number, got ${override}`);
  }
  const x4 = spatial === 1 ? unsqueeze(x, 2) : x;
  const [N, C, H, W] = x4.shape;
  const [oH, oW] = poolOutput(op, spatial, input, x4, p, options.ceilMode ?? false);
  const g: Conv2dGeometry = {
    height: H, width: W, kernelH: p.kernel[0], kernelW: p.kernel[1], strideH: p.stride[0], strideW: p.stride[1],
    padTop: p.padding[0], padLeft: p.padding[1], dilationH: 1, dilationW: 1, outH: oH, outW: oW,
  };
  const divisors = cachedDivisors([H, W], p, [oH, oW], options.countIncludePad ?? true, override);
  const out = avgPoolPlanes(x4, g, divisors);
  return unbatch(spatial === 1 ? squeeze(out, 2) : out);
}

// Divisor tables by geometry: a model pools the same shapes every call, and building the table
// took ~4% of batch-1 LeNet inference. Tables are never written after creation.
const divisorCache = new Map<string, Float64Array>();
const DIVISOR_CACHE_SIZE = 64;

function cachedDivisors(size: [number, number], p: PoolParams, out: [number, number], countIncludePad: boolean, override: number | undefined): Float64Array {
  const key = `${size[0]},${size[1]},${p.kernel[0]},${p.kernel[1]},${p.stride[0]},${p.stride[1]},${p.padding[0]},${p.padding[1]},${out[0]},${out[1]},${countIncludePad},${override}`;
  let table = divisorCache.get(key);
  if (table === undefined) {
    table = avgPoolDivisors(size, p.kernel, p.stride, p.padding, out, countIncludePad, override);
    if (divisorCache.size >= DIVISOR_CACHE_SIZE) divisorCache.delete(divisorCache.keys().next().value!);
    divisorCache.set(key, table);
  }
  return table;
}

/**
 * Window sums over divisors, x4 [N, C, H, W] → [N, C, outH, outW]: the backend's direct kernel and
 * its adjoint (each the other's gradient, so any order differentiates), or, on a backend without
 * them, one im2col over every plane as its own 1-channel image, summed over the taps and divided.
 */
function avgPoolPlanes(x4: Tensor, g: Conv2dGeometry, divisors: Float64Array): Tensor {
  const [N, C, H, W] = x4.shape;
  const be = x4.backend;
  if (be.avgPool2d === undefined || be.avgPool2dBackward === undefined) {
    const sums = sum(im2col(reshape(x4, [N * C, 1, H, W]), g), 1);
    return reshape(div(sums, floatTensor(x4, divisors, [g.outH * g.outW])), [N, C, g.outH, g.outW]);
  }
  const out = wrap(be.avgPool2d(x4, g, divisors), [N, C, g.outH, g.outW]);
  return record('AvgPool2DBackward0', out, [x4], (grad) => [avgPoolPlanesAdjoint(grad, g, divisors)]);
}

/** The adjoint of {@link avgPoolPlanes}: grad [N, C, outH, outW] → [N, C, H, W]. */
function avgPoolPlanesAdjoint(grad: Tensor, g: Conv2dGeometry, divisors: Float64Array): Tensor {
  const be = grad.backend as Required<Pick<typeof grad.backend, 'avgPool2dBackward'>>;
  const out = wrap(be.avgPool2dBackward(grad, g, divisors), [grad.shape[0], grad.shape[1], g.height, g.width]);
  return record('AvgPool2DBackwardBackward0', out, [grad], (gg) => [avgPoolPlanes(gg, g, divisors)]);
}

/**
 * 2-d average pooling, like `torch.nn.functional.avg_pool2d`: each output is its window's sum over
 * the input (padding adds zeros) divided by `divisorOverride`, or by the window's size clipped to
 * the padded input (`countIncludePad`, the default) or to the input itself.
 */
export function avgPool2d(input: Tensor, kernelSize: SizeArg, options: AvgPoolOptions = {}): Tensor {
  return avgPoolNd('avgPool2d', 2, input, kernelSize, options);
}

/** 1-d average pooling, like `torch.nn.functional.avg_pool1d` (no divisorOverride there). */
export function avgPool1d(input: Tensor, kernelSize: SizeArg, options: Omit<AvgPoolOptions, 'divisorOverride'> = {}): Tensor {
  return avgPoolNd('avgPool1d', 1, input, kernelSize, options);
}

/** Output sizes of an adaptive pooling; null keeps that input size, as PyTorch's None. */
export type AdaptiveSize = number | readonly (number | null)[];

function adaptiveSizes(op: string, outputSize: AdaptiveSize, inSizes: readonly number[]): number[] {
  const n = inSizes.length;
  const list = typeof outputSize === 'number' ? new Array<number>(n).fill(outputSize) : outputSize.length === 1 ? new Array<number | null>(n).fill(outputSize[0]) : [...outputSize];
  if (list.length !== n) throw new Error(`${op}: outputSize must be one number or ${n} numbers, got ${JSON.stringify(outputSize)}`);
  return list.map((s, d) => {
    const v = s ?? inSizes[d];
    if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: outputSize must hold positive integers (or null), got ${JSON.stringify(outputSize)}`);
    return v;
  });
}

/** Mean over each adaptive window along `dim`: window o is [⌊o·in/out⌋, ⌈(o + 1)·in/out⌉). */
function adaptiveMeanAlong(x: Tensor, dim: number, outSize: number): Tensor {
  const inSize = x.shape[dim];
  if (outSize === inSize) return x;
  if (outSize === 1) return mean(x, dim, true);
  const axis = adaptiveAxis(inSize, outSize);
  return cat(axis.start.map((s, o) => mean(narrow(x, dim, s, axis.end[o] - s), dim, true)), dim);
}

/**
 * 2-d adaptive average pooling, like `torch.nn.functional.adaptive_avg_pool2d`: output (i, j) is the
 * mean over rows [⌊i·H/oH⌋, ⌈(i+1)·H/oH⌉) and cols [⌊j·W/oW⌋, ⌈(j+1)·W/oW⌉). `outputSize` null keeps a size.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  const { x, unbatch } = batched('adaptiveAvgPool2d', input, 2);
  checkFloating('adaptiveAvgPool2d', 'input', x);
  const [oH, oW] = adaptiveSizes('adaptiveAvgPool2d', outputSize, x.shape.slice(2));
  // The window mean is separable: the mean over rows, then over cols.
  return unbatch(adaptiveMeanAlong(adaptiveMeanAlong(x, 2, oH), 3, oW));
}

/** 1-d adaptive average pooling, like `torch.nn.functional.adaptive_avg_pool1d`: input [N, C, L] or [C, L]. */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  const { x, unbatch } = batched('adaptiveAvgPool1d', input, 1);
  checkFloating('adaptiveAvgPool1d', 'input', x);
  const [oL] = adaptiveSizes('adaptiveAvgPool1d', outputSize, x.shape.slice(2));
  return unbatch(adaptiveMeanAlong(x, 2, oL));
}

function adaptiveMaxNd(op: string, spatial: 1 | 2, input: Tensor, outputSize: AdaptiveSize, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  const { x, unbatch } = batched(op, input, spatial);
  checkFloating(op, 'input', x);
  const x4 = spatial === 1 ? unsqueeze(x, 2) : x;
  const sizes = adaptiveSizes(op, outputSize, x.shape.slice(2));
  const [oH, oW] = spatial === 1 ? [1, sizes[0]] : sizes;
  const windows = { rows: adaptiveAxis(x4.shape[2], oH), cols: adaptiveAxis(x4.shape[3], oW) };
  const [values, indices] = maxPoolWindows('AdaptiveMaxPool2DBackward0', x4, windows);
  const back = (t: Tensor): Tensor => unbatch(spatial === 1 ? squeeze(t, 2) : t);
  return returnIndices ? [back(values), back(indices)] : back(values);
}

/**
 * 2-d adaptive max pooling, like `torch.nn.functional.adaptive_max_pool2d`: the max over the
 * windows of {@link adaptiveAvgPool2d}; with `returnIndices`, [output, int32 plane indices].
 */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options?: AdaptiveMaxPoolOptions): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options: AdaptiveMaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return adaptiveMaxNd('adaptiveMaxPool2d', 2, input, outputSize, options.returnIndices ?? false);
}

/** 1-d adaptive max pooling, like `torch.nn.functional.adaptive_max_pool1d`. */
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], options?: AdaptiveMaxPoolOptions): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], options: AdaptiveMaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return adaptiveMaxNd('adaptiveMaxPool1d', 1, input, outputSize, options.returnIndices ?? false);
}

function maxUnpoolNd(op: string, spatial: 1 | 2, input: Tensor, indices: Tensor, kernelSize: SizeArg, options: MaxUnpoolOptions): Tensor {
  const { x, unbatch } = batched(op, input, spatial);
  checkFloating(op, 'input', x);
  checkTensor(op, 'indices', indices);
  if (indices.dtype !== 'int32' || indices.ndim !== input.ndim || indices.shape.some((s, i) => s !== input.shape[i])) {
    throw new Error(`${op}: indices must be int32 and shaped like the input ${fmtShape(input.shape)}, got ${indices.dtype} ${fmtShape(indices.shape)}`);
  }
  const kernel = expandSize(op, 'kernelSize', kernelSize, spatial, 1);
  const stride = options.stride === null || options.stride === undefined ? kernel : expandSize(op, 'stride', options.stride, spatial, 1);
  const padding = expandSize(op, 'padding', options.padding ?? 0, spatial, 0);
  const inSize = x.shape.slice(2);
  const defaults = inSize.map((s, d) => (s - 1) * stride[d] - 2 * padding[d] + kernel[d]);
  let size = defaults;
  if (options.outputSize !== undefined) {
    const given = options.outputSize.length === spatial + 2 ? options.outputSize.slice(2) : [...options.outputSize];
    if (given.length !== spatial) {
      throw new Error(`${op}: outputSize must have ${spatial} or ${spatial + 2} entries, got ${fmtShape(options.outputSize)}`);
    }
    given.forEach((s, d) => {
      if (!(s > defaults[d] - stride[d] && s < defaults[d] + stride[d])) {
        throw new Error(`${op}: invalid outputSize ${fmtShape(given)} (dim ${d} must be between ${defaults[d] - stride[d]} and ${defaults[d] + stride[d]}, exclusive)`);
      }
    });
    size = given;
  }
  const [oH, oW] = spatial === 1 ? [1, size[0]] : size;
  const [N, C] = x.shape;
  const planeIn = inSize.reduce((a, b) => a * b, 1);
  const planeOut = oH * oW;
  // Indices are read here (as gather does) to check them and to keep PyTorch's last-write-wins
  // when two inputs name one output: earlier writers are masked out.
  const idx = indices.dataSync();
  const mask = new Float64Array(idx.length);
  const last = new Int32Array(planeOut);
  let duplicates = false;
  for (let base = 0; base < idx.length; base += planeIn) {
    last.fill(-1);
    for (let k = base; k < base + planeIn; k++) {
      const v = idx[k];
      if (v < 0 || v >= planeOut) {
        throw new Error(`${op}: index ${v} is out of range for an output plane of ${spatial === 1 ? oW : `${oH}x${oW}`} (input ${fmtShape(input.shape)})`);
      }
      last[v] = k;
    }
    for (let k = base; k < base + planeIn; k++) {
      mask[k] = last[idx[k]] === k ? 1 : 0;
      if (mask[k] === 0) duplicates = true;
    }
  }
  const flatIdx = reshape(indices, [N, C, planeIn]);
  const out = noGrad(() => {
    let src = reshape(x, [N, C, planeIn]);
    if (duplicates) src = mul(src, floatTensor(x, mask, [N, C, planeIn]));
    const flat = scatterAdd(zerosOn(x, [N, C, planeOut]), 2, flatIdx, src);
    return reshape(flat, spatial === 1 ? [N, C, oW] : [N, C, oH, oW]);
  });
  // As PyTorch: every input (even one overwritten) gets the gradient at its index.
  record('MaxUnpool2DBackward0', out, [x], (g, [si]) => [reshape(gather(reshape(g, [N, C, planeOut]), 2, si), x.shape)], [flatIdx]);
  return unbatch(out);
}

/**
 * Partial inverse of {@link maxPool2d}, like `torch.nn.functional.max_unpool2d`: zeros of size
 * (H − 1)·s − 2p + k per dim (or `outputSize`) with out[n, c].flat[indices[n, c, i, j]] = x[n, c, i, j].
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: SizeArg, options: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd('maxUnpool2d', 2, input, indices, kernelSize, options);
}

/** Partial inverse of {@link maxPool1d}, like `torch.nn.functional.max_unpool1d`. */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: SizeArg, options: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd('maxUnpool1d', 1, input, indices, kernelSize, options);
}
