/**
 * The wasm backend's one-image-at-a-time convolution (each image's columns built and used in cache):
 * the forward pass has the bits of im2col + matmul, the gradients are within float32 rounding of
 * col2im(weightᵀ @ grad) and Σ grad @ columnsᵀ and independent of the thread count, and
 * conv2d on large images takes this path with PyTorch-rule gradients (against the js backend).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Tensor, WasmBackend, enableGrad, fromTypedArray, functional as F, getBackend, getNumThreads, setNumThreads,
} from '../src/index.js';
import type { Storage } from '../src/core/backend.js';
import type { Conv2dGeometry } from '../src/core/conv_shape.js';
import { hasImageConv } from '../src/backends/wasm/conv_images.js';
import { assertAgree, onBackend, randomArray } from './wasm_helpers.js';

function rnd(shape: number[], seed: number): Tensor {
  return fromTypedArray(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);
}

function geometry(H: number, W: number, k: [number, number], s: [number, number], p: [number, number, number, number], d: [number, number]): Conv2dGeometry {
  const out = (size: number, kk: number, ss: number, a: number, b: number, dd: number): number => Math.floor((size + a + b - dd * (kk - 1) - 1) / ss) + 1;
  return {
    height: H, width: W, kernelH: k[0], kernelW: k[1], strideH: s[0], strideW: s[1], padTop: p[0], padLeft: p[2],
    dilationH: d[0], dilationW: d[1], outH: out(H, k[0], s[0], p[0], p[1], d[0]), outW: out(W, k[1], s[1], p[2], p[3], d[1]),
  };
}

/** Runs `fn` on the wasm backend with 1, then 2 threads, restoring the thread count. */
function onThreads<T>(fn: (threads: number, be: WasmBackend) => T): T[] {
  const be = onBackend('wasm', () => getBackend());
  assert.ok(be instanceof WasmBackend);
  const before = getNumThreads();
  try {
    return [1, 2].map((threads) => {
      setNumThreads(threads);
      if (threads > 1) be.waitForThreads(10000);
      return onBackend('wasm', () => fn(threads, be));
    });
  } finally {
    setNumThreads(before);
  }
}

/**
 * [x shape, out channels, kernel, stride, padding t/b/l/r, dilation]: the bench's layer (smaller batch), odd
 * geometries (output rows not a multiple of 8 wide, column stride 2: the element-by-element packing), and
 * 7 output channels (gemmPath's direct path: im2col to the scratch instead), dilation, and padding wider than
 * the kernel's reach (the input gradient by col2im, not as the flipped convolution), and an image whose
 * columns (18.9 MB) exceed what the scratch may hold: the packed paths store none. A single image is
 * split across threads by column.
 */
const CASES: [number[], number, [number, number], [number, number], [number, number, number, number], [number, number]][] = [
  [[4, 64, 32, 32], 64, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]],
  [[3, 5, 23, 19], 21, [3, 2], [2, 1], [1, 0, 2, 1], [1, 2]],
  [[5, 2, 40, 33], 7, [5, 5], [1, 1], [2, 2, 2, 2], [1, 1]],
  [[2, 3, 20, 21], 18, [3, 3], [1, 2], [1, 1, 1, 1], [1, 1]],
  [[2, 4, 30, 30], 20, [3, 3], [1, 1], [2, 2, 1, 3], [2, 2]],
  [[2, 3, 9, 9], 18, [3, 3], [1, 1], [3, 3, 3, 3], [1, 1]],
  [[2, 32, 128, 128], 24, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]],
  [[1, 16, 40, 40], 24, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]],
];

