/**
 * Resizing layers: `Upsample` (nearest / bilinear interpolation), `PixelShuffle` and
 * `PixelUnshuffle` (sub-pixel convolution), thin modules over `ops/resize.ts`.
 * @module
 */
import type { Tensor } from '../../core/tensor.js';
import { interpolate, pixelShuffle, pixelUnshuffle, type InterpolateMode } from '../../ops/resize.js';
import { Module } from '../module.js';

/** Options of {@link Upsample}: exactly one of `size` and `scaleFactor`. */
export interface UpsampleOptions {
  /** Output spatial size: one number, or one per spatial dim. */
  size?: number | readonly number[];
  /** Multiplier of the spatial size (output = ⌊in · scaleFactor⌋). */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default), 'nearest-exact', 'linear' (3-d input), 'bilinear' (4-d input) or 'area'. */
  mode?: InterpolateMode;
  /** Linear modes only: align the corner pixel centres of input and output (default false). */
  alignCorners?: boolean;
}

const MODES: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'area'];

function checkFactor(op: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: the factor must be a positive integer, got ${v}`);
}

/**
 * Upsamples [N, C, L] or [N, C, H, W] to `size` or by `scaleFactor`, like `torch.nn.Upsample`
 * (see `functional.interpolate` for the index formulas). Has no parameters.
 * @example new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: false })
 */
export class Upsample extends Module {
  /** Output spatial size, or undefined when `scaleFactor` is given. */
  readonly size: number | readonly number[] | undefined;
  /** Multiplier of the spatial size, or undefined when `size` is given. */
  readonly scaleFactor: number | readonly number[] | undefined;
  /** Interpolation: `'nearest'` (default), `'nearest-exact'`, `'linear'`, `'bilinear'` or `'area'`. */
  readonly mode: InterpolateMode;
  /** Linear modes only: align the corner pixel centres of input and output (undefined: false). */
  readonly alignCorners: boolean | undefined;

  constructor(options: UpsampleOptions) {
    super();
    if ((options.size === undefined) === (options.scaleFactor === undefined)) {
      throw new Error('Upsample: give exactly one of size and scaleFactor');
    }
    const mode = options.mode ?? 'nearest';
    if (!MODES.includes(mode)) throw new Error(`Upsample: unknown mode '${String(mode)}', expected one of ${MODES.join(', ')}`);
    if (options.alignCorners !== undefined && mode !== 'linear' && mode !== 'bilinear') {
      throw new Error(`Upsample: alignCorners can only be set with the linear modes (linear, bilinear), not '${mode}'`);
    }
    const values = [options.size ?? [], options.scaleFactor ?? []].flat();
    if (values.some((v) => !(v > 0) || !Number.isFinite(v))) {
      throw new Error(`Upsample: size and scaleFactor must be positive, got ${JSON.stringify(options.size ?? options.scaleFactor)}`);
    }
    this.size = options.size;
    this.scaleFactor = options.scaleFactor;
    this.mode = mode;
    this.alignCorners = options.alignCorners;
  }

  override forward(x: Tensor): Tensor {
    return interpolate(x, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners });
  }

  override extraRepr(): string {
    const what = this.scaleFactor !== undefined ? `scaleFactor=${JSON.stringify(this.scaleFactor)}` : `size=${JSON.stringify(this.size)}`;
    return `${what}, mode=${this.mode}${this.alignCorners !== undefined ? `, alignCorners=${this.alignCorners}` : ''}`;
  }
}

/**
 * [*, C·r², H, W] → [*, C, H·r, W·r], like `torch.nn.PixelShuffle`:
 * out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w] (Shi et al.'s sub-pixel convolution).
 */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
    checkFactor('PixelShuffle', upscaleFactor);
  }

  override forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }

  override extraRepr(): string {
    return `upscaleFactor=${this.upscaleFactor}`;
  }
}

/** The inverse of {@link PixelShuffle}: [*, C, H·r, W·r] → [*, C·r², H, W], like `torch.nn.PixelUnshuffle`. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
    checkFactor('PixelUnshuffle', downscaleFactor);
  }

  override forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }

  override extraRepr(): string {
    return `downscaleFactor=${this.downscaleFactor}`;
  }
}
