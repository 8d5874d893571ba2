/**
 * Affine warps: rotation, translation, scale, non-uniform stretch and shear, with bilinear sampling.
 * @module
 */
import type { Generator } from '../../core/random.js';
import type { Tensor } from '../../core/tensor.js';
import { resample } from './sampling.js';
import { mapImages, RandomTransform, toRange, uniform, type FloatArray, type Image, type RandomOptions } from './transform.js';

/** The parameters of one affine warp (each defaults to "no change"). */
export interface AffineParams {
  /** Rotation in degrees, counter-clockwise as the image is displayed (rows going down). */
  angle?: number;
  /** Shift in pixels `[dx, dy]`: right and down. */
  translate?: readonly [number, number];
  /** Uniform zoom factor (> 1 enlarges). */
  scale?: number;
  /** Extra zoom factors `[sx, sy]` along the width and the height (non-uniform scale). */
  stretch?: readonly [number, number];
  /** Shear angles in degrees `[shx, shy]`: x' = x + tan(shx)·y, then y' = y + tan(shy)·x'. */
  shear?: readonly [number, number];
}

/**
 * The 2×2 linear part `[a, b, c, d]` of the warp (`x' = a·x + b·y`, `y' = c·x + d·y`, about the
 * image centre): `M = R(angle) · Shear · diag(scale·sx, scale·sy)`.
 */
export function affineLinear(params: AffineParams): [number, number, number, number] {
  const th = ((params.angle ?? 0) * Math.PI) / 180;
  const [shx, shy] = (params.shear ?? [0, 0]).map((s) => Math.tan((s * Math.PI) / 180));
  const s = params.scale ?? 1;
  const [sx, sy] = params.stretch ?? [1, 1];
  // Counter-clockwise on screen with y down: (1, 0) goes to (cos θ, −sin θ).
  const cos = th === 0 ? 1 : Math.cos(th);
  const sin = th === 0 ? 0 : Math.sin(th);
  const R = [cos, sin, -sin, cos];
  const Sh = [1 + shx * shy, shx, shy, 1];
  const RS = [R[0] * Sh[0] + R[1] * Sh[2], R[0] * Sh[1] + R[1] * Sh[3], R[2] * Sh[0] + R[3] * Sh[2], R[2] * Sh[1] + R[3] * Sh[3]];
  return [RS[0] * s * sx, RS[1] * s * sy, RS[2] * s * sx, RS[3] * s * sy];
}

/** Warps one image: `out(q) = in(c + M⁻¹(q − c − t))`, c the centre ((W−1)/2, (H−1)/2). */
export function affineImage(img: Image, params: AffineParams, fill = 0): FloatArray {
  const [a, b, c, d] = affineLinear(params);
  const det = a * d - b * c;
  if (!(Math.abs(det) > 1e-12)) throw new Error(`affine: the warp is singular (determinant ${det}); check scale, stretch and shear`);
  const [ia, ib, ic, id] = [d / det, -b / det, -c / det, a / det];
  const [tx, ty] = params.translate ?? [0, 0];
  const cx = (img.width - 1) / 2;
  const cy = (img.height - 1) / 2;
  return resample(img, (x, y) => {
    const px = x - cx - tx;
    const py = y - cy - ty;
    return [cx + ia * px + ib * py, cy + ic * px + id * py];
  }, fill);
}

/**
 * Applies one affine warp to an image or every image of a batch, like
 * `torchvision.transforms.functional.affine` with bilinear interpolation.
 * @param fill Value of pixels that come from outside the image.
 */
export function affine(x: Tensor, params: AffineParams, fill = 0): Tensor {
  return mapImages('affine', x, (img) => affineImage(img, params, fill));
}

