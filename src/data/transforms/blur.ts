/**
 * Gaussian blur.
 * @module
 */
import type { Generator } from '../../core/random.js';
import type { Tensor } from '../../core/tensor.js';
import { gaussianKernel1d, separableFilter } from './sampling.js';
import { mapImages, RandomTransform, toRange, uniform, type FloatArray, type Image, type RandomOptions } from './transform.js';

function toCopy(img: Image, values: Float64Array): FloatArray {
  return img.data instanceof Float64Array ? values : Float32Array.from(values);
}

function kernelSizes(op: string, kernelSize: number | readonly [number, number]): [number, number] {
  const [kx, ky] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  for (const k of [kx, ky]) {
    if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`${op}: kernel size must be positive odd integers, got ${JSON.stringify(kernelSize)}`);
  }
  return [kx, ky];
}

/**
 * Blurs one image with a Gaussian: `out = I ⋆ (kx ⊗ ky)`, `k[i] ∝ exp(−x²/2σ²)` normalised to
 * sum 1, reflect padding (as `torchvision.transforms.functional.gaussian_blur`).
 */
export function gaussianBlurImage(img: Image, kernelSize: number | readonly [number, number], sigma: number | readonly [number, number]): FloatArray {
  const [kx, ky] = kernelSizes('gaussianBlur', kernelSize);
  const [sx, sy] = typeof sigma === 'number' ? [sigma, sigma] : sigma;
  return toCopy(img, separableFilter(img, gaussianKernel1d(kx, sx), gaussianKernel1d(ky, sy)));
}

/** Blurs an image or every image of a batch with a fixed Gaussian. */
export function gaussianBlur(x: Tensor, kernelSize: number | readonly [number, number], sigma: number | readonly [number, number]): Tensor {
  return mapImages('gaussianBlur', x, (img) => gaussianBlurImage(img, kernelSize, sigma));
}

/**
 * A Gaussian blur with σ drawn per image uniformly from `sigma` (a number: fixed),
 * like `torchvision.transforms.GaussianBlur`. `p` defaults to 1.
 * @example new GaussianBlur(3, [0.1, 1.0], { p: 0.3 })
 */
export class GaussianBlur extends RandomTransform {
  /** Kernel size `[kx, ky]` (width, height), positive odd integers. */
  readonly kernelSize: [number, number];
  /** Range `[lo, hi]` of the Gaussian's std σ in pixels, drawn per image (default [0.1, 2.0]). */
  readonly sigma: [number, number];

  constructor(kernelSize: number | readonly [number, number], sigma: number | readonly [number, number] = [0.1, 2.0], options: RandomOptions = {}) {
    super(options.p ?? 1, options.generator);
    this.kernelSize = kernelSizes('GaussianBlur', kernelSize);
    this.sigma = typeof sigma === 'number' ? [sigma, sigma] : [sigma[0], sigma[1]];
    toRange('GaussianBlur', 'sigma', this.sigma, 0, Number.MIN_VALUE);
  }

  protected transformImage(img: Image, g: Generator): FloatArray {
    return gaussianBlurImage(img, this.kernelSize, uniform(g, this.sigma));
  }
}
