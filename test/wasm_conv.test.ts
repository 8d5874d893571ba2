/**
 * The wasm backend's native convolution kernels (im2col, col2im, max pooling with indices) agree
 * with the reference kernels: odd shapes, stride, dilation, asymmetric padding, kernels larger than
 * the stride, non-contiguous inputs, groups, NaN in pooling windows, and splits across threads.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Tensor, WasmBackend, fromTypedArray, functional as F, getBackend, optim, setNumThreads, getNumThreads,
} from '../src/index.js';
import type { Storage } from '../src/core/backend.js';
import type { Conv2dGeometry } from '../src/core/conv_shape.js';
import { convFoldedF32, hasFoldedWeightGrad, hasImplicitConv } from '../src/backends/wasm/conv.js';
import { assertAgree, onBackend, randomArray } from './wasm_helpers.js';

function rnd(shape: number[], seed: number): Tensor {
  return fromTypedArray(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** Runs `make` on both backends and compares the tensors it returns. */
function agree(what: string, make: () => Tensor | Tensor[], rtol = 1e-5, atol = 1e-6): void {
  const js = onBackend('js', make);
  const wa = onBackend('wasm', make);
  const jl = Array.isArray(js) ? js : [js];
  const wl = Array.isArray(wa) ? wa : [wa];
  assert.equal(jl.length, wl.length);
  wl.forEach((t, i) => {
    assert.equal(t.backend.name, 'wasm', `${what}: result ${i} backend`);
    assertAgree(t, jl[i], rtol, atol, `${what} [${i}]`);
  });
}

function geometry(H: number, W: number, k: [number, number], s: [number, number], p: [number, number, number, number], d: [number, number]): Conv2dGeometry {
  const out = (size: number, kk: number, ss: number, a: number, b: number, dd: number): number => Math.floor((size + a + b - dd * (kk - 1) - 1) / ss) + 1;
  return {
    height: H, width: W, kernelH: k[0], kernelW: k[1], strideH: s[0], strideW: s[1], padTop: p[0], padLeft: p[2],
    dilationH: d[0], dilationW: d[1], outH: out(H, k[0], s[0], p[0], p[1], d[0]), outW: out(W, k[1], s[1], p[2], p[3], d[1]),
  };
}

/** [x shape, kernel, stride, padding top/bottom/left/right, dilation] */
const CASES: [number[], [number, number], [number, number], [number, number, number, number], [number, number]][] = [
  [[2, 3, 7, 9], [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]],
  [[1, 1, 28, 28], [5, 5], [1, 1], [2, 2, 2, 2], [1, 1]],
  [[3, 2, 11, 13], [3, 2], [2, 3], [0, 0, 0, 0], [1, 1]],
  [[2, 2, 10, 9], [3, 3], [2, 2], [1, 2, 0, 1], [2, 3]],
  [[1, 4, 5, 6], [2, 4], [3, 1], [1, 0, 3, 2], [1, 1]],
  [[2, 1, 4, 4], [4, 4], [1, 1], [3, 3, 3, 3], [1, 1]],
  [[1, 2, 1, 17], [1, 5], [1, 2], [0, 0, 2, 2], [1, 2]],
];

