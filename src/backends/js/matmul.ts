/**
 * Reference batched matrix multiply: packs each operand row-major, then an i-k-j loop with a
 * double-precision row accumulator (so float32 results round once).
 * @module
 */
import type { View } from '../../core/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { numel } from '../../core/shape.js';
import { arrayOf } from './storage.js';

function pack(src: TypedArray, base: number, rows: number, cols: number, rs: number, cs: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const p = base + r * rs;
    for (let c = 0; c < cols; c++) out[r * cols + c] = src[p + c * cs];
  }
  return out;
}

/** [...B, M, K] @ [...B, K, N] → [...B, M, N]. */
export function matmulKernel(a: View, b: View, outDtype: DType): TypedArray {
  const r = a.shape.length;
  const M = a.shape[r - 2];
  const K = a.shape[r - 1];
  const N = b.shape[r - 1];
  const batchShape = a.shape.slice(0, r - 2);
  const batches = numel(batchShape);
  const out = allocArray(outDtype, batches * M * N);
  const A = arrayOf(a);
  const B = arrayOf(b);
  const idx = new Array<number>(batchShape.length).fill(0);
  const acc = new Float64Array(N);
  for (let bi = 0; bi < batches; bi++) {
    let offA = a.offset;
    let offB = b.offset;
    for (let d = 0; d < idx.length; d++) {
      offA += idx[d] * a.strides[d];
      offB += idx[d] * b.strides[d];
    }
    const pa = pack(A, offA, M, K, a.strides[r - 2], a.strides[r - 1]);
    const pb = pack(B, offB, K, N, b.strides[r - 2], b.strides[r - 1]);
    const base = bi * M * N;
    for (let i = 0; i < M; i++) {
      acc.fill(0);
      for (let k = 0; k < K; k++) {
        const av = pa[i * K + k];
        if (av === 0) continue;
        const rowB = k * N;
        for (let j = 0; j < N; j++) acc[j] += av * pb[rowB + j];
      }
      for (let j = 0; j < N; j++) out[base + i * N + j] = acc[j];
    }
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < batchShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
