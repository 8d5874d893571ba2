/**
 * Reference reductions (sum, prod, max, min, argmax, argmin) and softmax.
 * @module
 */
import type { ReduceOp, View } from '../../core/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { contiguousStrides, numel } from '../../core/shape.js';
import { contiguousData } from './storage.js';

/** Offsets (in a row-major array of `shape`) of every position of `dims`, in row-major order. */
function subspaceOffsets(shape: readonly number[], strides: readonly number[], dims: readonly number[]): Int32Array {
  const sizes = dims.map((d) => shape[d]);
  const offs = new Int32Array(numel(sizes));
  forEachIndex(sizes, (idx, i) => {
    let o = 0;
    for (let k = 0; k < dims.length; k++) o += idx[k] * strides[dims[k]];
    offs[i] = o;
  });
  return offs;
}

function forEachIndex(sizes: readonly number[], visit: (idx: number[], i: number) => void): void {
  const n = numel(sizes);
  const idx = new Array<number>(sizes.length).fill(0);
  for (let i = 0; i < n; i++) {
    visit(idx, i);
    for (let d = sizes.length - 1; d >= 0; d--) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
  }
}

/** Reduces `dims` of `x`; the result has the remaining dims, row-major. */
export function reduceKernel(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): TypedArray {
  const X = contiguousData(x);
  const strides = contiguousStrides(x.shape);
  const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const outer = subspaceOffsets(x.shape, strides, kept);
  const inner = subspaceOffsets(x.shape, strides, dims);
  const out = allocArray(outDtype, outer.length);
  const m = inner.length;
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o];
    let acc: number;
    switch (op) {
      case 'sum':
        acc = 0;
        for (let k = 0; k < m; k++) acc += X[base + inner[k]];
        break;
      case 'prod':
        acc = 1;
        for (let k = 0; k < m; k++) acc *= X[base + inner[k]];
        break;
      case 'max':
      case 'min': {
        const isMax = op === 'max';
        acc = X[base + inner[0]];
        for (let k = 1; k < m && acc === acc; k++) {
          const v = X[base + inner[k]];
          if (v !== v || (isMax ? v > acc : v < acc)) acc = v;
        }
        break;
      }
      case 'argmax':
      case 'argmin': {
        // Strict comparison keeps the first of equal values; a NaN is the extreme, as in PyTorch.
        const isMax = op === 'argmax';
        let best = X[base + inner[0]];
        acc = 0;
        for (let k = 1; k < m && best === best; k++) {
          const v = X[base + inner[k]];
          if (v !== v || (isMax ? v > best : v < best)) {
            best = v;
            acc = k;
          }
        }
        break;
      }
    }
    out[o] = acc;
  }
  return out;
}

/** Softmax or log-softmax along `dim`, subtracting the max so that exp never overflows. */
export function softmaxKernel(x: View, dim: number, log: boolean): TypedArray {
  const X = contiguousData(x);
  const out = allocArray(x.storage.dtype, X.length);
  const len = x.shape[dim];
  const inner = numel(x.shape.slice(dim + 1));
  const outer = numel(x.shape.slice(0, dim));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let j = 0; j < len; j++) max = Math.max(max, X[base + j * inner]);
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let j = 0; j < len; j++) sum += Math.exp(X[base + j * inner] - max);
      if (log) {
        const lse = Math.log(sum);
        for (let j = 0; j < len; j++) out[base + j * inner] = X[base + j * inner] - max - lse;
      } else {
        for (let j = 0; j < len; j++) out[base + j * inner] = Math.exp(X[base + j * inner] - max) / sum;
      }
    }
  }
  return out;
}