describe('im2col and col2im agree with the reference', () => {
  for (const [shape, k, s, p, d] of CASES) {
    const g = geometry(shape[2], shape[3], k, s, p, d);
    const label = `x ${shape.join('x')} k ${k} s ${s} p ${p} d ${d}`;
    test(label, () => {
      agree(`im2col ${label}`, () => {
        return im2colT(rnd(shape, 3), g);
      });
      agree(`col2im ${label}`, () => {
        const cols = rnd([shape[0], shape[1] * k[0] * k[1], g.outH * g.outW], 5);
        return col2imT(cols, g);
      });
      const R = shape[1] * k[0] * k[1];
      const NL = shape[0] * g.outH * g.outW;
      agree(`im2colBatched ${label}`, () => {
        const x = rnd(shape, 3);
        return new Tensor(x.backend.im2colBatched!(x, g), [R, NL]);
      });
      agree(`col2imBatched ${label}`, () => {
        const cols = rnd([R, NL], 6);
        return new Tensor(cols.backend.col2imBatched!(cols, g, shape[0]), shape);
      });
      // The folded layout is the plain one with the batch moved into the columns.
      const x = onBackend('wasm', () => rnd(shape, 3));
      const plain = im2colT(x, g).permute(1, 0, 2).reshape([R, NL]);
      assertAgree(new Tensor(x.backend.im2colBatched!(x, g), [R, NL]), plain, 0, 0, `im2colBatched layout ${label}`);
    });
  }
  test('non-contiguous inputs are read through their strides', () => {
    const g = geometry(6, 5, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]);
    agree('im2col of a transposed input', () => im2colT(rnd([2, 3, 5, 6], 7).transpose(2, 3), g));
    agree('col2im of a transposed input', () => col2imT(rnd([2, 30, 27], 8).transpose(1, 2), g));
  });
});

function im2colT(x: Tensor, g: Conv2dGeometry): Tensor {
  const [N, C] = x.shape;
  return wrapT(x.backend.im2col(x, g), [N, C * g.kernelH * g.kernelW, g.outH * g.outW]);
}

function col2imT(cols: Tensor, g: Conv2dGeometry): Tensor {
  const [N, CK] = cols.shape;
  return wrapT(cols.backend.col2im(cols, g), [N, CK / (g.kernelH * g.kernelW), g.height, g.width]);
}

function wrapT(storage: Storage, shape: number[]): Tensor {
  return new Tensor(storage, shape);
}

describe('convolution and pooling ops agree with the reference backend', () => {
  test('conv2d with groups, stride, dilation and padding, forward and gradients', () => {
    for (const [groups, stride, dilation, padding] of [[1, 1, 1, 1], [2, 2, 1, 0], [3, 1, 2, 2], [6, 2, 1, 1]] as const) {
      agree(`conv2d groups ${groups} stride ${stride} dilation ${dilation} padding ${padding}`, () => {
        const x = rnd([2, 6, 9, 8], 11).requiresGrad_(true);
        const w = rnd([6, 6 / groups, 3, 3], 12).requiresGrad_(true);
        const b = rnd([6], 13).requiresGrad_(true);
        const y = F.conv2d(x, w, b, { stride, dilation, padding, groups });
        y.mul(rnd([...y.shape], 14)).sum().backward();
        return [y, x.grad!, w.grad!, b.grad!];
      }, 1e-4, 1e-5);
    }
  });
  test('maxPool2d values, indices and gradient (odd sizes, padding, dilation, ceilMode)', () => {
    const opts: { k: number | number[]; o: { stride?: number | number[]; padding?: number | number[]; dilation?: number; ceilMode?: boolean } }[] = [
      { k: 2, o: {} }, { k: 3, o: { stride: 2, padding: 1 } }, { k: 3, o: { stride: 2, ceilMode: true } },
      { k: 2, o: { dilation: 2, stride: 1 } }, { k: [3, 2], o: { stride: [1, 2], padding: [1, 1] } },
    ];
    for (const { k, o } of opts) {
      agree(`maxPool2d k ${k} ${JSON.stringify(o)}`, () => {
        const x = rnd([2, 3, 9, 7], 21).requiresGrad_(true);
        const [v, i] = F.maxPool2d(x, k, { ...o, returnIndices: true });
        v.mul(rnd([...v.shape], 22)).sum().backward();
        return [v, i, x.grad!];
      });
    }
    agree('adaptiveMaxPool2d', () => F.adaptiveMaxPool2d(rnd([2, 3, 9, 7], 23), [4, 3], { returnIndices: true }));
  });
  test('maxPool2d: NaN wins, ties keep the first, -Infinity windows', () => {
    const data = new Float32Array([1, NaN, 3, 3, 5, 5, 2, NaN, -Infinity, -Infinity, -Infinity, -Infinity, 0, 0, 0, 0]);
    for (const k of [2, 3]) {
      agree(`maxPool2d k ${k} special values`, () => F.maxPool2d(fromTypedArray(data, [1, 1, 4, 4]), k, { stride: 1, returnIndices: true }));
    }
    // By hand for the 2×2 fast path: [[1,NaN],[5,5]] → NaN at 1; [[3,3],[2,NaN]] → NaN at 7;
    // [[-∞,-∞],[0,0]] → 0 at 12 (the first of the tie); [[-∞,-∞],[0,0]] → 0 at 14.
    const [v, i] = onBackend('wasm', () => F.maxPool2d(fromTypedArray(data, [1, 1, 4, 4]), 2, { returnIndices: true }));
    assert.deepEqual([...i.dataSync()], [1, 7, 12, 14]);
    const vals = [...v.dataSync()];
    assert.ok(Number.isNaN(vals[0]) && Number.isNaN(vals[1]));
    assert.deepEqual(vals.slice(2), [0, 0]);
    const allInf = onBackend('wasm', () => F.maxPool2d(fromTypedArray(new Float32Array(4).fill(-Infinity), [1, 1, 2, 2]), 2, { returnIndices: true }));
    assert.deepEqual([...allInf[0].dataSync(), ...allInf[1].dataSync()], [-Infinity, 0]);
  });
});

