/**
 * Pooling layers: max, average, adaptive and max-unpooling, thin modules over `ops/pool.ts` like
 * PyTorch's `torch/nn/modules/pooling.py`. Arguments are validated at construction.
 *
 * Output size per dim (max and average pooling):
 * ⌊(in + 2p − d·(k − 1) − 1 [+ s − 1 with ceilMode]) / s⌋ + 1; stride defaults to the kernel size.
 * @module
 */
import { expandSize, type SizeArg } from '../../core/conv_shape.js';
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
  maxUnpool1d, maxUnpool2d, type AdaptiveSize,
} from '../../ops/pool.js';
import { Module } from '../module.js';

/** Options of {@link MaxPool1d} and {@link MaxPool2d}. */
export interface MaxPoolLayerOptions<R extends boolean = boolean> {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit −∞ padding on both sides, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** Spacing between window elements (default 1). */
  dilation?: SizeArg;
  /** Make `call` return [output, int32 indices] for {@link MaxUnpool2d} (default false). */
  returnIndices?: R;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
}

/** Options of {@link AvgPool1d} and {@link AvgPool2d}. */
export interface AvgPoolLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count the padding zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (2-d only). */
  divisorOverride?: number;
}

/** What a max pooling returns: the pooled tensor, or [pooled, indices] with `returnIndices: true`. */
export type MaxPoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

function fmtTuple(v: readonly number[]): string {
  return v.length === 1 ? String(v[0]) : `(${v.join(', ')})`;
}

interface PoolGeometry {
  kernelSize: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

/** Validates a pooling's geometry once (PyTorch checks it at the call; glubina at construction too). */
function poolGeometry(op: string, spatial: number, kernelSize: SizeArg, stride: SizeArg | null | undefined, padding: SizeArg | undefined, dilation: SizeArg | undefined): PoolGeometry {
  const k = expandSize(op, 'kernelSize', kernelSize, spatial, 1);
  const useKernel = stride === null || stride === undefined || (typeof stride !== 'number' && stride.length === 0);
  const s = useKernel ? k : expandSize(op, 'stride', stride, spatial, 1);
  const p = expandSize(op, 'padding', padding ?? 0, spatial, 0);
  const d = expandSize(op, 'dilation', dilation ?? 1, spatial, 1);
  if (p.some((v, i) => v > k[i] / 2)) {
    throw new Error(`${op}: padding ${fmtShape(p)} must be at most half the kernel size ${fmtShape(k)}`);
  }
  return { kernelSize: k, stride: s, padding: p, dilation: d };
}

/** What {@link MaxPool1d} and {@link MaxPool2d} share. */
export abstract class MaxPoolNd<R extends boolean = false> extends Module<[Tensor], MaxPoolResult<R>> {
  /** Window size per spatial dim, e.g. (kH, kW). */
  readonly kernelSize: readonly number[];
  /** Step between windows per spatial dim (default: the kernel size). */
  readonly stride: readonly number[];
  /** Implicit −∞ padding on both sides per spatial dim (default 0). */
  readonly padding: readonly number[];
  /** Spacing between window elements per spatial dim (default 1). */
  readonly dilation: readonly number[];
  /** Whether `call` returns [output, int32 indices], e.g. for {@link MaxUnpool2d} (default false). */
  readonly returnIndices: R;
  /** Round the output size up instead of down (default false). */
  readonly ceilMode: boolean;

  protected constructor(readonly spatial: 1 | 2, kernelSize: SizeArg, options: MaxPoolLayerOptions<R>) {
    super();
    const g = poolGeometry(spatial === 1 ? 'MaxPool1d' : 'MaxPool2d', spatial, kernelSize, options.stride, options.padding, options.dilation);
    this.kernelSize = g.kernelSize;
    this.stride = g.stride;
    this.padding = g.padding;
    this.dilation = g.dilation;
    this.returnIndices = (options.returnIndices ?? false) as R;
    this.ceilMode = options.ceilMode ?? false;
  }

  override forward(x: Tensor): MaxPoolResult<R> {
    const o = {
      stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices as boolean,
    };
    return (this.spatial === 1 ? maxPool1d(x, this.kernelSize, o) : maxPool2d(x, this.kernelSize, o)) as MaxPoolResult<R>;
  }

