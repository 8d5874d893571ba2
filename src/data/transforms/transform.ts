/**
 * The transform protocol and its base class: a transform maps an image tensor [C,H,W]
 * (or [H,W], or a batch [N,C,H,W] image by image) to a new tensor of the same shape.
 * Transforms are data preprocessing on the CPU, in plain TypeScript over typed arrays; they are not
 * differentiable and do not record a graph.
 * @module
 */
import { fromTypedArray } from '../../core/creation.js';
import { defaultGenerator, type Generator } from '../../core/random.js';
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';

/** Elements of a floating image. */
export type FloatArray = Float32Array | Float64Array;

/** One image in channel-major layout: `data[(ch·h + y)·w + x]`. */
export interface Image {
  data: FloatArray;
  channels: number;
  height: number;
  width: number;
}

/** Anything that transforms a tensor. */
export interface Transform {
  /** The transformed tensor (a new tensor; the input is not modified). */
  apply(x: Tensor): Tensor;
}

/** A transform object or a plain function. */
export type TransformLike = Transform | ((x: Tensor) => Tensor);

/** Applies a {@link TransformLike}. */
export function applyTransform(t: TransformLike, x: Tensor): Tensor {
  return typeof t === 'function' ? t(x) : t.apply(x);
}

/** Options every random transform takes. */
export interface RandomOptions {
  /** Probability of transforming each image (default: the transform's own, usually 0.5 or 1). */
  p?: number;
  /** Generator to draw from (the default generator otherwise, so `manualSeed` fixes the draws). */
  generator?: Generator;
}

/** The images of an image tensor, as [N,C,H,W] with N = 1 for [C,H,W] and [H,W]. */
export function imageLayout(op: string, x: Tensor): { n: number; c: number; h: number; w: number } {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new Error(`${op}: expected a float32 or float64 image, got ${x.dtype} ${fmtShape(x.shape)} (convert with .to('float32') and scale to [0, 1])`);
  }
  const s = x.shape;
  if (s.length === 2) return { n: 1, c: 1, h: s[0], w: s[1] };
  if (s.length === 3) return { n: 1, c: s[0], h: s[1], w: s[2] };
  if (s.length === 4) return { n: s[0], c: s[1], h: s[2], w: s[3] };
  throw new Error(`${op}: expected an image [H,W], [C,H,W] or a batch [N,C,H,W], got ${fmtShape(s)}`);
}

/** Runs `fn` on each image of `x` and returns a tensor of the same shape and dtype. */
export function mapImages(op: string, x: Tensor, fn: (img: Image, index: number) => FloatArray): Tensor {
  const { n, c, h, w } = imageLayout(op, x);
  const data = x.dataSync() as FloatArray;
  const size = c * h * w;
  const out = x.dtype === 'float64' ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    const img: Image = { data: data.subarray(i * size, (i + 1) * size), channels: c, height: h, width: w };
    out.set(fn(img, i), i * size);
  }
  return fromTypedArray(out, x.shape);
}

/** Throws unless `p` is a probability. */
export function checkProbability(op: string, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`${op}: p must be a probability in [0, 1], got ${p}`);
  return p;
}

/** A range [lo, hi] from a number v (→ [center − v, center + v]) or a pair. */
export function toRange(op: string, name: string, v: number | readonly [number, number], center = 0, min = -Infinity): [number, number] {
  const r: [number, number] = typeof v === 'number' ? [center - v, center + v] : [v[0], v[1]];
  if (typeof v === 'number' && v < 0) throw new Error(`${op}: ${name} must be non-negative, got ${v}`);
  if (!(r[0] <= r[1]) || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || r[0] < min) {
    throw new Error(`${op}: ${name} must be a range [lo, hi] with ${Number.isFinite(min) ? `${min} ≤ ` : ''}lo ≤ hi, got ${JSON.stringify(v)}`);
  }
  return r;
}

/** Uniform draw in [lo, hi] (no draw when the range is a single value). */
export function uniform(g: Generator, [lo, hi]: readonly [number, number]): number {
  return lo === hi ? lo : lo + (hi - lo) * g.random();
}

/**
 * Base of the random per-image transforms: for each image, with probability `p`, draws its
 * parameters and transforms it; otherwise the image passes unchanged. One uniform draw decides
 * each image unless p is 0 or 1, so a seeded generator gives the same result every run.
 */
export abstract class RandomTransform implements Transform {
  /** Probability of transforming each image. */
  readonly p: number;
  /** The generator given at construction (null: the default generator). */
  readonly generator: Generator | null;

  constructor(p: number, generator: Generator | undefined) {
    this.p = checkProbability(this.constructor.name, p);
    this.generator = generator ?? null;
  }

  /** Transforms one image, drawing its random parameters from `g`. */
  protected abstract transformImage(img: Image, g: Generator): FloatArray;

  /** Transforms each image of `x` with probability `p` (a new tensor; the input is not modified). */
  apply(x: Tensor): Tensor {
    const g = this.generator ?? defaultGenerator;
    return mapImages(this.constructor.name, x, (img) => {
      const go = this.p >= 1 ? true : this.p <= 0 ? false : g.random() < this.p;
      return go ? this.transformImage(img, g) : img.data;
    });
  }
}

/**
 * Chains transforms, like `torchvision.transforms.Compose`.
 * @example
 * const aug = new Compose([new RandomAffine({ degrees: 10 }), new Normalize(0.1307, 0.3081)]);
 * const xb2 = aug.apply(xb);
 */
export class Compose implements Transform {
  /** The transforms, applied in order. */
  readonly transforms: readonly TransformLike[];

  constructor(transforms: readonly TransformLike[]) {
    this.transforms = [...transforms];
  }

  /** Applies every transform in order (a new tensor; the input is not modified). */
  apply(x: Tensor): Tensor {
    let y = x;
    for (const t of this.transforms) y = applyTransform(t, y);
    return y;
  }
}