describe('threads', () => {
  test('big im2col, col2im and pooling split across threads and agree', () => {
    const be = onBackend('wasm', () => getBackend());
    assert.ok(be instanceof WasmBackend);
    const before = getNumThreads();
    setNumThreads(2);
    be.waitForThreads(10000);
    try {
      const calls = be.parallelCalls;
      const g = geometry(32, 32, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]);
      agree('im2col big', () => im2colT(rnd([8, 16, 32, 32], 31), g));
      agree('col2im big', () => col2imT(rnd([4, 16 * 9, 32 * 32], 32), g));
      agree('maxPool2d big', () => F.maxPool2d(rnd([16, 32, 32, 32], 33), 2, { returnIndices: true }));
      if (be.waitForThreads(0) > 1) assert.ok(be.parallelCalls >= calls + 3, 'the big calls were split');
    } finally {
      setNumThreads(before);
    }
  });
});

describe('fused SGD step', () => {
  /** Three SGD steps on fixed data, with the backend's fused kernel or with it hidden (the unfused ops). */
  function run(name: 'js' | 'wasm', options: optim.SGDOptions, fused: boolean): Tensor[] {
    return onBackend(name, () => {
      const be = getBackend() as { sgdStep?: unknown };
      const p = rnd([37, 5], 41).requiresGrad_(true);
      const q = rnd([3], 42).requiresGrad_(true);
      const opt = new optim.SGD([p, q], options);
      if (!fused) Object.defineProperty(be, 'sgdStep', { value: undefined, configurable: true });
      try {
        for (let s = 0; s < 3; s++) {
          p.grad = rnd([37, 5], 50 + s);
          q.grad = rnd([3], 60 + s);
          opt.step();
        }
      } finally {
        if (!fused) delete be.sgdStep;
      }
      const bufs = [...opt.state.values()].map((st) => (st as { momentumBuffer: Tensor | null }).momentumBuffer).filter((b): b is Tensor => b !== null);
      return [p.detach(), q.detach(), ...bufs];
    });
  }
  const configs: optim.SGDOptions[] = [
    { lr: 0.01 }, { lr: 0.01, momentum: 0.9 }, { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 1e-3 },
    { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01, maximize: true },
  ];
  for (const name of ['wasm', 'js'] as const) {
    test(`${name}: bit-identical to the unfused ops`, () => {
      for (const c of configs) {
        const a = run(name, c, true);
        const b = run(name, c, false);
        assert.equal(a.length, b.length);
        a.forEach((t, i) => assertAgree(t, b[i], 0, 0, `${name} ${JSON.stringify(c)} [${i}]`));
      }
    });
  }
});

