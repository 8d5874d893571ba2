/**
 * Brightness and contrast ("glare").
 * @module
 */
import type { Generator } from '../../core/random.js';
import type { Tensor } from '../../core/tensor.js';
import { mapImages, RandomTransform, toRange, uniform, type FloatArray, type Image, type RandomOptions } from './transform.js';

/**
 * Changes contrast about the image mean and shifts brightness:
 * `out = clamp(contrast·(x − m) + m + brightness, lo, hi)`, m the mean of all the image's pixels.
 * `clamp: null` leaves values unclamped.
 */
export function brightnessContrastImage(img: Image, brightness: number, contrast: number, clamp: readonly [number, number] | null = [0, 1]): FloatArray {
  const x = img.data;
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  m = x.length ? m / x.length : 0;
  const out = new (x.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(x.length);
  const lo = clamp ? clamp[0] : -Infinity;
  const hi = clamp ? clamp[1] : Infinity;
  for (let i = 0; i < x.length; i++) out[i] = Math.min(hi, Math.max(lo, contrast * (x[i] - m) + m + brightness));
  return out;
}

/** Applies a fixed brightness shift and contrast factor to an image or every image of a batch. */
export function adjustBrightnessContrast(x: Tensor, brightness: number, contrast: number, clamp: readonly [number, number] | null = [0, 1]): Tensor {
  return mapImages('adjustBrightnessContrast', x, (img) => brightnessContrastImage(img, brightness, contrast, clamp));
}

/** Options of {@link BrightnessContrast}. */
export interface BrightnessContrastOptions extends RandomOptions {
  /** Brightness shift: b → [−b, b], or a range (default 0.2). */
  brightness?: number | readonly [number, number];
  /** Contrast factor: c → [1 − c, 1 + c], or a range (default 0.2). */
  contrast?: number | readonly [number, number];
  /** Output range (default [0, 1], for images before `Normalize`); null for none. */
  clamp?: readonly [number, number] | null;
}

/**
 * Random brightness and contrast per image ("glare", albumentations' `RandomBrightnessContrast`
 * with contrast about the mean): draws the contrast factor, then the brightness shift.
 * `p` defaults to 0.5.
 */
export class BrightnessContrast extends RandomTransform {
  /** Range `[lo, hi]` of the brightness shift added to every pixel (default [−0.2, 0.2]). */
  readonly brightness: [number, number];
  /** Range `[lo, hi]` of the contrast factor about the image mean (default [0.8, 1.2]). */
  readonly contrast: [number, number];
  /** Output range `[lo, hi]` (default [0, 1]), or null for none. */
  readonly clamp: readonly [number, number] | null;

  constructor(options: BrightnessContrastOptions = {}) {
    super(options.p ?? 0.5, options.generator);
    this.brightness = toRange('BrightnessContrast', 'brightness', options.brightness ?? 0.2);
    this.contrast = toRange('BrightnessContrast', 'contrast', options.contrast ?? 0.2, 1, 0);
    this.clamp = options.clamp === undefined ? [0, 1] : options.clamp;
  }

  protected transformImage(img: Image, g: Generator): FloatArray {
    const c = uniform(g, this.contrast);
    const b = uniform(g, this.brightness);
    return brightnessContrastImage(img, b, c, this.clamp);
  }
}
