/**
 * Images to and from PNG files (with pngjs): grids of images for filters, digits and feature
 * maps, and reading any PNG as a float tensor.
 * @module
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { fromTypedArray } from '../core/creation.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { writeFileAtomic } from '../io/atomic.js';

/** Options of {@link makeGrid} and {@link saveImageGrid}. */
export interface GridOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels between and around images (default 2). */
  padding?: number;
  /** Value of the padding, in the output range [0, 1] (default 0). */
  padValue?: number;
  /** Rescale values to [0, 1] by min–max before display (default false: values are clamped to [0, 1]). */
  normalize?: boolean;
  /** With `normalize`, the [min, max] to map to [0, 1] (default: the data's own). */
  range?: readonly [number, number];
  /** With `normalize`, scale each image by its own min and max (default false). */
  scaleEach?: boolean;
  /** Integer zoom of every pixel (nearest neighbour), e.g. 4 for 28×28 digits (default 1). */
  scale?: number;
}

/**
 * Lays out images [N,C,H,W] (C = 1 or 3) or [N,H,W] in a grid, like `torchvision.utils.make_grid`:
 * `nrow` per row, `padding` pixels between them. Returns [C, rows·(H+p)+p, nrow·(W+p)+p] in [0, 1].
 */
export function makeGrid(images: Tensor, options: GridOptions = {}): Tensor {
  const s = images.shape;
  if (images.dtype === 'bool') throw new Error(`makeGrid: expected numbers, got a bool tensor ${fmtShape(s)}`);
  if (s.length !== 3 && s.length !== 4) throw new Error(`makeGrid: expected images [N,C,H,W] or [N,H,W], got ${fmtShape(s)}`);
  const [n, c, h, w] = s.length === 4 ? s : [s[0], 1, s[1], s[2]];
  if (c !== 1 && c !== 3) throw new Error(`makeGrid: images need 1 or 3 channels, got ${c} (shape ${fmtShape(s)})`);
  const nrow = options.nrow ?? 8;
  const pad = options.padding ?? 2;
  const zoom = options.scale ?? 1;
  if (!Number.isInteger(nrow) || nrow < 1) throw new Error(`makeGrid: nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`makeGrid: padding must be a non-negative integer, got ${pad}`);
  if (!Number.isInteger(zoom) || zoom < 1) throw new Error(`makeGrid: scale must be a positive integer, got ${zoom}`);
  const src = images.dataSync();
  const size = c * h * w;
  const values = Float64Array.from(src);
  if (options.normalize) {
    const rescale = (from: number, to: number): void => {
      let [lo, hi] = options.range ?? [Infinity, -Infinity];
      if (!options.range) for (let i = from; i < to; i++) { lo = Math.min(lo, values[i]); hi = Math.max(hi, values[i]); }
      const span = Math.max(hi - lo, 1e-5);
      for (let i = from; i < to; i++) values[i] = (values[i] - lo) / span;
    };
    if (options.scaleEach) for (let i = 0; i < n; i++) rescale(i * size, (i + 1) * size);
    else rescale(0, values.length);
  }
  const cols = Math.min(nrow, Math.max(n, 1));
  const rows = Math.ceil(n / cols);
  const ch = h * zoom;
  const cw = w * zoom;
  const H = rows * (ch + pad) + pad;
  const W = cols * (cw + pad) + pad;
  const out = new Float32Array(c * H * W).fill(options.padValue ?? 0);
  for (let i = 0; i < n; i++) {
    const top = pad + Math.floor(i / cols) * (ch + pad);
    const left = pad + (i % cols) * (cw + pad);
    for (let k = 0; k < c; k++) {
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          const v = values[i * size + (k * h + Math.floor(y / zoom)) * w + Math.floor(x / zoom)];
          out[(k * H + top + y) * W + left + x] = Math.min(1, Math.max(0, v));
        }
      }
    }
  }
  return fromTypedArray(out, [c, H, W]);
}

/** Encodes an image [C,H,W] (C = 1 or 3) or [H,W] with values in [0, 1] (clamped) as PNG bytes. */
export function encodePng(image: Tensor): Uint8Array {
  const s = image.shape;
  if (s.length !== 2 && s.length !== 3) throw new Error(`encodePng: expected an image [C,H,W] or [H,W], got ${fmtShape(s)}`);
  const [c, h, w] = s.length === 3 ? s : [1, s[0], s[1]];
  if (c !== 1 && c !== 3) throw new Error(`encodePng: images need 1 or 3 channels, got ${c} (shape ${fmtShape(s)})`);
  const v = image.dataSync();
  const png = new PNG({ width: w, height: h, colorType: 6 });
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) {
      const x = v[(c === 1 ? 0 : k) * h * w + p];
      // NaN shows as black rather than breaking the file.
      png.data[4 * p + k] = Number.isNaN(x) ? 0 : Math.round(255 * Math.min(1, Math.max(0, x)));
    }
    png.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: c === 1 ? 0 : 2 });
}

/** Saves an image [C,H,W] or [H,W] with values in [0, 1] as a PNG file (atomically). */
export function saveImage(image: Tensor, path: string): void {
  writeFileAtomic(path, encodePng(image));
}

/**
 * Saves a grid of images as a PNG, like `torchvision.utils.save_image`.
 * @example report.saveImageGrid(images.narrow(0, 0, 64), 'digits.png', { nrow: 8, scale: 2 })
 */
export function saveImageGrid(images: Tensor, path: string, options: GridOptions = {}): void {
  saveImage(makeGrid(images, options), path);
}

/** Options of {@link readImage}. */
export interface ReadImageOptions {
  /** 'L': one grey channel; 'RGB': three; 'auto' (default): 'L' when every pixel is grey. */
  mode?: 'L' | 'RGB' | 'auto';
  /** Grey level in [0, 1] that transparent pixels are composited over (default 1, white). */
  background?: number;
}

/** Decodes PNG bytes to a float32 tensor [C,H,W] in [0, 1] (see {@link readImage}). */
export function decodePng(bytes: Uint8Array, options: ReadImageOptions = {}, name = '<buffer>'): Tensor {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`readImage: ${name}: not a readable PNG (${(e as Error).message})`);
  }
  const { width: w, height: h, data } = png;
  const bg = options.background ?? 1;
  const rgb = new Float32Array(3 * h * w);
  let grey = true;
  for (let p = 0; p < h * w; p++) {
    const a = data[4 * p + 3] / 255;
    for (let k = 0; k < 3; k++) rgb[k * h * w + p] = (data[4 * p + k] / 255) * a + bg * (1 - a);
    if (data[4 * p] !== data[4 * p + 1] || data[4 * p] !== data[4 * p + 2]) grey = false;
  }
  const mode = options.mode ?? 'auto';
  if (mode === 'RGB' || (mode === 'auto' && !grey)) return fromTypedArray(rgb, [3, h, w]);
  const L = new Float32Array(h * w);
  // ITU-R 601 luma, as PIL's convert('L').
  for (let p = 0; p < h * w; p++) L[p] = 0.299 * rgb[p] + 0.587 * rgb[h * w + p] + 0.114 * rgb[2 * h * w + p];
  return fromTypedArray(L, [1, h, w]);
}

/**
 * Reads any PNG (grey, RGB, palette, with alpha, 8 or 16 bits) as a float32 tensor [C,H,W] in
 * [0, 1]: grey [1,H,W] or colour [3,H,W]. Transparency is composited over `background`.
 */
export function readImage(path: string, options: ReadImageOptions = {}): Tensor {
  return decodePng(readFileSync(path), options, path);
}