  override extraRepr(): string {
    return `kernelSize=${fmtTuple(this.kernelSize)}, stride=${fmtTuple(this.stride)}, padding=${fmtTuple(this.padding)}, dilation=${fmtTuple(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/**
 * 2-d max pooling, like `torch.nn.MaxPool2d`: the maximum over each kH×kW window (dilated by `dilation`,
 * padded with −∞). With `returnIndices: true`, `call` returns [output, indices] for {@link MaxUnpool2d}.
 * @example new nn.MaxPool2d(2).call(randn(1, 3, 8, 8)) // [1, 3, 4, 4]
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: SizeArg, options: MaxPoolLayerOptions<R> = {}) {
    super(2, kernelSize, options);
  }
}

/** 1-d max pooling over [N, C, L], like `torch.nn.MaxPool1d`. */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: SizeArg, options: MaxPoolLayerOptions<R> = {}) {
    super(1, kernelSize, options);
  }
}

/** What {@link AvgPool1d} and {@link AvgPool2d} share. */
export abstract class AvgPoolNd extends Module {
  /** Window size per spatial dim, e.g. (kH, kW). */
  readonly kernelSize: readonly number[];
  /** Step between windows per spatial dim (default: the kernel size). */
  readonly stride: readonly number[];
  /** Implicit zero padding on both sides per spatial dim (default 0). */
  readonly padding: readonly number[];
  /** Round the output size up instead of down (default false). */
  readonly ceilMode: boolean;
  /** Whether the padding zeros count in the divisor (default true). */
  readonly countIncludePad: boolean;
  /** When set, every window's sum is divided by this instead of the window size (2-d only). */
  readonly divisorOverride: number | undefined;

  protected constructor(readonly spatial: 1 | 2, kernelSize: SizeArg, options: AvgPoolLayerOptions) {
    super();
    const op = spatial === 1 ? 'AvgPool1d' : 'AvgPool2d';
    const g = poolGeometry(op, spatial, kernelSize, options.stride, options.padding, 1);
    if (options.divisorOverride !== undefined) {
      if (spatial === 1) throw new Error('AvgPool1d: divisorOverride exists for 2-d pooling only');
      if (!Number.isFinite(options.divisorOverride) || options.divisorOverride === 0) {
        throw new Error(`${op}: divisorOverride must be a non-zero number, got ${options.divisorOverride}`);
      }
    }
    this.kernelSize = g.kernelSize;
    this.stride = g.stride;
    this.padding = g.padding;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride;
  }

  override forward(x: Tensor): Tensor {
    const o = { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
    return this.spatial === 1 ? avgPool1d(x, this.kernelSize, o) : avgPool2d(x, this.kernelSize, { ...o, divisorOverride: this.divisorOverride });
  }

  override extraRepr(): string {
    const s = `kernelSize=${fmtTuple(this.kernelSize)}, stride=${fmtTuple(this.stride)}, padding=${fmtTuple(this.padding)}`;
    return this.spatial === 1 ? s : `${s}, ceilMode=${this.ceilMode}, countIncludePad=${this.countIncludePad}`;
  }
}

/**
 * 2-d average pooling, like `torch.nn.AvgPool2d`: each window's sum divided by its size (the window
 * clipped to the padded input with `countIncludePad`, the default; to the input itself otherwise).
 * @example new nn.AvgPool2d(2).call(randn(1, 3, 8, 8)) // [1, 3, 4, 4]
 */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernelSize: SizeArg, options: AvgPoolLayerOptions = {}) {
    super(2, kernelSize, options);
  }
}

/** 1-d average pooling over [N, C, L], like `torch.nn.AvgPool1d`. */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: SizeArg, options: Omit<AvgPoolLayerOptions, 'divisorOverride'> = {}) {
    super(1, kernelSize, options);
  }
}

function checkAdaptive(op: string, outputSize: AdaptiveSize, spatial: number): void {
  const list = typeof outputSize === 'number' ? [outputSize] : outputSize;
  if ((list.length !== 1 && list.length !== spatial) || list.some((s) => s !== null && (!Number.isInteger(s) || s < 1))) {
    throw new Error(`${op}: outputSize must be one positive integer or ${spatial} (null keeps a size), got ${JSON.stringify(outputSize)}`);
  }
}

function fmtAdaptive(outputSize: AdaptiveSize): string {
  return typeof outputSize === 'number' ? String(outputSize) : `(${outputSize.map((s) => (s === null ? 'None' : String(s))).join(', ')})`;
}

/**
 * 2-d adaptive average pooling, like `torch.nn.AdaptiveAvgPool2d`: the output has size `outputSize`
 * whatever the input size; output (i, j) averages rows [⌊i·H/oH⌋, ⌈(i+1)·H/oH⌉) and cols likewise.
 * `new AdaptiveAvgPool2d(1)` is global average pooling.
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
    checkAdaptive('AdaptiveAvgPool2d', outputSize, 2);
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${fmtAdaptive(this.outputSize)}`;
  }
}

/** 1-d adaptive average pooling over [N, C, L], like `torch.nn.AdaptiveAvgPool1d`. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
    checkAdaptive('AdaptiveAvgPool1d', outputSize, 1);
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${this.outputSize}`;
  }
}

/**
 * 2-d adaptive max pooling, like `torch.nn.AdaptiveMaxPool2d`: the maximum over the windows of
 * {@link AdaptiveAvgPool2d}; with `returnIndices: true`, `call` returns [output, indices].
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module<[Tensor], MaxPoolResult<R>> {
  /** Whether `call` returns [output, int32 indices] (default false). */
  readonly returnIndices: R;