describe('one-image-at-a-time convolution kernels', () => {
  for (const [shape, O, k, s, p, d] of CASES) {
    const [N, C, H, W] = shape;
    const label = `x ${shape.join('x')} → ${O} k ${k} s ${s} p ${p} d ${d}`;
    test(`${label}: forward bit-identical to im2col + matmul, gradients within float32 rounding of the composed ones, on 1 and 2 threads`, () => {
      const results = onThreads((threads, be) => {
        const g = geometry(H, W, k, s, p, d);
        const K = C * k[0] * k[1];
        const L = g.outH * g.outW;
        const x = rnd(shape, 11);
        const w = rnd([O, C, k[0], k[1]], 12);
        const b = rnd([O], 13);
        const dy = rnd([N, O, g.outH, g.outW], 14);
        assert.ok(hasImageConv(be, x, w, g), 'the kernels take this shape');
        const cols = new Tensor(be.im2col(x, g), [N, K, L]);
        const w2 = w.reshape([O, K]);
        const product = w2.matmul(cols);
        assertAgree(new Tensor(be.conv2dImages(x, w, g, null)!, [N, O, L]), product, 0, 0, `forward ${label}, ${threads} thread(s)`);
        const forward = new Tensor(be.conv2dImages(x, w, g, b)!, [N, O, L]);
        assertAgree(forward, product.add(b.reshape([1, O, 1])), 0, 0, `forward with bias ${label}, ${threads} thread(s)`);
        // Float32 sums of the same terms in another order stay within a few ulp of Σ|term|.
        const withinRounding = (what: string, got: Tensor, composed: (a: Tensor, b: Tensor) => Tensor, a: Tensor, bb: Tensor, terms: number): void => {
          const want = composed(a, bb).dataSync();
          const bound = composed(a.abs(), bb.abs()).dataSync();
          const values = got.dataSync();
          for (let i = 0; i < want.length; i++) {
            assert.ok(Math.abs(values[i] - want[i]) <= 6e-8 * Math.sqrt(terms) * bound[i] + 1e-7, `${what} ${label}: element ${i} is ${values[i]}, expected ${want[i]}`);
          }
        };
        const dy3 = dy.reshape([N, O, L]);
        const dx = new Tensor(be.conv2dImagesInputGrad(dy, w, g)!, shape);
        withinRounding('input gradient', dx, (wt, gr) => new Tensor(be.col2im(wt.t().matmul(gr), g), shape), w2, dy3, O * k[0] * k[1]);
        const dw = new Tensor(be.conv2dImagesWeightGrad(dy, x, g)!, [O, K]);
        withinRounding('weight gradient', dw, (gr, cl) => gr.matmul(cl.transpose(1, 2)).sum(0), dy3, cols, N * L);
        return [dx.dataSync(), dw.dataSync()];
      });
      assert.deepEqual(results[1], results[0], `${label}: the gradients do not depend on the thread count`);
    });
  }

  test('strided operands (permuted views, a broadcast gradient) give the results of contiguous copies', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      assert.ok(be instanceof WasmBackend);
      const g = geometry(32, 32, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]);
      const x = rnd([6, 2, 32, 32], 71).permute(1, 0, 2, 3);
      const w = rnd([6, 20, 3, 3], 72).permute(1, 0, 2, 3);
      const b = rnd([20, 2], 73).select(1, 0);
      const dy = rnd([1, 20, 1, 32], 74).expand([2, 20, 32, 32]);
      const [xc, wc, bc, dyc] = [x, w, b, dy].map((t) => t.contiguous());
      assert.ok(!x.isContiguous() && !w.isContiguous() && !b.isContiguous() && !dy.isContiguous());
      const same = (what: string, a: Storage | null, c: Storage | null, shape: number[]): void =>
        assertAgree(new Tensor(a!, shape), new Tensor(c!, shape), 0, 0, what);
      same('forward', be.conv2dImages(x, w, g, b), be.conv2dImages(xc, wc, g, bc), [2, 20, 32, 32]);
      same('input gradient', be.conv2dImagesInputGrad(dy, w, g), be.conv2dImagesInputGrad(dyc, wc, g), [2, 6, 32, 32]);
      same('weight gradient', be.conv2dImagesWeightGrad(dy, x, g), be.conv2dImagesWeightGrad(dyc, xc, g), [20, 54]);
    });
  });

  test('declined for one image off the packed path, another dtype, and stored columns above 4 MiB per image', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      assert.ok(be instanceof WasmBackend);
      const g = geometry(32, 32, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]);
      // A single image only where the GEMM packs from the image (7 output channels: the direct path).
      assert.equal(be.conv2dImages(rnd([1, 8, 32, 32], 1), rnd([7, 8, 3, 3], 2), g, null), null);
      assert.notEqual(be.conv2dImages(rnd([1, 8, 32, 32], 1), rnd([20, 8, 3, 3], 2), g, null), null);
      assert.equal(be.conv2dImages(rnd([2, 8, 32, 32], 1).double(), rnd([20, 8, 3, 3], 2).double(), g, null), null);
      const big = geometry(128, 128, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]);
      // 7 output channels: gemmPath's direct path, which needs the columns stored (32·9 × 128·128 floats).
      assert.equal(be.conv2dImages(rnd([2, 32, 128, 128], 1), rnd([7, 32, 3, 3], 2), big, null), null);
      // O + K ≤ 256: the dot-product path, likewise (16·9 × 128·128 floats).
      assert.equal(be.conv2dImagesWeightGrad(rnd([2, 7, 128, 128], 1), rnd([2, 16, 128, 128], 2), big), null);
      // Stride 2: col2im of a stored column gradient (32·9 × 64·64 floats).
      const strided = geometry(128, 128, [3, 3], [2, 2], [1, 1, 1, 1], [1, 1]);
      assert.equal(be.conv2dImagesInputGrad(rnd([2, 20, 64, 64], 1), rnd([20, 32, 3, 3], 2), strided), null);
    });
  });
});