describe('implicit-GEMM convolution (columns built slab by slab, never stored)', () => {
  /** [x shape, out channels, kernel, stride, padding t/b/l/r, dilation]: LeNet's C1 and C3, and odd geometries. */
  const IMPLICIT: [number[], number, [number, number], [number, number], [number, number, number, number], [number, number]][] = [
    [[64, 1, 28, 28], 6, [5, 5], [1, 1], [2, 2, 2, 2], [1, 1]],
    [[64, 6, 14, 14], 16, [5, 5], [1, 1], [0, 0, 0, 0], [1, 1]],
    [[5, 3, 9, 7], 4, [3, 2], [2, 1], [1, 1, 1, 1], [1, 2]],
    [[3, 2, 11, 13], 7, [3, 3], [2, 3], [2, 0, 1, 2], [1, 1]],
    [[9, 5, 6, 6], 16, [3, 3], [1, 1], [1, 1, 1, 1], [2, 1]],
    // Unpadded (the whole-row copies), K = 576: slabs of 80 columns start mid-image and mid-row.
    [[3, 64, 9, 9], 4, [3, 3], [1, 1], [0, 0, 0, 0], [1, 1]],
  ];
  for (const threads of [1, 2]) {
    for (const [shape, O, k, s, p, d] of IMPLICIT) {
      const label = `${threads} thread(s): x ${shape.join('x')} → ${O} k ${k} s ${s} p ${p} d ${d}`;
      test(`${label}: forward (with and without bias) bit-identical to im2col + matmul + permute + add, kept columns to im2col`, () => {
        const be = onBackend('wasm', () => getBackend());
        assert.ok(be instanceof WasmBackend);
        const before = getNumThreads();
        setNumThreads(threads);
        if (threads > 1) be.waitForThreads(10000);
        try {
          onBackend('wasm', () => {
            const g = geometry(shape[2], shape[3], k, s, p, d);
            const K = shape[1] * k[0] * k[1];
            const NL = shape[0] * g.outH * g.outW;
            const x = rnd(shape, 11);
            const w = rnd([O, shape[1], k[0], k[1]], 12);
            // A zero and a negative-zero bias among them: adding them must not change −0 sums.
            const b = fromTypedArray(Float32Array.from({ length: O }, (_, i) => (i === 0 ? 0 : i === 1 ? -0 : (i % 5) - 2.25)), [O]);
            const cols = new Tensor(be.im2colBatched(x, g), [K, NL]);
            const product = w.reshape([O, K]).matmul(cols).reshape([O, shape[0], g.outH, g.outW]).permute(1, 0, 2, 3).contiguous();
            const outShape = [shape[0], O, g.outH, g.outW];
            assert.ok(hasImplicitConv(x, w, g), 'the implicit kernel takes this shape');
            for (const keep of [false, true]) {
              for (const bias of [null, b]) {
                // The kernel itself; which path conv2d takes is the policy test's business below.
                const folded = convFoldedF32(be, x, w, g, bias, keep);
                const expected = bias === null ? product : product.add(bias.reshape([1, O, 1, 1]));
                assertAgree(new Tensor(folded.output, outShape), expected, 0, 0, `forward ${label} bias ${bias !== null}`);
                if (keep) assertAgree(new Tensor(folded.columns!, [K, NL]), cols, 0, 0, `kept columns ${label}`);
                else assert.equal(folded.columns, null);
              }
            }
          });
        } finally {
          setNumThreads(before);
        }
      });
    }
  }
  test('policy: training stores the columns only where the weight gradient cannot rebuild them in cache', () => {
    const be = onBackend('wasm', () => getBackend());
    assert.ok(be instanceof WasmBackend);
    const before = getNumThreads();
    try {
      onBackend('wasm', () => {
        const g = geometry(14, 14, [5, 5], [1, 1], [0, 0, 0, 0], [1, 1]);
        const w = rnd([16, 6, 5, 5], 2);
        // Batch 4: N·L = 400, below the in-cache weight gradient's 512, so training keeps the columns.
        const x = rnd([4, 6, 14, 14], 1);
        const NL = 4 * g.outH * g.outW;
        assert.ok(!hasFoldedWeightGrad(16, x, g));
        // Batch 8 (N·L = 800): the weight gradient rebuilds them, so none are stored.
        const x8 = rnd([8, 6, 14, 14], 3);
        assert.ok(hasFoldedWeightGrad(16, x8, g));
        for (const threads of [1, 2]) {
          setNumThreads(threads);
          const inference = be.conv2dFolded(x, w, g, null, false);
          assert.equal(inference?.columns, null);
          const training = be.conv2dFolded(x, w, g, null, true);
          assert.ok(inference !== null && training !== null && training.columns !== null);
          assertAgree(new Tensor(training.output, [4, 16, 10, 10]), new Tensor(inference.output, [4, 16, 10, 10]), 0, 0, 'training vs inference');
          assertAgree(new Tensor(training.columns, [150, NL]), new Tensor(be.im2colBatched(x, g), [150, NL]), 0, 0, 'columns');
          assert.equal(be.conv2dFolded(x8, w, g, null, true)?.columns, null, `${threads} thread(s)`);
        }
      });
    } finally {
      setNumThreads(before);
    }
  });
  test('shapes outside the kernels are declined (17 output channels, groups)', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      const g = geometry(6, 6, [3, 3], [1, 1], [0, 0, 0, 0], [1, 1]);
      assert.equal(be.conv2dFolded!(rnd([4, 3, 6, 6], 1), rnd([17, 3, 3, 3], 2), g, null, false), null);
      assert.equal(be.conv2dFolded!(rnd([4, 4, 6, 6], 1), rnd([8, 2, 3, 3], 2), g, null, false), null);
      assert.equal(be.conv2dFolded!(rnd([4, 0, 6, 6], 1), rnd([8, 0, 3, 3], 2), g, null, false), null, 'no input channels');
    });
  });
});

