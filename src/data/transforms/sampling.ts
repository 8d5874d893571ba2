/**
 * Pixel arithmetic shared by the geometric and blur transforms: bilinear sampling, reflect
 * indexing and separable Gaussian filtering, over one channel-major image.
 * @module
 */
import type { FloatArray, Image } from './transform.js';

/**
 * Resamples every channel at source coordinates: `out[ch][y][x] = in[ch](u, v)` with
 * `(u, v) = coords(x, y)` (u along the width, v along the height, in pixel units), interpolated
 * bilinearly. Taps outside the image read `fill`, so borders fade into the fill value.
 */
export function resample(img: Image, coords: (x: number, y: number) => [number, number], fill: number): FloatArray {
  const { data, channels: c, height: h, width: w } = img;
  const out = new (data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(data.length);
  const plane = h * w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [u, v] = coords(x, y);
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      const in00 = x0 >= 0 && x0 < w && y0 >= 0 && y0 < h;
      const in10 = x0 + 1 >= 0 && x0 + 1 < w && y0 >= 0 && y0 < h;
      const in01 = x0 >= 0 && x0 < w && y0 + 1 >= 0 && y0 + 1 < h;
      const in11 = x0 + 1 >= 0 && x0 + 1 < w && y0 + 1 >= 0 && y0 + 1 < h;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const p = y0 * w + x0;
      for (let ch = 0; ch < c; ch++) {
        const base = ch * plane;
        const v00 = in00 ? data[base + p] : fill;
        const v10 = in10 ? data[base + p + 1] : fill;
        const v01 = in01 ? data[base + p + w] : fill;
        const v11 = in11 ? data[base + p + w + 1] : fill;
        out[base + y * w + x] = w00 * v00 + w10 * v10 + w01 * v01 + w11 * v11;
      }
    }
  }
  return out;
}

/** Index `i` reflected into [0, n) without repeating the edge (PyTorch's 'reflect' padding). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/** The normalised 1-d Gaussian kernel of odd `size`: `k[i] ∝ exp(−x²/2σ²)`, x = i − (size−1)/2. */
export function gaussianKernel1d(size: number, sigma: number): Float64Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) {
    throw new Error(`gaussianKernel1d: kernel size must be a positive odd integer, got ${size}`);
  }
  if (!(sigma > 0)) throw new Error(`gaussianKernel1d: sigma must be positive, got ${sigma}`);
  const k = new Float64Array(size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - half;
    k[i] = Math.exp(-(x * x) / (2 * sigma * sigma));
    sum += k[i];
  }
  for (let i = 0; i < size; i++) k[i] /= sum;
  return k;
}

/** Reflected source index for each tap position −half … n−1+half (so the inner loop needs no modulo). */
function reflectTable(n: number, half: number): Int32Array {
  const t = new Int32Array(n + 2 * half);
  for (let i = 0; i < t.length; i++) t[i] = reflectIndex(i - half, n);
  return t;
}

/** Correlates each row (axis 'x') or column (axis 'y') of every channel with `k`, reflect-padded. */
function filterAxis(src: Float64Array, c: number, h: number, w: number, k: Float64Array, axis: 'x' | 'y'): Float64Array {
  const out = new Float64Array(src.length);
  const taps = k.length;
  const half = (taps - 1) / 2;
  if (axis === 'x') {
    const idx = reflectTable(w, half);
    for (let row = 0; row < c * h; row++) {
      const base = row * w;
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let t = 0; t < taps; t++) acc += k[t] * src[base + idx[x + t]];
        out[base + x] = acc;
      }
    }
  } else {
    const idx = reflectTable(h, half);
    for (let ch = 0; ch < c; ch++) {
      const base = ch * h * w;
      for (let y = 0; y < h; y++) {
        const o = base + y * w;
        for (let t = 0; t < taps; t++) {
          const kt = k[t];
          const s = base + idx[y + t] * w;
          for (let x = 0; x < w; x++) out[o + x] += kt * src[s + x];
        }
      }
    }
  }
  return out;
}

/** A separable filter: rows with `kx`, then columns with `ky`, reflect padding, in float64. */
export function separableFilter(img: Image, kx: Float64Array, ky: Float64Array): Float64Array {
  const { channels: c, height: h, width: w } = img;
  return filterAxis(filterAxis(Float64Array.from(img.data), c, h, w, kx, 'x'), c, h, w, ky, 'y');
}
