/**
 * Helpers of the wasm backend tests: running code on a named backend, moving a tensor's values to
 * another backend, and comparing float32 results with a tolerance scaled to the computation.
 */
import assert from 'node:assert/strict';
import { fromTypedArray, getBackendName, setBackend, type Tensor } from '../src/index.js';

/** Runs `fn` with `name` as the current backend, restoring the previous one afterwards. */
export function onBackend<T>(name: 'js' | 'wasm', fn: () => T): T {
  const before = getBackendName();
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}

/** A contiguous copy of `t`'s values on backend `name` (same shape and dtype). */
export function moveTo(t: Tensor, name: 'js' | 'wasm'): Tensor {
  const data = t.dataSync();
  return onBackend(name, () => fromTypedArray(data, t.shape));
}

/** Deterministic pseudo-random floats in [-1, 1) (a linear congruential generator). */
export function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Asserts equal shapes and |a − b| ≤ atol + rtol·|b| elementwise (NaN matches NaN, infinities exactly). */
export function assertAgree(actual: Tensor, expected: Tensor, rtol: number, atol: number, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(e[i]);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      assert.equal(x, y, `${what}: element ${i}`);
      continue;
    }
    assert.ok(Math.abs(x - y) <= atol + rtol * Math.abs(y), `${what}: element ${i} is ${x}, expected ${y}`);
  }
}