describe('in-cache weight gradient (columns rebuilt block by block, never stored)', () => {
  /** [x shape, out channels, kernel, stride, padding t/b/l/r, dilation]: LeNet's C3, odd geometries, K > 192 (row chunks). */
  const WGRAD: [number[], number, [number, number], [number, number], [number, number, number, number], [number, number]][] = [
    [[64, 6, 14, 14], 16, [5, 5], [1, 1], [0, 0, 0, 0], [1, 1]],
    [[5, 3, 20, 18], 4, [3, 2], [2, 1], [1, 1, 1, 1], [1, 2]],
    [[6, 24, 12, 12], 8, [3, 3], [1, 1], [0, 0, 0, 0], [1, 1]],
    [[6, 2, 25, 23], 7, [3, 3], [2, 3], [2, 0, 1, 2], [1, 1]],
  ];
  for (const [shape, O, k, s, p, d] of WGRAD) {
    const label = `x ${shape.join('x')} → ${O} k ${k} s ${s} p ${p} d ${d}`;
    test(`${label}: bit-identical to grad @ im2colᵀ on 1 and 2 threads`, () => {
      const be = onBackend('wasm', () => getBackend());
      assert.ok(be instanceof WasmBackend);
      const before = getNumThreads();
      try {
        onBackend('wasm', () => {
          const g = geometry(shape[2], shape[3], k, s, p, d);
          const K = shape[1] * k[0] * k[1];
          const NL = shape[0] * g.outH * g.outW;
          const x = rnd(shape, 21);
          const grad = rnd([O, NL], 22);
          assert.ok(hasFoldedWeightGrad(O, x, g), 'the kernel takes this shape');
          const cols = new Tensor(be.im2colBatched(x, g), [K, NL]);
          const expected = grad.matmul(cols.transpose(0, 1));
          for (const threads of [1, 2]) {
            setNumThreads(threads);
            if (threads > 1) be.waitForThreads(10000);
            const got = be.conv2dFoldedWeightGrad(grad, x, g);
            assert.ok(got !== null);
            assertAgree(new Tensor(got, [O, K]), expected, 0, 0, `${threads} thread(s) ${label}`);
          }
        });
      } finally {
        setNumThreads(before);
      }
    });
  }
  test('declined where the explicit product would not take the dot-product path (O + K > 256, N·L < 512)', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      const g = geometry(12, 12, [3, 3], [1, 1], [0, 0, 0, 0], [1, 1]);
      assert.equal(be.conv2dFoldedWeightGrad!(rnd([16, 3200], 1), rnd([32, 27, 12, 12], 2), g), null);
      assert.equal(be.conv2dFoldedWeightGrad!(rnd([16, 500], 1), rnd([5, 6, 12, 12], 2), g), null);
    });
  });
  test('a training step through conv2d gives PyTorch-rule gradients with it (agrees with the js backend)', () => {
    agree('conv2d weight and input gradients', () => {
      const x = rnd([8, 6, 14, 14], 31).requiresGrad_();
      const w = rnd([16, 6, 5, 5], 32).requiresGrad_();
      const b = rnd([16], 33).requiresGrad_();
      // A random linear loss: gradients are sums of ~800 products of size ≤ 1, without cancellation to tiny values.
      F.conv2d(x, w, b).mul(rnd([8, 16, 10, 10], 34)).sum().backward();
      return [w.grad!, b.grad!, x.grad!];
    }, 1e-4, 1e-4);
  });
});

