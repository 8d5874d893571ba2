/**
 * The fused Adam/AdamW step (`Backend.adamStep`: the wasm kernel and the reference kernel) equals
 * the unfused ops of optim/adam.ts bit for bit over many steps: Adam, AdamW, AMSGrad, maximize,
 * weight decay, odd sizes (the SIMD tail), extreme gradients, float64, and a split across threads.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Tensor, WasmBackend, fromTypedArray, getBackend, getNumThreads, optim, setNumThreads } from '../src/index.js';
import { onBackend, randomArray } from './wasm_helpers.js';

type Config = { kind: 'Adam' | 'AdamW' } & optim.AdamOptions;

/** Gradients with a spread of magnitudes (and exact zeros, subnormals, huge values) from step `s`. */
function gradData(n: number, seed: number, s: number): Float32Array {
  const g = randomArray(n, seed);
  for (let i = 0; i < n; i++) {
    const k = (i * 7 + s) % 11;
    if (k === 0) g[i] = 0;
    else if (k === 1) g[i] *= 1e-20;
    else if (k === 2 && s % 5 === 0) g[i] = 1e-40; // a subnormal
    else if (k === 3 && s % 7 === 3) g[i] *= 1e25; // g² overflows to infinity
    else g[i] *= 10 ** ((k % 5) - 2);
  }
  return g;
}

function cast(data: Float32Array, dtype: 'float32' | 'float64'): Float32Array | Float64Array {
  return dtype === 'float32' ? data : Float64Array.from(data);
}

/** `steps` optimiser steps on fixed data, with the backend's fused kernel or with it hidden (the ops). */
function run(name: 'js' | 'wasm', c: Config, sizes: number[][], steps: number, fused: boolean, dtype: 'float32' | 'float64' = 'float32'): { tensors: Tensor[]; calls: number } {
  return onBackend(name, () => {
    const be = getBackend() as { adamStep?: (...a: unknown[]) => boolean };
    const params = sizes.map((shape, j) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fromTypedArray(cast(randomArray(n, 100 + j), dtype), shape).requiresGrad_(true);
    });
    const { kind, ...options } = c;
    const opt = kind === 'Adam' ? new optim.Adam(params, options) : new optim.AdamW(params, options);
    let calls = 0;
    const real = be.adamStep;
    if (!fused) Object.defineProperty(be, 'adamStep', { value: undefined, configurable: true });
    else Object.defineProperty(be, 'adamStep', { value: (...a: unknown[]) => (calls++, real!.apply(be, a)), configurable: true });
    try {
      for (let s = 0; s < steps; s++) {
        params.forEach((p, j) => {
          p.grad = fromTypedArray(cast(gradData(p.numel(), 1000 * j + s, s), dtype), p.shape);
        });
        opt.step();
      }
    } finally {
      delete (be as Record<string, unknown>).adamStep;
    }
    const state = [...opt.state.values()] as optim.AdamState[];
    const tensors = [...params.map((p) => p.detach())];
    for (const st of state) {
      tensors.push(st.expAvg, st.expAvgSq);
      if (st.maxExpAvgSq) tensors.push(st.maxExpAvgSq);
    }
    return { tensors, calls };
  });
}

/** Asserts identical shapes, dtypes and bit patterns. */
function assertBits(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  const x = a.dataSync();
  const y = b.dataSync();
  const ua = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const ub = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  const size = x.BYTES_PER_ELEMENT;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      const k = Math.floor(i / size);
      assert.fail(`${what}: element ${k} is ${x[k]}, expected ${y[k]} (bits differ)`);
    }
  }
}

const configs: Config[] = [
  { kind: 'Adam', lr: 1e-3 },
  { kind: 'Adam', lr: 0.01, weightDecay: 0.1 },
  { kind: 'Adam', lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, amsgrad: true },
  { kind: 'Adam', lr: 0.02, weightDecay: 1e-2, amsgrad: true, maximize: true },
  { kind: 'Adam', lr: 0.3, betas: [0, 0.5], weightDecay: 1 },
  { kind: 'AdamW', lr: 1e-3 },
  { kind: 'AdamW', lr: 0.01, weightDecay: 0 },
  { kind: 'AdamW', lr: 0.05, weightDecay: 0.5, amsgrad: true, maximize: true },
  { kind: 'AdamW', lr: 0.1, betas: [0.5, 0.9], eps: 1e-3, maximize: true },
];
const sizes = [[1], [7], [1031], [5, 3, 4]];

describe('fused Adam step', () => {
  for (const name of ['wasm', 'js'] as const) {
    test(`${name}: bit-identical to the unfused ops over 20 steps`, () => {
      for (const c of configs) {
        const a = run(name, c, sizes, 20, true);
        const b = run(name, c, sizes, 20, false);
        assert.equal(a.calls, 20 * sizes.length, `${name} ${JSON.stringify(c)}: the fused kernel ran for every parameter`);
        assert.equal(b.calls, 0);
        assert.equal(a.tensors.length, b.tensors.length);
        a.tensors.forEach((t, i) => assertBits(t, b.tensors[i], `${name} ${JSON.stringify(c)} [${i}]`));
      }
    });

    test(`${name}: float64 parameters match the unfused ops`, () => {
      for (const c of [configs[3], configs[7]]) {
        const a = run(name, c, [[7], [33]], 10, true, 'float64');
        const b = run(name, c, [[7], [33]], 10, false, 'float64');
        a.tensors.forEach((t, i) => assertBits(t, b.tensors[i], `${name} float64 ${JSON.stringify(c)} [${i}]`));
      }
    });
  }

  test('wasm: a big parameter split across threads is bit-identical too', () => {
    const be = onBackend('wasm', () => getBackend()) as WasmBackend;
    const before = getNumThreads();
    setNumThreads(2);
    be.waitForThreads(10000);
    try {
      const calls = be.parallelCalls;
      for (const c of [configs[3], configs[7]]) {
        const a = run('wasm', c, [[200_003]], 3, true);
        const b = run('wasm', c, [[200_003]], 3, false);
        a.tensors.forEach((t, i) => assertBits(t, b.tensors[i], `big ${JSON.stringify(c)} [${i}]`));
      }
      if (be.waitForThreads(0) > 1) assert.ok(be.parallelCalls > calls, 'the big steps were split');
    } finally {
      setNumThreads(before);
    }
  });

  test('falls back to the ops when the state is not contiguous', () => {
    onBackend('wasm', () => {
      const p = fromTypedArray(randomArray(12, 1), [3, 4]).requiresGrad_(true);
      const q = fromTypedArray(randomArray(12, 1), [3, 4]).requiresGrad_(true);
      const opt = new optim.Adam([p], { lr: 0.1, amsgrad: true });
      const ref = new optim.Adam([q], { lr: 0.1, amsgrad: true });
      p.grad = fromTypedArray(randomArray(12, 2), [3, 4]);
      q.grad = fromTypedArray(randomArray(12, 2), [3, 4]);
      opt.step();
      ref.step();
      // A transposed (non-contiguous) first moment: the fused kernel cannot take it.
      const st = opt.state.get(p) as optim.AdamState;
      const m = st.expAvg.dataSync();
      st.expAvg = fromTypedArray(Float32Array.from({ length: 12 }, (_, i) => m[(i % 3) * 4 + Math.floor(i / 3)]), [4, 3]).t();
      assert.equal(st.expAvg.isContiguous(), false);
      opt.step();
      ref.step();
      assertBits(p.detach(), q.detach(), 'param');
      assertBits(st.expAvg.contiguous(), (ref.state.get(q) as optim.AdamState).expAvg, 'expAvg');
    });
  });
});
