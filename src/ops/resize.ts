/**
 * Resizing: interpolate (nearest, nearest-exact, linear, bilinear, area) and pixel (un)shuffle.
 * Interpolation along each spatial dim is an indexSelect (nearest) or a weighted sum of two
 * indexSelects (linear), with PyTorch 1.13's source-index rules, so gradients come from those ops.
 * @module
 */
import { expandSize } from '../core/conv_shape.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { add, mul } from './elementwise.js';
import { checkTensor } from './helpers.js';
import { indexSelect } from './indexing.js';
import { adaptiveAvgPool1d, adaptiveAvgPool2d } from './pool.js';
import { checkFloating, floatTensor, indexTensor } from './spatial.js';
import { permute, reshape } from './view.js';

/** Interpolation algorithm of {@link interpolate}. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'area';

/** Options of {@link interpolate}: exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** Output spatial size: one number, or one per spatial dim. */
  size?: number | readonly number[];
  /** Multiplier of the spatial size: output = ⌊in · scaleFactor⌋; the source index then uses 1/scaleFactor. */
  scaleFactor?: number | readonly number[];
  /** Default 'nearest'. 'linear' takes [N, C, L], 'bilinear' [N, C, H, W]. */
  mode?: InterpolateMode;
  /** Linear modes only: map corner pixel centres onto each other (scale (in − 1)/(out − 1)); default false. */
  alignCorners?: boolean;
  /** Derive the scale from the integer output size instead of `scaleFactor` (default false). */
  recomputeScaleFactor?: boolean;
}

const MODES: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'area'];

/**
 * PyTorch's source-index scale: 1/scaleFactor when one was given, else in/out — in float32, as
 * PyTorch computes it for float32 inputs (and for every nearest index).
 */
function sourceScale(f: (v: number) => number, inSize: number, outSize: number, alignCorners: boolean, scale: number | undefined): number {
  if (alignCorners) return outSize > 1 ? f((inSize - 1) / (outSize - 1)) : 0;
  return scale !== undefined && scale > 0 ? f(1 / scale) : f(inSize / outSize);
}

function nearestIndices(exact: boolean, inSize: number, outSize: number, scale: number | undefined): number[] {
  const f = Math.fround;
  const s = sourceScale(f, inSize, outSize, false, scale);
  return Array.from({ length: outSize }, (_, o) => Math.min(Math.floor(f((exact ? o + 0.5 : o) * s)), inSize - 1));
}

interface LinearTaps {
  i0: number[];
  i1: number[];
  w0: number[];
  w1: number[];
}

function linearTaps(f: (v: number) => number, inSize: number, outSize: number, alignCorners: boolean, scale: number | undefined): LinearTaps | null {
  if (outSize === inSize && !alignCorners) return null;
  const s = sourceScale(f, inSize, outSize, alignCorners, scale);
  const taps: LinearTaps = { i0: [], i1: [], w0: [], w1: [] };
  for (let o = 0; o < outSize; o++) {
    const real = alignCorners ? f(s * o) : Math.max(f(f(s * (o + 0.5)) - 0.5), 0);
    const i0 = Math.floor(real);
    const l1 = Math.min(Math.max(f(real - i0), 0), 1);
    taps.i0.push(i0);
    taps.i1.push(i0 < inSize - 1 ? i0 + 1 : i0);
    taps.w1.push(l1);
    taps.w0.push(f(1 - l1));
  }
  return taps;
}

