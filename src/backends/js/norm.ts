/**
 * Reference batch normalisation kernels (see `Backend.batchNorm` and `Backend.batchNormBackward`):
 * every sum and product in float64, each result rounded once to the dtype.
 * @module
 */
import type { View } from '../../core/backend.js';
import { allocArray, type TypedArray } from '../../core/dtype.js';
import { numel } from '../../core/shape.js';
import { contiguousData } from './storage.js';

/** [N, C, S] of an [N, C, ...] view (S = the product of the dims after 1). */
export function channelLayout(shape: readonly number[]): [number, number, number] {
  return [shape[0], shape[1], numel(shape.slice(2))];
}

function floatingAlike(x: View, others: readonly (View | null)[]): boolean {
  const dtype = x.storage.dtype;
  return (dtype === 'float32' || dtype === 'float64') && others.every((v) => v === null || v.storage.dtype === dtype);
}

/**
 * Training forward: [output, mean, invstd, biased variance] (see `Backend.batchNorm`), or null
 * for dtypes it does not handle (non-floating, or weight/bias of another dtype).
 */
export function batchNormKernel(x: View, weight: View | null, bias: View | null, eps: number): [TypedArray, TypedArray, TypedArray, TypedArray] | null {
  if (!floatingAlike(x, [weight, bias])) return null;
  const dtype = x.storage.dtype;
  const [N, C, S] = channelLayout(x.shape);
  const X = contiguousData(x);
  const Wt = weight ? contiguousData(weight) : null;
  const B = bias ? contiguousData(bias) : null;
  const out = allocArray(dtype, X.length);
  const mean = allocArray(dtype, C);
  const invstd = allocArray(dtype, C);
  const variance = allocArray(dtype, C);
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) s += X[i];
    const m = s / M;
    let q = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        const d = X[i] - m;
        q += d * d;
      }
    }
    const v = q / M;
    const inv = 1 / Math.sqrt(v + eps);
    mean[c] = m;
    invstd[c] = inv;
    variance[c] = v;
    const scale = (Wt ? Wt[c] : 1) * inv;
    const shift = B ? B[c] : 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) out[i] = (X[i] - m) * scale + shift;
  }
  return [out, mean, invstd, variance];
}

/**
 * Backward from the saved mean and invstd: [dx or null, dweight, dbias] (see
 * `Backend.batchNormBackward`), or null for dtypes it does not handle.
 */
export function batchNormBackwardKernel(
  grad: View, x: View, mean: View, invstd: View, weight: View | null, inputGrad: boolean,
): [TypedArray | null, TypedArray, TypedArray] | null {
  if (!floatingAlike(x, [grad, mean, invstd, weight])) return null;
  const dtype = x.storage.dtype;
  const [N, C, S] = channelLayout(x.shape);
  const X = contiguousData(x);
  const G = contiguousData(grad);
  const Mu = contiguousData(mean);
  const Inv = contiguousData(invstd);
  const Wt = weight ? contiguousData(weight) : null;
  const dx = inputGrad ? allocArray(dtype, X.length) : null;
  const dw = allocArray(dtype, C);
  const db = allocArray(dtype, C);
  const M = N * S;
  for (let c = 0; c < C; c++) {
    const m = Mu[c];
    const inv = Inv[c];
    let sdy = 0;
    let sdyx = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        sdy += G[i];
        sdyx += G[i] * (X[i] - m);
      }
    }
    db[c] = sdy;
    dw[c] = sdyx * inv;
    if (!dx) continue;
    const meanDy = sdy / M;
    const k = (sdyx / M) * inv * inv;
    const scale = (Wt ? Wt[c] : 1) * inv;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) dx[i] = (G[i] - meanDy - (X[i] - m) * k) * scale;
    }
  }
  return [dx, dw, db];
}
