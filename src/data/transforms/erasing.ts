/**
 * Random erasing (Zhong et al., 2017), as `torchvision.transforms.RandomErasing`.
 * @module
 */
import type { Generator } from '../../core/random.js';
import { RandomTransform, toRange, uniform, type FloatArray, type Image, type RandomOptions } from './transform.js';

/** Options of {@link RandomErasing}. */
export interface RandomErasingOptions extends RandomOptions {
  /** Erased area as a fraction of the image area `[lo, hi]` (default [0.02, 0.33]). */
  scale?: readonly [number, number];
  /** Aspect ratio h/w of the erased box `[lo, hi]`, drawn log-uniformly (default [0.3, 3.3]). */
  ratio?: readonly [number, number];
  /** Fill value, or `'random'` for standard normal noise per pixel (default 0). */
  value?: number | 'random';
}

/**
 * Erases one random rectangle per image. Up to 10 tries, each drawing an area fraction
 * (uniform in `scale`) and an aspect ratio (log-uniform in `ratio`), giving h = round(√(A·r)),
 * w = round(√(A/r)); the first box that fits gets a random position (top, then left).
 * When none fits the image passes unchanged. `p` defaults to 0.5.
 */
export class RandomErasing extends RandomTransform {
  /** Range `[lo, hi]` of the erased area as a fraction of the image area (default [0.02, 0.33]). */
  readonly scale: [number, number];
  /** Range `[lo, hi]` of the erased box's aspect ratio h/w, drawn log-uniformly (default [0.3, 3.3]). */
  readonly ratio: [number, number];
  /** Fill value, or `'random'` for standard normal noise per pixel (default 0). */
  readonly value: number | 'random';

  constructor(options: RandomErasingOptions = {}) {
    super(options.p ?? 0.5, options.generator);
    this.scale = toRange('RandomErasing', 'scale', options.scale ?? [0.02, 0.33], 0, 0);
    if (this.scale[1] > 1) throw new Error(`RandomErasing: scale must lie in [0, 1], got [${this.scale.join(', ')}]`);
    this.ratio = toRange('RandomErasing', 'ratio', options.ratio ?? [0.3, 3.3], 0, Number.MIN_VALUE);
    this.value = options.value ?? 0;
  }

  /** The box `[top, left, h, w]` for an image, or null when 10 tries found none. */
  sampleBox(g: Generator, height: number, width: number): [number, number, number, number] | null {
    const area = height * width;
    const logRatio: [number, number] = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const eraseArea = area * uniform(g, this.scale);
      const aspect = Math.exp(uniform(g, logRatio));
      const h = Math.round(Math.sqrt(eraseArea * aspect));
      const w = Math.round(Math.sqrt(eraseArea / aspect));
      if (!(h < height && w < width)) continue;
      const top = g.randint(0, height - h + 1);
      const left = g.randint(0, width - w + 1);
      return [top, left, h, w];
    }
    return null;
  }

  protected transformImage(img: Image, g: Generator): FloatArray {
    const box = this.sampleBox(g, img.height, img.width);
    if (!box) return img.data;
    const [top, left, h, w] = box;
    const out = img.data.slice();
    for (let ch = 0; ch < img.channels; ch++) {
      for (let y = top; y < top + h; y++) {
        for (let x = left; x < left + w; x++) {
          out[(ch * img.height + y) * img.width + x] = this.value === 'random' ? g.normal() : this.value;
        }
      }
    }
    return out;
  }
}