describe('direct convolution of single-channel images', () => {
  /** [x shape, out channels, kernel, padding t/b/l/r] (stride and dilation 1). */
  const DIRECT: [number[], number, [number, number], [number, number, number, number]][] = [
    [[64, 1, 28, 28], 6, [5, 5], [2, 2, 2, 2]],
    [[5, 1, 9, 7], 4, [3, 3], [1, 1, 1, 1]],
    [[3, 1, 11, 13], 6, [3, 2], [0, 0, 0, 0]],
    [[2, 1, 6, 10], 1, [4, 4], [1, 2, 1, 2]],
    [[9, 1, 30, 31], 3, [7, 7], [3, 3, 3, 3]],
  ];
  for (const [shape, O, k, p] of DIRECT) {
    const label = `x ${shape.join('x')} → ${O} k ${k} p ${p}`;
    test(`${label}: forward as im2col + matmul, weight gradient within float32 rounding, thread count irrelevant`, () => {
      const be = onBackend('wasm', () => getBackend());
      assert.ok(be instanceof WasmBackend);
      const before = getNumThreads();
      try {
        const results = [1, 2].map((threads) => {
          setNumThreads(threads);
          if (threads > 1) be.waitForThreads(10000);
          return onBackend('wasm', () => {
            const g = geometry(shape[2], shape[3], k, [1, 1], p, [1, 1]);
            const K = k[0] * k[1];
            const NL = shape[0] * g.outH * g.outW;
            const x = rnd(shape, 21);
            const w = rnd([O, 1, k[0], k[1]], 22);
            const gy = rnd([shape[0], O, g.outH, g.outW], 23);
            const bias = rnd([O], 24);
            const out = be.conv2dSingleChannel(x, w, g, bias);
            const grads = be.conv2dSingleChannelWeightGrad(gy, x, g, true);
            assert.ok(out !== null && grads !== null && grads.bias !== null, 'the direct kernels take this shape');
            const dw = grads.weight;
            const cols = new Tensor(be.im2colBatched(x, g), [K, NL]);
            const y = new Tensor(out, [shape[0], O, g.outH, g.outW]);
            const explicit = w.reshape([O, K]).matmul(cols).reshape([O, shape[0], g.outH, g.outW]).permute(1, 0, 2, 3).add(bias.reshape([1, O, 1, 1]));
            // The GEMM's scalar edge columns (N·L mod 8) round unfused; every other output is bit-identical
            // (the bias is added to the finished sum, as the broadcast add does).
            assertAgree(y, explicit, NL % 8 === 0 ? 0 : 1e-6, NL % 8 === 0 ? 0 : 1e-6, `forward ${label}`);
            // The bias gradient, summed with the weight gradient's pass, against the float64 sum.
            const db = Array.from(new Tensor(grads.bias, [O]).dataSync() as ArrayLike<number>);
            const dbExact = Array.from(gy.to('float64').sum([0, 2, 3]).dataSync() as ArrayLike<number>);
            db.forEach((v, o) => assert.ok(Math.abs(v - dbExact[o]) <= 1e-6 * (1 + Math.abs(dbExact[o])), `bias gradient ${label}[${o}]: ${v} vs ${dbExact[o]}`));
            // The weight gradient sums in another order than the GEMM: it must be at least as close
            // to the float64 sum as the explicit product is.
            const dwT = new Tensor(dw, [O, K]);
            const gy2 = gy.permute(1, 0, 2, 3).reshape([O, NL]);
            const exact = gy2.to('float64').matmul(cols.to('float64').t()).dataSync();
            const worst = (t: Tensor): number => Array.from(t.dataSync() as ArrayLike<number>).reduce((m, v, i) => Math.max(m, Math.abs(v - exact[i])), 0);
            const direct = worst(dwT);
            const gemm = worst(gy2.matmul(cols.t()));
            assert.ok(direct <= 1.5 * gemm + 1e-6, `weight gradient ${label}: error ${direct} vs the GEMM's ${gemm}`);
            return [Float32Array.from(y.dataSync() as ArrayLike<number>), Float32Array.from(dwT.dataSync() as ArrayLike<number>), Float32Array.from(db)];
          });
        });
        assert.deepEqual(results[1], results[0], 'one and two threads give the same bits');
      } finally {
        setNumThreads(before);
      }
    });
  }
  test('strided operands: the same results as contiguous copies (the copies must not clobber the geometry)', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      const g = geometry(9, 7, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]);
      // x [5, 1, 9, 7] and grad [5, 4, 9, 7] as permuted views of differently laid out tensors.
      const x = rnd([9, 7, 5, 1], 31).permute([2, 3, 0, 1]);
      const grad = rnd([4, 9, 7, 5], 32).permute([3, 0, 1, 2]);
      const w = rnd([4, 1, 3, 3], 33);
      const bias = rnd([4], 34);
      const out = (v: Tensor): Tensor => new Tensor(be.conv2dSingleChannel!(v, w, g, bias)!, [5, 4, 9, 7]);
      assertAgree(out(x), out(x.contiguous()), 0, 0, 'forward');
      const strided = be.conv2dSingleChannelWeightGrad!(grad, x, g, true)!;
      const dense = be.conv2dSingleChannelWeightGrad!(grad.contiguous(), x.contiguous(), g, true)!;
      assertAgree(new Tensor(strided.weight, [4, 1, 3, 3]), new Tensor(dense.weight, [4, 1, 3, 3]), 0, 0, 'weight gradient');
      assertAgree(new Tensor(strided.bias!, [4]), new Tensor(dense.bias!, [4]), 0, 0, 'bias gradient');
      const g3 = geometry(14, 14, [5, 5], [1, 1], [0, 0, 0, 0], [1, 1]);
      const gradFolded = rnd([800, 16], 35).t();
      const w3 = rnd([16, 6, 5, 5], 36);
      assertAgree(new Tensor(be.conv2dInputGrad!(gradFolded, w3, g3, 8)!, [8, 6, 14, 14]),
        new Tensor(be.conv2dInputGrad!(gradFolded.contiguous(), w3, g3, 8)!, [8, 6, 14, 14]), 0, 0, 'input gradient');
    });
  });
  test('declined outside its shapes (two channels, seven outputs, stride 2)', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      const g = geometry(8, 8, [3, 3], [1, 1], [0, 0, 0, 0], [1, 1]);
      assert.equal(be.conv2dSingleChannel!(rnd([2, 2, 8, 8], 1), rnd([4, 2, 3, 3], 2), g, null), null);
      assert.equal(be.conv2dSingleChannel!(rnd([2, 1, 8, 8], 1), rnd([7, 1, 3, 3], 2), g, null), null);
      assert.equal(be.conv2dSingleChannel!(rnd([2, 1, 8, 8], 1), rnd([4, 1, 3, 3], 2), geometry(8, 8, [3, 3], [2, 2], [0, 0, 0, 0], [1, 1]), null), null);
    });
  });
});

