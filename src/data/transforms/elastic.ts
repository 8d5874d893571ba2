/**
 * Elastic distortion (Simard, Steinkraus & Platt, 2003, "Best practices for convolutional neural
 * networks applied to visual document analysis").
 * @module
 */
import type { Generator } from '../../core/random.js';
import { gaussianKernel1d, resample, separableFilter } from './sampling.js';
import { RandomTransform, type FloatArray, type Image, type RandomOptions } from './transform.js';

/** Moves every pixel by its own displacement: `out(x, y) = in(x + dx[y,x], y + dy[y,x])`, bilinear. */
export function displaceImage(img: Image, dx: ArrayLike<number>, dy: ArrayLike<number>, fill = 0): FloatArray {
  const n = img.height * img.width;
  if (dx.length !== n || dy.length !== n) {
    throw new Error(`displaceImage: displacement fields need ${img.height}×${img.width} = ${n} values, got ${dx.length} and ${dy.length}`);
  }
  return resample(img, (x, y) => [x + dx[y * img.width + x], y + dy[y * img.width + x]], fill);
}

/**
 * The smoothed random field of Simard et al.: uniform(−1, 1) per pixel, convolved with a
 * normalised Gaussian of std `sigma` pixels (truncated at 4σ, reflect padding), times `alpha`.
 */
export function elasticField(g: Generator, height: number, width: number, alpha: number, sigma: number): Float64Array {
  const noise = new Float64Array(height * width);
  for (let i = 0; i < noise.length; i++) noise[i] = 2 * g.random() - 1;
  const k = gaussianKernel1d(2 * Math.ceil(4 * sigma) + 1, sigma);
  const smooth = separableFilter({ data: noise, channels: 1, height, width }, k, k);
  for (let i = 0; i < smooth.length; i++) smooth[i] *= alpha;
  return smooth;
}

/** Options of {@link ElasticDistortion}. */
export interface ElasticOptions extends RandomOptions {
  /** Strength: the smoothed field is multiplied by alpha (default 34, the paper's MNIST value). */
  alpha?: number;
  /** Smoothness: std of the Gaussian in pixels (default 4). */
  sigma?: number;
  /** Value of pixels that come from outside the image (default 0). */
  fill?: number;
}

/**
 * Elastic distortion: a random displacement field, smoothed by a Gaussian of std σ and scaled by
 * α, moves each pixel (the same field for every channel). Small σ looks like noise, large σ like
 * a translation; σ ≈ 4, α ≈ 34 gives handwriting-like wobbles on 28×28 digits. Draws dx's field,
 * then dy's. `p` defaults to 0.5.
 */
export class ElasticDistortion extends RandomTransform {
  /** Strength: the smoothed displacement field is multiplied by α (default 34). */
  readonly alpha: number;
  /** Smoothness: std σ of the Gaussian in pixels (default 4). */
  readonly sigma: number;
  /** Value of pixels that come from outside the image (default 0). */
  readonly fill: number;

  constructor(options: ElasticOptions = {}) {
    super(options.p ?? 0.5, options.generator);
    this.alpha = options.alpha ?? 34;
    this.sigma = options.sigma ?? 4;
    if (!(this.alpha >= 0) || !Number.isFinite(this.alpha)) throw new Error(`ElasticDistortion: alpha must be a non-negative number, got ${this.alpha}`);
    if (!(this.sigma > 0) || !Number.isFinite(this.sigma)) throw new Error(`ElasticDistortion: sigma must be positive, got ${this.sigma}`);
    this.fill = options.fill ?? 0;
  }

  protected transformImage(img: Image, g: Generator): FloatArray {
    const dx = elasticField(g, img.height, img.width, this.alpha, this.sigma);
    const dy = elasticField(g, img.height, img.width, this.alpha, this.sigma);
    return displaceImage(img, dx, dy, this.fill);
  }
}
