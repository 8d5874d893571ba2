/**
 * Reference im2col/col2im: the two kernels every convolution and transposed convolution is
 * built from (conv = im2col + matmul, its input gradient = matmul + col2im).
 * @module
 */
import type { View } from '../../core/backend.js';
import type { Conv2dGeometry } from '../../core/conv_shape.js';
import { allocArray, type TypedArray } from '../../core/dtype.js';
import { contiguousData } from './storage.js';

/** Output columns ow whose input column ow·s + offset lies in [0, size): [lo, hi). */
function validRange(offset: number, stride: number, size: number, count: number): [number, number] {
  const lo = offset >= 0 ? 0 : Math.ceil(-offset / stride);
  const hi = Math.min(count, Math.floor((size - 1 - offset) / stride) + 1);
  return [Math.min(lo, count), Math.max(hi, 0)];
}

/** x [N, C, H, W] → [N, C·kH·kW, outH·outW]; taps outside the image stay 0. */
export function im2colKernel(x: View, g: Conv2dGeometry): TypedArray {
  const [N, C, H, W] = x.shape;
  const X = contiguousData(x);
  const K = g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const out = allocArray(x.storage.dtype, N * C * K * L);
  for (let plane = 0; plane < N * C; plane++) {
    const src = plane * H * W;
    for (let i = 0; i < g.kernelH; i++) {
      const offH = i * g.dilationH - g.padTop;
      for (let j = 0; j < g.kernelW; j++) {
        const offW = j * g.dilationW - g.padLeft;
        const [lo, hi] = validRange(offW, g.strideW, W, g.outW);
        const row = (plane * K + i * g.kernelW + j) * L;
        for (let oh = 0; oh < g.outH; oh++) {
          const ih = oh * g.strideH + offH;
          if (ih < 0 || ih >= H) continue;
          const s = src + ih * W + offW;
          const d = row + oh * g.outW;
          for (let ow = lo; ow < hi; ow++) out[d + ow] = X[s + ow * g.strideW];
        }
      }
    }
  }
  return out;
}

/** cols [N, C·kH·kW, outH·outW] → [N, C, H, W], summing overlapping taps (in double precision). */
export function col2imKernel(cols: View, g: Conv2dGeometry): TypedArray {
  const [N, CK] = cols.shape;
  const K = g.kernelH * g.kernelW;
  const C = CK / K;
  const H = g.height;
  const W = g.width;
  const L = g.outH * g.outW;
  const S = contiguousData(cols);
  const acc = new Float64Array(N * C * H * W);
  for (let plane = 0; plane < N * C; plane++) {
    const dst = plane * H * W;
    for (let i = 0; i < g.kernelH; i++) {
      const offH = i * g.dilationH - g.padTop;
      for (let j = 0; j < g.kernelW; j++) {
        const offW = j * g.dilationW - g.padLeft;
        const [lo, hi] = validRange(offW, g.strideW, W, g.outW);
        const row = (plane * K + i * g.kernelW + j) * L;
        for (let oh = 0; oh < g.outH; oh++) {
          const ih = oh * g.strideH + offH;
          if (ih < 0 || ih >= H) continue;
          const d = dst + ih * W + offW;
          const s = row + oh * g.outW;
          for (let ow = lo; ow < hi; ow++) acc[d + ow * g.strideW] += S[s + ow];
        }
      }
    }
  }
  const out = allocArray(cols.storage.dtype, acc.length);
  out.set(acc);
  return out;
}

/**
 * Swaps the two outer dims of `src` viewed as [A, B, L] into [B, A, L] (rows of L move whole):
 * the batch-folded column layout [C·kH·kW, N·L] from [N, C·kH·kW, L] and back.
 */
export function swapOuter(src: TypedArray, A: number, B: number, L: number): TypedArray {
  const out = allocArray(dtypeOf(src), src.length);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) out.set(src.subarray((a * B + b) * L, (a * B + b + 1) * L), (b * A + a) * L);
  }
  return out;
}

function dtypeOf(a: TypedArray): 'float32' | 'float64' | 'int32' | 'bool' {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

/** im2col with the batch folded into the columns: x [N, C, H, W] → [C·kH·kW, N·outH·outW]. */
export function im2colBatchedKernel(x: View, g: Conv2dGeometry): TypedArray {
  const N = x.shape[0];
  const L = g.outH * g.outW;
  const cols = im2colKernel(x, g);
  return swapOuter(cols, N, N * L === 0 ? 0 : cols.length / (N * L), L);
}