/**
 * Resizes the spatial dims of [N, C, L] or [N, C, H, W], like `torch.nn.functional.interpolate`.
 * - 'nearest': src = min(⌊dst·scale⌋, in − 1); 'nearest-exact': min(⌊(dst + 0.5)·scale⌋, in − 1).
 * - 'linear'/'bilinear': src = scale·(dst + 0.5) − 0.5 (clamped at 0), or scale·dst with
 *   `alignCorners`, blending the two neighbours by the fractional part.
 * - 'area': adaptive average pooling to the output size.
 * scale is 1/scaleFactor when given (and not recomputed), else in/out.
 * @example interpolate(x, { scaleFactor: 2, mode: 'bilinear' })
 */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  const x = checkTensor('interpolate', 'input', input);
  checkFloating('interpolate', 'input', x);
  const mode = options.mode ?? 'nearest';
  if (!MODES.includes(mode)) throw new Error(`interpolate: unknown mode '${mode as string}', expected one of ${MODES.join(', ')}`);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`interpolate: expects a 3-d [N,C,L] or 4-d [N,C,H,W] input, got ${fmtShape(x.shape)}`);
  }
  if ((mode === 'linear' && x.ndim !== 3) || (mode === 'bilinear' && x.ndim !== 4)) {
    throw new Error(`interpolate: mode '${mode}' needs a ${mode === 'linear' ? '3-d [N,C,L]' : '4-d [N,C,H,W]'} input, got ${fmtShape(x.shape)}`);
  }
  const linear = mode === 'linear' || mode === 'bilinear';
  if (options.alignCorners !== undefined && !linear) {
    throw new Error(`interpolate: alignCorners can only be set with the linear modes (linear, bilinear), not '${mode}'`);
  }
  const spatial = x.ndim - 2;
  const inSizes = x.shape.slice(2);
  let outSizes: number[];
  let scales: (number | undefined)[] = new Array<undefined>(spatial).fill(undefined);
  if ((options.size === undefined) === (options.scaleFactor === undefined)) {
    throw new Error('interpolate: give exactly one of size and scaleFactor');
  }
  if (options.size !== undefined) {
    if (options.recomputeScaleFactor) throw new Error('interpolate: recomputeScaleFactor is not meaningful with an explicit size');
    outSizes = expandSize('interpolate', 'size', options.size, spatial, 1);
  } else {
    const sf = options.scaleFactor!;
    const list = typeof sf === 'number' ? new Array<number>(spatial).fill(sf) : [...sf];
    if (list.length !== spatial || list.some((s) => !(s > 0) || !Number.isFinite(s))) {
      throw new Error(`interpolate: scaleFactor must be one positive number or ${spatial}, got ${JSON.stringify(sf)}`);
    }
    outSizes = inSizes.map((s, d) => Math.floor(s * list[d]));
    if (outSizes.some((s) => s < 1)) {
      throw new Error(`interpolate: scaleFactor ${JSON.stringify(sf)} gives output size ${fmtShape(outSizes)} for input ${fmtShape(x.shape)}`);
    }
    if (!options.recomputeScaleFactor && mode !== 'area') scales = list;
  }
  if (mode === 'area') return spatial === 1 ? adaptiveAvgPool1d(x, outSizes) : adaptiveAvgPool2d(x, outSizes);
  // Linear weights follow the input's precision, as PyTorch's opmath type does.
  const f = x.dtype === 'float32' ? Math.fround : (v: number): number => v;
  let y = x;
  for (let d = 0; d < spatial; d++) {
    const dim = 2 + d;
    const [n, m] = [inSizes[d], outSizes[d]];
    if (!linear) {
      const idx = nearestIndices(mode === 'nearest-exact', n, m, scales[d]);
      if (m !== n || idx.some((v, o) => v !== o)) y = indexSelect(y, dim, indexTensor(y, idx));
      continue;
    }
    const taps = linearTaps(f, n, m, options.alignCorners ?? false, scales[d]);
    if (taps === null) continue;
    const wShape = [m, ...new Array<number>(x.ndim - 1 - dim).fill(1)];
    const a = mul(indexSelect(y, dim, indexTensor(y, taps.i0)), floatTensor(y, taps.w0, wShape));
    const b = mul(indexSelect(y, dim, indexTensor(y, taps.i1)), floatTensor(y, taps.w1, wShape));
    y = add(a, b);
  }
  return y;
}

function checkShuffle(op: string, x: Tensor, factor: number): void {
  checkTensor(op, 'input', x);
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`${op}: the factor must be a positive integer, got ${factor}`);
  if (x.ndim < 3) throw new Error(`${op}: expects an input of at least 3 dims [*, C, H, W], got ${fmtShape(x.shape)}`);
}

/**
 * Rearranges [*, C·r², H, W] into [*, C, H·r, W·r], like `torch.nn.functional.pixel_shuffle`:
 * out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w] (sub-pixel convolution upsampling).
 */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  checkShuffle('pixelShuffle', input, upscaleFactor);
  const r = upscaleFactor;
  const lead = input.shape.slice(0, -3);
  const [C, H, W] = input.shape.slice(-3);
  if (C % (r * r) !== 0) {
    throw new Error(`pixelShuffle: the ${C} channels of input ${fmtShape(input.shape)} are not divisible by upscaleFactor² = ${r * r}`);
  }
  const k = lead.length;
  const y = reshape(input, [...lead, C / (r * r), r, r, H, W]);
  const order = [...lead.keys(), k, k + 3, k + 1, k + 4, k + 2];
  return reshape(permute(y, order), [...lead, C / (r * r), H * r, W * r]);
}

/** The inverse of {@link pixelShuffle}: [*, C, H·r, W·r] → [*, C·r², H, W], like `pixel_unshuffle`. */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  checkShuffle('pixelUnshuffle', input, downscaleFactor);
  const r = downscaleFactor;
  const lead = input.shape.slice(0, -3);
  const [C, H, W] = input.shape.slice(-3);
  if (H % r !== 0 || W % r !== 0) {
    throw new Error(`pixelUnshuffle: the spatial size ${H}x${W} of input ${fmtShape(input.shape)} is not divisible by downscaleFactor ${r}`);
  }
  const k = lead.length;
  const y = reshape(input, [...lead, C, H / r, r, W / r, r]);
  const order = [...lead.keys(), k, k + 2, k + 4, k + 1, k + 3];
  return reshape(permute(y, order), [...lead, C * r * r, H / r, W / r]);
}
