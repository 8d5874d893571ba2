/**
 * Any picture of a digit → a 28×28 grey image like MNIST's. MNIST's own preprocessing (LeCun et
 * al.): each digit was size-normalised to fit a 20×20 box, keeping its aspect ratio, with
 * anti-aliasing, then placed in a 28×28 field so that its centre of mass is at the centre.
 * Digits are light on a dark background.
 * @module
 */
import { fromTypedArray } from '../../core/creation.js';
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';

/** Options of {@link toMnistImage}. */
export interface ToMnistOptions {
  /** 'auto' (default): invert when the border is lighter than mid-grey; true / false force it. */
  invert?: boolean | 'auto';
  /** Side of the box the digit is scaled to fit (default 20, MNIST's). */
  box?: number;
  /** Side of the output field (default 28). */
  size?: number;
}

/**
 * Resizes a grey image by area averaging: each output pixel is the mean of the input area it
 * covers, fractional pixels weighted by their overlap (the anti-aliasing of a box filter; exact
 * for any ratio, up or down).
 */
export function resizeArea(src: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  const sy = h / outH;
  const sx = w / outW;
  // Overlap of each output column with each input column, computed once per axis.
  const weights = (n: number, outN: number, s: number): { start: number; w: number[] }[] => Array.from({ length: outN }, (_, o) => {
    const a = o * s;
    const b = (o + 1) * s;
    const start = Math.floor(a);
    const ws: number[] = [];
    for (let i = start; i < Math.min(n, Math.ceil(b)); i++) ws.push((Math.min(b, i + 1) - Math.max(a, i)) / s);
    return { start, w: ws };
  });
  const wy = weights(h, outH, sy);
  const wx = weights(w, outW, sx);
  for (let oy = 0; oy < outH; oy++) {
    const ry = wy[oy];
    for (let ox = 0; ox < outW; ox++) {
      const rx = wx[ox];
      let acc = 0;
      for (let i = 0; i < ry.w.length; i++) {
        const row = (ry.start + i) * w;
        for (let j = 0; j < rx.w.length; j++) acc += ry.w[i] * rx.w[j] * src[row + rx.start + j];
      }
      out[oy * outW + ox] = acc;
    }
  }
  return out;
}

/** Mean of the outermost pixels: the background's grey level. */
function borderMean(px: Float32Array, h: number, w: number): number {
  let s = 0;
  let n = 0;
  for (let x = 0; x < w; x++) {
    s += px[x] + px[(h - 1) * w + x];
    n += 2;
  }
  for (let y = 1; y < h - 1; y++) {
    s += px[y * w] + px[y * w + w - 1];
    n += 2;
  }
  return s / n;
}

/**
 * Converts a grey image [1,H,W] (or [H,W]) with values in [0, 1] to MNIST's form, a float32
 * [1,28,28] in [0, 1]: inverted if its background is light, background subtracted and contrast
 * stretched so the darkest ink is 1, cropped to the digit's bounding box, scaled by area averaging
 * so its longer side is 20 pixels, and placed with its centre of mass at pixel (14, 14) of the
 * 28×28 field, as in MNIST. Throws when the image holds no digit (a blank image).
 */
export function toMnistImage(image: Tensor, options: ToMnistOptions = {}): Tensor {
  const s = image.shape;
  if (!((s.length === 3 && s[0] === 1) || s.length === 2)) {
    throw new Error(`toMnistImage: expected a grey image [1,H,W] or [H,W], got ${fmtShape(s)} (read it with mode 'L')`);
  }
  const h = s[s.length - 2];
  const w = s[s.length - 1];
  const box = options.box ?? 20;
  const size = options.size ?? 28;
  let px = Float32Array.from(image.dataSync() as ArrayLike<number>);
  const bg0 = borderMean(px, h, w);
  const invert = options.invert === undefined || options.invert === 'auto' ? bg0 > 0.5 : options.invert;
  if (invert) px = px.map((v) => 1 - v);
  // Background to 0 and the strongest ink to 1.
  const bg = borderMean(px, h, w);
  let max = 0;
  for (const v of px) max = Math.max(max, v);
  if (!(max - bg > 0.05)) throw new Error(`toMnistImage: the image (${w}×${h}) looks blank: no digit stands out from its background`);
  px = px.map((v) => Math.min(1, Math.max(0, (v - bg) / (max - bg))));
  // Bounding box of the ink (pixels above a tenth of full ink, to ignore faint noise).
  let [top, bottom, left, right] = [h, -1, w, -1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (px[y * w + x] > 0.1) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const bh = bottom - top + 1;
  const bw = right - left + 1;
  // Crop to a square around the box (keeps the aspect ratio), then scale the square to `box`.
  const side = Math.max(bh, bw);
  const square = new Float32Array(side * side);
  const oy = Math.floor((side - bh) / 2);
  const ox = Math.floor((side - bw) / 2);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) square[(oy + y) * side + ox + x] = px[(top + y) * w + left + x];
  }
  const digit = resizeArea(square, side, side, box, box);
  // Centre of mass of the scaled digit, moved by a whole-pixel shift to pixel (14, 14) of the
  // 28×28 field: where MNIST's digits have theirs (0-based pixel indices, so half a pixel past
  // the geometric centre 13.5).
  let m = 0;
  let my = 0;
  let mx = 0;
  for (let y = 0; y < box; y++) {
    for (let x = 0; x < box; x++) {
      const v = digit[y * box + x];
      m += v;
      my += v * y;
      mx += v * x;
    }
  }
  const cy = my / m;
  const cx = mx / m;
  const dy = Math.round(size / 2 - cy);
  const dx = Math.round(size / 2 - cx);
  const out = new Float32Array(size * size);
  for (let y = 0; y < box; y++) {
    for (let x = 0; x < box; x++) {
      const ty = y + dy;
      const tx = x + dx;
      if (ty >= 0 && ty < size && tx >= 0 && tx < size) out[ty * size + tx] = digit[y * box + x];
    }
  }
  return fromTypedArray(out, [1, size, size]);
}