describe('direct input gradient (the full convolution of grad with the flipped weights)', () => {
  /** [x shape, out channels, kernel, padding t/b/l/r]: LeNet's C3, then odd kernels and paddings (one past kernel − 1). */
  const INPUT_GRAD: [number[], number, [number, number], [number, number, number, number]][] = [
    [[64, 6, 14, 14], 16, [5, 5], [0, 0, 0, 0]],
    [[3, 1, 9, 7], 4, [3, 3], [1, 1, 1, 1]],
    [[2, 5, 8, 11], 7, [3, 2], [2, 0, 1, 2]],
    [[4, 3, 6, 13], 2, [2, 4], [0, 1, 3, 0]],
    [[2, 2, 5, 5], 3, [3, 3], [3, 3, 3, 3]],
  ];
  for (const [shape, O, k, p] of INPUT_GRAD) {
    const [N, C, H, W] = shape;
    const label = `x ${shape.join('x')} → ${O} k ${k} p ${p}`;
    test(`${label}: within float32 rounding of col2im(weightᵀ @ grad), thread count irrelevant`, () => {
      const be = onBackend('wasm', () => getBackend());
      assert.ok(be instanceof WasmBackend);
      const before = getNumThreads();
      try {
        onBackend('wasm', () => {
          const g = geometry(H, W, k, [1, 1], p, [1, 1]);
          const K = C * k[0] * k[1];
          const NL = N * g.outH * g.outW;
          const grad = rnd([O, NL], 21);
          const w = rnd([O, C, k[0], k[1]], 22);
          const composed = (wt: Tensor, gr: Tensor): Tensor => new Tensor(be.col2imBatched(wt.reshape([O, K]).t().matmul(gr), g, N), [N, C, H, W]);
          const want = composed(w, grad).dataSync();
          // Float32 rounding of a sum of these terms in any order stays within a few ulp of Σ|w||grad|.
          const bound = composed(w.abs(), grad.abs()).dataSync();
          const results: Float32Array[] = [];
          for (const threads of [1, 2]) {
            setNumThreads(threads);
            if (threads > 1) be.waitForThreads(10000);
            const direct = be.conv2dInputGrad(grad, w, g, N);
            assert.ok(direct !== null, 'the kernel takes this shape');
            results.push(new Tensor(direct, [N, C, H, W]).dataSync() as Float32Array);
          }
          for (let i = 0; i < want.length; i++) {
            assert.ok(Math.abs(results[0][i] - want[i]) <= 4e-7 * Math.sqrt(O * k[0] * k[1]) * bound[i] + 1e-7, `${label}: element ${i} is ${results[0][i]}, expected ${want[i]}`);
          }
          assert.deepEqual(results[1], results[0], `${label}: 2 threads`);
        });
      } finally {
        setNumThreads(before);
      }
    });
  }
  test('declined outside its shapes (seven input channels, stride 2, dilation 2)', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      const grad = rnd([2, 2 * 16], 3);
      assert.equal(be.conv2dInputGrad!(grad, rnd([2, 7, 3, 3], 4), geometry(6, 6, [3, 3], [1, 1], [0, 0, 0, 0], [1, 1]), 2), null);
      assert.equal(be.conv2dInputGrad!(grad, rnd([2, 3, 3, 3], 4), geometry(9, 9, [3, 3], [2, 2], [0, 0, 0, 0], [1, 1]), 2), null);
      assert.equal(be.conv2dInputGrad!(grad, rnd([2, 3, 3, 3], 4), geometry(8, 8, [3, 3], [1, 1], [0, 0, 0, 0], [2, 2]), 2), null);
    });
  });
});