  constructor(readonly outputSize: AdaptiveSize, options: { returnIndices?: R } = {}) {
    super();
    checkAdaptive('AdaptiveMaxPool2d', outputSize, 2);
    this.returnIndices = (options.returnIndices ?? false) as R;
  }

  override forward(x: Tensor): MaxPoolResult<R> {
    return adaptiveMaxPool2d(x, this.outputSize, { returnIndices: this.returnIndices as boolean }) as MaxPoolResult<R>;
  }

  override extraRepr(): string {
    return `outputSize=${fmtAdaptive(this.outputSize)}`;
  }
}

/** 1-d adaptive max pooling over [N, C, L], like `torch.nn.AdaptiveMaxPool1d`. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends Module<[Tensor], MaxPoolResult<R>> {
  /** Whether `call` returns [output, int32 indices] (default false). */
  readonly returnIndices: R;

  constructor(readonly outputSize: number, options: { returnIndices?: R } = {}) {
    super();
    checkAdaptive('AdaptiveMaxPool1d', outputSize, 1);
    this.returnIndices = (options.returnIndices ?? false) as R;
  }

  override forward(x: Tensor): MaxPoolResult<R> {
    return adaptiveMaxPool1d(x, this.outputSize, { returnIndices: this.returnIndices as boolean }) as MaxPoolResult<R>;
  }

  override extraRepr(): string {
    return `outputSize=${this.outputSize}`;
  }
}

/** Options of {@link MaxUnpool1d} and {@link MaxUnpool2d}. */
export interface MaxUnpoolLayerOptions {
  /** The stride of the max pooling being inverted (default: the kernel size). */
  stride?: SizeArg | null;
  /** Its padding (default 0). */
  padding?: SizeArg;
}

/** What {@link MaxUnpool1d} and {@link MaxUnpool2d} share. */
export abstract class MaxUnpoolNd extends Module<[Tensor, Tensor, (readonly number[])?], Tensor> {
  /** Window size of the max pooling being inverted, per spatial dim. */
  readonly kernelSize: readonly number[];
  /** Stride of the max pooling being inverted, per spatial dim (default: the kernel size). */
  readonly stride: readonly number[];
  /** Padding of the max pooling being inverted, per spatial dim (default 0). */
  readonly padding: readonly number[];

  protected constructor(readonly spatial: 1 | 2, kernelSize: SizeArg, options: MaxUnpoolLayerOptions) {
    super();
    const op = spatial === 1 ? 'MaxUnpool1d' : 'MaxUnpool2d';
    this.kernelSize = expandSize(op, 'kernelSize', kernelSize, spatial, 1);
    const s = options.stride;
    this.stride = s === null || s === undefined ? this.kernelSize : expandSize(op, 'stride', s, spatial, 1);
    this.padding = expandSize(op, 'padding', options.padding ?? 0, spatial, 0);
  }

  /** Places each value of `x` at its index of the max pooling's input; `outputSize` settles an ambiguous size. */
  override forward(x: Tensor, indices: Tensor, outputSize?: readonly number[]): Tensor {
    const o = { stride: this.stride, padding: this.padding, outputSize };
    return this.spatial === 1 ? maxUnpool1d(x, indices, this.kernelSize, o) : maxUnpool2d(x, indices, this.kernelSize, o);
  }

  override extraRepr(): string {
    return `kernelSize=${fmtTuple(this.kernelSize)}, stride=${fmtTuple(this.stride)}, padding=${fmtTuple(this.padding)}`;
  }
}

/**
 * Partial inverse of {@link MaxPool2d}, like `torch.nn.MaxUnpool2d`: zeros of size
 * (H − 1)·s − 2p + k per dim (or `outputSize`) with each input value put back where its max came from.
 * @example
 * const pool = new nn.MaxPool2d(2, { returnIndices: true });
 * const [y, idx] = pool.call(x);
 * new nn.MaxUnpool2d(2).call(y, idx); // x's shape, zeros except at the maxima
 */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: SizeArg, options: MaxUnpoolLayerOptions = {}) {
    super(2, kernelSize, options);
  }
}

/** Partial inverse of {@link MaxPool1d}, like `torch.nn.MaxUnpool1d`. */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: SizeArg, options: MaxUnpoolLayerOptions = {}) {
    super(1, kernelSize, options);
  }
}
