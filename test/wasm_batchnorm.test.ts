/**
 * The wasm backend's float32 batch-norm kernels (assembly/kernels/norm.ts) against the reference
 * backend, through batchNormTraining and backward: odd shapes (C = 3, spatial 5×7, N = 1 with a
 * spatial extent, [N, C] on the across-channel path with and without a channel tail, runs of 2
 * and 9), no affine, inputs far from zero, non-contiguous input and gradient, weight-only
 * gradients; and a big tensor split over 2 threads gives the bits of 1 thread (and agrees too).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { batchNormTraining, fromTypedArray, ones, setNumThreads, zeros, type Tensor, type WasmBackend } from '../src/index.js';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { assertAgree, onBackend, randomArray } from './wasm_helpers.js';

after(() => setNumThreads(1));

interface Case {
  affine?: boolean;
  /** Input = shift + scale·u, u uniform in [-1, 1). */
  shift?: number;
  scale?: number;
  /** Build the input as [C, N, ...] and transpose dims 0 and 1 (a non-contiguous view). */
  transposed?: boolean;
  /** The input needs no gradient (only γ, β do). */
  frozenInput?: boolean;
  /** Backward from y.sum() (a broadcast, stride-0 gradient) instead of a random one. */
  sumGrad?: boolean;
}

const TOL = { forward: [1e-5, 1e-6], backward: [1e-4, 1e-5] } as const;

/** Forward and backward on the current backend: [output, mean, invstd, runningMean, runningVar, dx?, dw?, db?]. */
function run(shape: number[], c: Case, seed: number): Tensor[] {
  const C = shape[1];
  const n = shape.reduce((a, b) => a * b, 1);
  const u = randomArray(n, seed).map((v) => (c.shift ?? 0) + (c.scale ?? 2) * v);
  let x: Tensor;
  let leaf: Tensor;
  if (c.transposed) {
    leaf = fromTypedArray(u, [shape[1], shape[0], ...shape.slice(2)], { requiresGrad: !c.frozenInput });
    x = leaf.transpose(0, 1);
  } else {
    leaf = x = fromTypedArray(u, shape, { requiresGrad: !c.frozenInput });
  }
  const affine = c.affine ?? true;
  const w = affine ? fromTypedArray(randomArray(C, seed + 1).map((v) => 1 + v / 2), [C], { requiresGrad: true }) : null;
  const b = affine ? fromTypedArray(randomArray(C, seed + 2), [C], { requiresGrad: true }) : null;
  const rm = zeros(C);
  const rv = ones(C);
  const [y, mean, invstd] = batchNormTraining(x, w, b, rm, rv, 0.1, 1e-5);
  if (c.sumGrad) y.mul(y).sum().backward();
  else y.backward(fromTypedArray(randomArray(n, seed + 3), shape));
  const out = [y, mean, invstd, rm, rv];
  if (!c.frozenInput) out.push(leaf.grad!);
  else assert.equal(leaf.grad, null);
  if (w && b) out.push(w.grad!, b.grad!);
  return out;
}

function agree(shape: number[], c: Case = {}, seed = 1): void {
  const what = `[${shape}] ${JSON.stringify(c)}`;
  const js = onBackend('js', () => run(shape, c, seed));
  const wa = onBackend('wasm', () => run(shape, c, seed));
  assert.equal(wa.length, js.length);
  wa.forEach((t, i) => {
    assert.equal(t.backend.name, 'wasm', `${what}: result ${i} backend`);
    const [rtol, atol] = i < 5 ? TOL.forward : TOL.backward;
    assertAgree(t, js[i], rtol, atol, `${what} [${i}]`);
  });
}

describe('wasm batch norm agrees with the reference', () => {
  test('C = 3, spatial 5×7', () => {
    agree([4, 3, 5, 7]);
    agree([4, 3, 5, 7], { affine: false });
  });
  test('N = 1 with a spatial extent', () => {
    agree([1, 3, 5, 7]);
    agree([1, 5, 33]);
  });
  test('[N, C]: four channels per vector, and the channel tail', () => {
    agree([6, 3]);
    agree([7, 10]);
    agree([2, 8], { affine: false });
    agree([33, 13], { sumGrad: true });
  });
  test('short and odd runs: [N, C, 2], [N, C, 9], 1×1 spatial', () => {
    agree([5, 6, 2]);
    agree([3, 4, 9]);
    agree([9, 5, 1, 1]);
  });
  test('inputs far from zero keep float32 accuracy (no E[x²] − μ² cancellation)', () => {
    agree([8, 5, 6, 6], { shift: 50, scale: 0.5 });
    agree([40, 6], { shift: -300, scale: 2 });
  });
  test('non-contiguous input, broadcast gradient, frozen input', () => {
    agree([4, 3, 5, 7], { transposed: true });
    agree([4, 3, 5, 7], { sumGrad: true });
    agree([4, 3, 5, 7], { frozenInput: true });
    agree([12, 7], { frozenInput: true, transposed: true });
  });
  test('long runs: block sums in float64 over [2, 3, 64, 64] and [3, 2, 10000]', () => {
    agree([2, 3, 64, 64], { shift: 3 });
    agree([3, 2, 10000], { scale: 5 });
  });
});

test('a big batch norm splits over channels on 2 threads and gives the bits of 1 thread', () => {
  const backend = wasmBackend() as WasmBackend;
  const shape = [16, 64, 32, 32];
  const results = (): Float32Array[] => onBackend('wasm', () => run(shape, {}, 7).map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>)));
  setNumThreads(1);
  const single = results();
  setNumThreads(2);
  assert.equal(backend.waitForThreads(20000), 2, '2 threads ready');
  const before = backend.parallelCalls;
  const multi = results();
  assert.ok(backend.parallelCalls - before >= 2, 'forward and backward split');
  multi.forEach((m, i) => assert.deepEqual(m, single[i], `result ${i}`));
  const js = onBackend('js', () => run(shape, {}, 7));
  js.forEach((t, i) => {
    const [rtol, atol] = i < 5 ? TOL.forward : TOL.backward;
    assertAgree(onBackend('wasm', () => fromTypedArray(multi[i], t.shape)), t, rtol, atol, `2 threads vs reference [${i}]`);
  });
});
