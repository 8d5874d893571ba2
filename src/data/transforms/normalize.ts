/**
 * Per-channel normalisation.
 * @module
 */
import type { Tensor } from '../../core/tensor.js';
import { mapImages, type Transform } from './transform.js';

/**
 * `out[c] = (x[c] − mean[c]) / std[c]` per channel, like `torchvision.transforms.Normalize`.
 * A single number applies to every channel.
 * @example new Normalize(0.1307, 0.3081) // MNIST
 */
export class Normalize implements Transform {
  /** Per-channel means (a single value applies to every channel). */
  readonly mean: readonly number[];
  /** Per-channel standard deviations (a single value applies to every channel). */
  readonly std: readonly number[];

  constructor(mean: number | readonly number[], std: number | readonly number[]) {
    this.mean = typeof mean === 'number' ? [mean] : [...mean];
    this.std = typeof std === 'number' ? [std] : [...std];
    if (this.std.some((s) => !(s !== 0) || !Number.isFinite(s))) {
      throw new Error(`Normalize: std must be non-zero finite numbers, got [${this.std.join(', ')}]`);
    }
    if (this.mean.some((m) => !Number.isFinite(m))) throw new Error(`Normalize: mean must be finite, got [${this.mean.join(', ')}]`);
  }

  /** Normalises each channel of an image [C,H,W], [H,W] or batch [N,C,H,W] (a new tensor). */
  apply(x: Tensor): Tensor {
    return mapImages('Normalize', x, (img) => {
      const { channels: c, height: h, width: w } = img;
      const pick = (v: readonly number[], name: string, ch: number): number => {
        if (v.length === 1) return v[0];
        if (v.length !== c) throw new Error(`Normalize: ${name} has ${v.length} values but the image has ${c} channels`);
        return v[ch];
      };
      const out = new (img.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(img.data.length);
      for (let ch = 0; ch < c; ch++) {
        const m = pick(this.mean, 'mean', ch);
        const s = pick(this.std, 'std', ch);
        for (let i = ch * h * w; i < (ch + 1) * h * w; i++) out[i] = (img.data[i] - m) / s;
      }
      return out;
    });
  }
}