describe('conv2d on large images through the one-image kernels', () => {
  /** Runs `make` on both backends and compares what it returns. */
  function agree(what: string, make: () => Tensor[], rtol: number, atol: number): void {
    const js = onBackend('js', make);
    const wa = onBackend('wasm', make);
    wa.forEach((t, i) => {
      assert.equal(t.backend.name, 'wasm', `${what}: result ${i} backend`);
      assertAgree(t, js[i], rtol, atol, `${what} [${i}]`);
    });
  }

  test('training step: output and input, weight and bias gradients agree with the js backend', () => {
    // 32×32 outputs (the size from which conv2d keeps one product per image), 20 output channels
    // (above the implicit GEMM's 16).
    agree('conv2d 3×20×32×32', () => {
      const x = rnd([3, 6, 32, 32], 41).requiresGrad_();
      const w = rnd([20, 6, 3, 3], 42).requiresGrad_();
      const b = rnd([20], 43).requiresGrad_();
      const y = F.conv2d(x, w, b, { padding: 1 });
      y.mul(rnd([3, 20, 32, 32], 44)).sum().backward();
      return [y, x.grad!, w.grad!, b.grad!];
    }, 1e-4, 1e-4);
  });

  test('where the gradient kernels decline (their columns would be stored, 1.2M floats an image), the composed rules take over', () => {
    agree('conv2d 2×16×90×90 → 20', () => {
      const x = rnd([2, 16, 90, 90], 61).requiresGrad_();
      const w = rnd([20, 16, 3, 3], 62).requiresGrad_();
      const y = F.conv2d(x, w, null, { padding: 1 });
      y.mul(rnd([2, 20, 90, 90], 63)).sum().backward();
      return [y, x.grad!, w.grad!];
    }, 1e-4, 1e-4);
  });

  test('the wasm backend takes the one-image path for it (the columns of the batch are never stored)', () => {
    onBackend('wasm', () => {
      const be = getBackend();
      assert.ok(be instanceof WasmBackend);
      const calls: string[] = [];
      const original = { images: be.conv2dImages, im2col: be.im2col };
      be.conv2dImages = (...args) => (calls.push('conv2dImages'), original.images.apply(be, args));
      be.im2col = (...args) => (calls.push('im2col'), original.im2col.apply(be, args));
      try {
        F.conv2d(rnd([2, 6, 32, 32], 1), rnd([20, 6, 3, 3], 2), null, { padding: 1 }).dispose();
      } finally {
        be.conv2dImages = original.images;
        be.im2col = original.im2col;
      }
      assert.deepEqual(calls, ['conv2dImages']);
    });
  });

  test('double backward: the rule run with grad mode on is differentiable and gives the second-order gradients', () => {
    const [N, C, O] = [2, 3, 17];
    const r = (): Tensor => rnd([N, C, 32, 32], 54);
    const r2 = (): Tensor => rnd([O, C, 3, 3], 55);
    const gy = (): Tensor => rnd([N, O, 32, 32], 53);
    const got = onBackend('wasm', () => {
      const x = rnd([N, C, 32, 32], 51).requiresGrad_();
      const w = rnd([O, C, 3, 3], 52).requiresGrad_();
      const y = F.conv2d(x, w, null, { padding: 1 });
      assert.equal(y.gradFn!.name, 'ConvolutionBackward0');
      const [dx0, dw0] = y.gradFn!.apply(gy());
      const [dx, dw] = enableGrad(() => y.gradFn!.apply(gy()));
      assert.ok(dx!.requiresGrad && dw!.requiresGrad, 'the gradients are differentiable');
      assertAgree(dx!, dx0!, 1e-5, 1e-5, 'composed input gradient');
      assertAgree(dw!, dw0!, 1e-5, 1e-5, 'composed weight gradient');
      // Σ dx·r is linear in w and Σ dw·r2 in x: their gradients are the weight gradient of a conv of
      // r and the input gradient of a conv with weight r2, both from the same gy.
      dx!.mul(r()).sum().add(dw!.mul(r2()).sum()).backward();
      return [x.grad!, w.grad!];
    });
    const want = onBackend('js', () => {
      const w = rnd([O, C, 3, 3], 52).requiresGrad_();
      F.conv2d(r(), w, null, { padding: 1 }).backward(gy());
      const x = rnd([N, C, 32, 32], 51).requiresGrad_();
      F.conv2d(x, r2(), null, { padding: 1 }).backward(gy());
      return [x.grad!, w.grad!];
    });
    assertAgree(got[0], want[0], 1e-4, 1e-4, 'd(Σ dw·r2)/dx');
    assertAgree(got[1], want[1], 1e-4, 1e-4, 'd(Σ dx·r)/dw');
  });
});
