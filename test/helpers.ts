/**
 * Shared test helpers: reading PyTorch fixtures and comparing tensors with tolerances.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromTypedArray, Tensor, type DType } from '../src/index.js';

/** The repository root (tests run from dist/test/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A tensor as the fixture scripts write it. */
export interface FixtureTensor {
  shape: number[];
  dtype: DType;
  data: number[];
}

/** Reads test/fixtures/<name>.json. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', `${name}.json`), 'utf8')) as T;
}

/** A glubina tensor from a fixture tensor. */
export function fromFixture(f: FixtureTensor, options: { requiresGrad?: boolean } = {}): Tensor {
  const arr =
    f.dtype === 'float64' ? Float64Array.from(f.data)
    : f.dtype === 'int32' ? Int32Array.from(f.data)
    : f.dtype === 'bool' ? Uint8Array.from(f.data)
    : Float32Array.from(f.data);
  return fromTypedArray(arr, f.shape, options);
}

/** Tolerances from the brief: float32 forward 1e-5 relative, gradients 1e-4 relative. */
export const FORWARD_TOL = { rtol: 1e-5, atol: 1e-6 };
export const BACKWARD_TOL = { rtol: 1e-4, atol: 1e-5 };

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise and equal shapes.
 * NaN matches NaN; infinities must match exactly.
 */
export function assertClose(
  actual: Tensor | ArrayLike<number>,
  expected: FixtureTensor | Tensor | ArrayLike<number>,
  tol: { rtol: number; atol: number } = FORWARD_TOL,
  message = '',
): void {
  const a = actual instanceof Tensor ? actual.dataSync() : actual;
  let e: ArrayLike<number>;
  if (expected instanceof Tensor) {
    if (actual instanceof Tensor) assert.deepEqual([...actual.shape], [...expected.shape], `${message}: shape`);
    e = expected.dataSync();
  } else if ('shape' in expected && 'data' in expected) {
    if (actual instanceof Tensor) assert.deepEqual([...actual.shape], expected.shape, `${message}: shape`);
    e = expected.data;
  } else {
    e = expected;
  }
  assert.equal(a.length, e.length, `${message}: length ${a.length} vs ${e.length}`);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(e[i]);
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x !== y) { worst = i; worstErr = Infinity; break; }
      continue;
    }
    const err = Math.abs(x - y) - (tol.atol + tol.rtol * Math.abs(y));
    if (err > 0 && err > worstErr) { worst = i; worstErr = err; }
  }
  if (worst >= 0) {
    assert.fail(`${message}: element ${worst} is ${a[worst]}, expected ${e[worst]} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}