/** Options of {@link RandomAffine}. */
export interface RandomAffineOptions extends RandomOptions {
  /** Rotation range in degrees: d → [−d, d] (default 0). */
  degrees?: number | readonly [number, number];
  /** Largest shift as fractions of the width and height `[fx, fy]`: dx ∈ [−fx·W, fx·W] (sub-pixel). */
  translate?: readonly [number, number];
  /** Zoom range `[lo, hi]` (default [1, 1]). */
  scale?: readonly [number, number];
  /** Independent zoom of width and height: s → [1 − s, 1 + s] for each, or a range. */
  stretch?: number | readonly [number, number];
  /** Shear in degrees: s → shx ∈ [−s, s]; `[lo, hi]` → shx; `[xlo, xhi, ylo, yhi]` → shx and shy. */
  shear?: number | readonly [number, number] | readonly [number, number, number, number];
  /** Value of pixels that come from outside the image (default 0). */
  fill?: number;
}

/**
 * A random affine warp per image, like `torchvision.transforms.RandomAffine` plus a non-uniform
 * `stretch`. Draws, in order: angle, dx, dy, scale, shx, shy, sx, sy (each uniform in its range;
 * a range of one value draws nothing). `p` defaults to 1.
 * @example new RandomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 10 })
 */
export class RandomAffine extends RandomTransform {
  /** Rotation range in degrees `[lo, hi]` (default [0, 0]). */
  readonly degrees: [number, number];
  /** Largest shift as fractions of the width and height `[fx, fy]` (default [0, 0]). */
  readonly translate: [number, number];
  /** Zoom range `[lo, hi]` (default [1, 1]). */
  readonly scale: [number, number];
  /** Range `[lo, hi]` of the independent zooms of width and height (default [1, 1]). */
  readonly stretch: [number, number];
  /** Range `[lo, hi]` of the shear along x, in degrees (default [0, 0]). */
  readonly shearX: [number, number];
  /** Range `[lo, hi]` of the shear along y, in degrees (default [0, 0]). */
  readonly shearY: [number, number];
  /** Value of pixels that come from outside the image (default 0). */
  readonly fill: number;

  constructor(options: RandomAffineOptions = {}) {
    super(options.p ?? 1, options.generator);
    const op = 'RandomAffine';
    this.degrees = toRange(op, 'degrees', options.degrees ?? 0);
    const [fx, fy] = options.translate ?? [0, 0];
    if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) throw new Error(`${op}: translate fractions must be in [0, 1], got [${fx}, ${fy}]`);
    this.translate = [fx, fy];
    this.scale = toRange(op, 'scale', options.scale ?? [1, 1], 1, Number.MIN_VALUE);
    this.stretch = toRange(op, 'stretch', options.stretch ?? 0, 1, Number.MIN_VALUE);
    const sh = options.shear ?? 0;
    if (typeof sh === 'number' || sh.length === 2) {
      this.shearX = toRange(op, 'shear', sh as number | [number, number]);
      this.shearY = [0, 0];
    } else if (sh.length === 4) {
      this.shearX = toRange(op, 'shear x', [sh[0], sh[1]]);
      this.shearY = toRange(op, 'shear y', [sh[2], sh[3]]);
    } else {
      throw new Error(`${op}: shear must be a number, 2 or 4 numbers, got ${JSON.stringify(sh)}`);
    }
    for (const r of [this.shearX, this.shearY]) {
      if (r[0] <= -90 || r[1] >= 90) throw new Error(`${op}: shear angles must lie in (−90°, 90°), got [${r.join(', ')}]`);
    }
    this.fill = options.fill ?? 0;
  }

  /** Draws the parameters of one warp for an image of `width`×`height`. */
  sampleParams(g: Generator, width: number, height: number): AffineParams {
    const angle = uniform(g, this.degrees);
    const dx = uniform(g, [-this.translate[0] * width, this.translate[0] * width]);
    const dy = uniform(g, [-this.translate[1] * height, this.translate[1] * height]);
    const scale = uniform(g, this.scale);
    const shear: [number, number] = [uniform(g, this.shearX), uniform(g, this.shearY)];
    const stretch: [number, number] = [uniform(g, this.stretch), uniform(g, this.stretch)];
    return { angle, translate: [dx, dy], scale, shear, stretch };
  }

  protected transformImage(img: Image, g: Generator): FloatArray {
    return affineImage(img, this.sampleParams(g, img.width, img.height), this.fill);
  }
}
