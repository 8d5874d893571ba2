/**
 * The wasm backend's GEMM against the reference backend: odd sizes around the 4×8 micro-tile and
 * the KC/MC/NC blocking, all four transpose combinations, strided and broadcast batches.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expand, matmul, slice, type Tensor } from '../src/index.js';
import { moveTo, onBackend, randomArray } from './wasm_helpers.js';
import { fromTypedArray } from '../src/index.js';

/**
 * Compares wasm's a @ b with the reference's, element by element, within 2e-6 of Σ|a||b| (float32
 * rounding of a length-K dot product in any summation order).
 */
function check(aJs: Tensor, bJs: Tensor, what: string): void {
  const ref = matmul(aJs, bJs);
  const absRef = matmul(aJs.abs(), bJs.abs()).dataSync();
  const got = matmul(moveTo(aJs, 'wasm'), moveTo(bJs, 'wasm'));
  assert.equal(got.backend.name, 'wasm');
  assert.deepEqual([...got.shape], [...ref.shape], `${what}: shape`);
  const g = got.dataSync();
  const r = ref.dataSync();
  for (let i = 0; i < r.length; i++) {
    const tol = 2e-6 * absRef[i] + 1e-7;
    assert.ok(Math.abs(g[i] - r[i]) <= tol, `${what}: element ${i} is ${g[i]}, expected ${r[i]}`);
  }
}

/** A reference-backend [rows, cols] matrix, optionally stored transposed (a non-contiguous view). */
function matrix(rows: number, cols: number, transposed: boolean, seed: number): Tensor {
  return onBackend('js', () =>
    transposed ? fromTypedArray(randomArray(rows * cols, seed), [cols, rows]).t() : fromTypedArray(randomArray(rows * cols, seed), [rows, cols]),
  );
}

const SIZES: [number, number, number][] = [
  [1, 1, 1], [2, 3, 4], [4, 8, 1], [5, 9, 7], [3, 17, 33], [17, 33, 65], [64, 1, 64], [1, 300, 5],
  [33, 257, 31], [129, 300, 130], [6, 3, 2100], [8, 0, 8],
  // Thin shapes of the unpacked paths: few rows with a row-major B (direct), long K with small C (dot).
  [6, 25, 203], [16, 150, 64], [3, 9, 71], [5, 1030, 27], [1, 700, 3], [7, 513, 250], [2, 2048, 4], [8, 600, 9], [6, 700, 10],
];

describe('wasm GEMM agrees with the reference backend', () => {
  for (const [m, k, n] of SIZES) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        test(`[${m},${k}]${ta ? 'ᵀ' : ''} @ [${k},${n}]${tb ? 'ᵀ' : ''}`, () => {
          onBackend('js', () => check(matrix(m, k, ta, m * 31 + k), matrix(k, n, tb, n * 17 + 3), `${m}x${k}x${n}`));
        });
      }
    }
  }

  test('batched [3,M,K] @ [3,K,N], transposed and broadcast batches, strided rows', () => {
    onBackend('js', () => {
      const a = fromTypedArray(randomArray(3 * 13 * 40, 5), [3, 13, 40]);
      const b = fromTypedArray(randomArray(3 * 40 * 21, 6), [3, 40, 21]);
      check(a, b, 'batched');
      check(a, b.transpose(1, 2).contiguous().transpose(1, 2), 'batched, B transposed');
      // One matrix shared by every batch (stride 0 on the batch dim).
      const shared = fromTypedArray(randomArray(40 * 21, 7), [1, 40, 21]);
      check(a, expand(shared, [3, 40, 21]), 'broadcast B');
      // Every other row and column of a bigger matrix.
      const big = fromTypedArray(randomArray(3 * 26 * 80, 8), [3, 26, 80]);
      check(slice(slice(big, 1, 0, 26, 2), 2, 0, 80, 2), b, 'strided A');
      // Four batch dims that do not merge.
      const a4 = fromTypedArray(randomArray(2 * 3 * 5 * 6, 9), [2, 3, 5, 6]).transpose(0, 1);
      const b4 = fromTypedArray(randomArray(3 * 2 * 6 * 4, 10), [3, 2, 6, 4]);
      check(a4, b4, '4-d, permuted batch');
    });
  });

  test('a product big enough for several KC, MC and NC blocks', () => {
    onBackend('js', () => check(matrix(150, 520, false, 11), matrix(520, 2060, true, 12), '150x520x2060'));
  });
});
