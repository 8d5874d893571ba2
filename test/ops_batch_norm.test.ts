/**
 * The batchNormTraining primitive on the current backend: gradcheck (float64) for input, weight
 * and bias over [N, C], [N, C, L] and [N, C, H, W] with N = 1 among them; the double-backward
 * (composed) gradient rule; the composed fallback of a backend without the fused kernels; the
 * running-statistics update; errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  batchNormTraining, enableGrad, fromTypedArray, getBackend, gradcheck, manualSeed, randn, tensor, zeros, type Backend, type Tensor,
} from '../src/index.js';
import { assertClose, BACKWARD_TOL, FORWARD_TOL } from './helpers.js';

const f64 = (shape: number[], requiresGrad = true): Tensor => randn(shape, { dtype: 'float64', requiresGrad });
/** A per-channel float64 tensor away from 0 (a scale γ that does not hide the input's gradient). */
const gamma = (c: number): Tensor => randn([c], { dtype: 'float64' }).mul(0.5).add(1.5).detach().requiresGrad_();

describe('batchNormTraining gradcheck (float64)', () => {
  manualSeed(5);
  for (const [name, shape, affine] of [
    ['[N,C,H,W] with weight and bias', [3, 2, 2, 3], 'wb'],
    ['[N,C] with weight and bias', [4, 3], 'wb'],
    ['[N,C,L] weight only', [3, 2, 4], 'w'],
    ['N = 1, spatial 5×7, bias only', [1, 3, 5, 7], 'b'],
    ['[N,C,L] no affine', [2, 3, 3], ''],
  ] as const) {
    test(name, () => {
      const C = shape[1];
      const x = f64([...shape]);
      const w = affine.includes('w') ? gamma(C) : null;
      const b = affine.includes('b') ? f64([C]) : null;
      const inputs = [x, w, b].filter((t): t is Tensor => t !== null);
      assert.ok(gradcheck((...a) => batchNormTraining(a[0], w ? a[1] : null, b ? a[w ? 2 : 1] : null)[0], inputs));
    });
  }
  test('the gradient rule itself is differentiable (double backward, composed with grad mode on)', () => {
    const x = f64([3, 2, 3]);
    const w = gamma(2);
    const b = f64([2]);
    const gy = randn([3, 2, 3], { dtype: 'float64' });
    // dx and dγ as functions of x, γ and β (dβ = Σ dy depends on none of them).
    assert.ok(gradcheck((xi, wi, bi) => enableGrad(() => {
      const [y] = batchNormTraining(xi, wi, bi);
      const [dx, dw] = y.gradFn!.apply(gy);
      return [dx!, dw!];
    }), [x, w, b]));
  });
});

/** Runs `fn` with `backend`'s fused batch-norm methods hidden, as on a backend without them. */
function withoutFused<T>(backend: Backend, fn: () => T): T {
  const b = backend as { batchNorm?: unknown; batchNormBackward?: unknown };
  b.batchNorm = undefined;
  b.batchNormBackward = undefined;
  try {
    return fn();
  } finally {
    delete b.batchNorm;
    delete b.batchNormBackward;
  }
}

describe('batchNormTraining values', () => {
  test('fused kernels and the composed fallback agree (float32, odd shapes)', () => {
    const backend = getBackend();
    assert.ok(backend.batchNorm && backend.batchNormBackward, 'the backend has the fused kernels');
    manualSeed(8);
    for (const shape of [[4, 3, 5, 7], [1, 3, 5, 7], [6, 3], [7, 10], [3, 4, 9]]) {
      const C = shape[1];
      const xData = randn(shape).mul(2).add(3).dataSync() as Float32Array;
      const gData = randn(shape).dataSync() as Float32Array;
      const wData = randn([C]).add(1).dataSync() as Float32Array;
      const bData = randn([C]).dataSync() as Float32Array;
      const run = (): Tensor[] => {
        const x = fromTypedArray(xData, shape, { requiresGrad: true });
        const w = fromTypedArray(wData, [C], { requiresGrad: true });
        const b = fromTypedArray(bData, [C], { requiresGrad: true });
        const rm = zeros(C);
        const rv = zeros(C).add(1);
        const [y, mean, invstd] = batchNormTraining(x, w, b, rm, rv, 0.1, 1e-5);
        y.backward(fromTypedArray(gData, shape));
        return [y, mean, invstd, rm, rv, x.grad!, w.grad!, b.grad!];
      };
      const fused = run();
      const composed = withoutFused(backend, run);
      const names = ['output', 'mean', 'invstd', 'runningMean', 'runningVar', 'input grad', 'weight grad', 'bias grad'];
      fused.forEach((t, i) => assertClose(t, composed[i], i < 5 ? FORWARD_TOL : BACKWARD_TOL, `[${shape}] ${names[i]}`));
    }
  });
  test('statistics and the running update: mean, invstd of the biased variance, unbiased running variance', () => {
    const x = tensor([[1, 10], [3, 20], [5, 60]]);
    const rm = zeros(2);
    const rv = tensor([1, 1]);
    const [y, mean, invstd] = batchNormTraining(x, null, null, rm, rv, 0.5, 1e-5);
    assertClose(mean, [3, 30]);
    assertClose(invstd, [1 / Math.sqrt(8 / 3 + 1e-5), 1 / Math.sqrt(1400 / 3 + 1e-5)]);
    assertClose(rm, [1.5, 15]);
    assertClose(rv, [0.5 + 2, 0.5 + 350]);
    assertClose(y.select(1, 0), [-2, 0, 2].map((d) => d / Math.sqrt(8 / 3 + 1e-5)));
    assert.equal(mean.requiresGrad, false);
  });
  test('only the inputs that need a gradient get one', () => {
    const x = randn([4, 3, 2]);
    const w = zeros(3).add(2).requiresGrad_();
    const [y] = batchNormTraining(x, w, zeros(3));
    y.sum().backward();
    assert.equal(x.grad, null);
    // Σ x̂ over a channel is 0, so d(Σy)/dγ = 0.
    assertClose(w.grad!, [0, 0, 0], BACKWARD_TOL);
  });
});

describe('batchNormTraining errors', () => {
  test('rank, dtype, per-channel sizes, one value per channel', () => {
    assert.throws(() => batchNormTraining(randn(4)), /batchNormTraining: expected an input \[N, C, \.\.\.\] with at least 2 dims, got \[4\]/);
    assert.throws(() => batchNormTraining(zeros([2, 3], { dtype: 'int32' })), /batchNormTraining: needs a floating-point input, got int32 \[2,3\]/);
    assert.throws(() => batchNormTraining(randn(4, 3), randn(2)), /batchNormTraining: weight \[2\] must have one value per channel \(3\) of input \[4,3\]/);
    assert.throws(() => batchNormTraining(randn(4, 3), null, randn([3], { dtype: 'float64' })), /batchNormTraining: bias is float64, input \[4,3\] is float32; they must match/);
    assert.throws(() => batchNormTraining(randn(1, 3)), /batchNormTraining: expected more than 1 value per channel when training, got input \[1,3\]/);
  });
});
