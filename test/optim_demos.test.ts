/**
 * The course's claims about optimisers, demonstrated with glubina's own optimisers (float64,
 * deterministic, so the step counts are exact).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optim, tensor, type Tensor } from '../src/index.js';

/**
 * Steps SGD needs to bring f(x, y) = ½(x² + 50y²) from (10, 1) below 1e-6 (Infinity if it has not
 * after `max` steps). The condition number is 50, so plain gradient descent needs lr < 2/50.
 */
function stepsToConverge(options: optim.SGDOptions, max = 1000): number {
  const p = tensor([10, 1], { requiresGrad: true, dtype: 'float64' });
  const curvature = tensor([1, 50], { dtype: 'float64' });
  const opt = new optim.SGD([p], options);
  for (let t = 0; t < max; t++) {
    opt.zeroGrad();
    const f = p.mul(p).mul(curvature).sum().mul(0.5);
    if (f.item() < 1e-6) return t;
    f.backward();
    opt.step();
  }
  return Infinity;
}

test('on an elongated quadratic, momentum reaches the target loss in fewer steps than plain SGD at its best learning rate', () => {
  const lrs = [0.01, 0.02, 0.039, 0.04];
  const plain = lrs.map((lr) => stepsToConverge({ lr }));
  // Plain GD: the stiff direction (curvature 50) caps the rate at 2/50; at 0.04 y oscillates forever.
  assert.deepEqual(plain, [882, 439, 223, Infinity]);
  const bestPlain = Math.min(...plain);
  const bestLr = lrs[plain.indexOf(bestPlain)];
  assert.equal(bestLr, 0.039);

  // Same learning rates with momentum 0.9: fewer steps at every one of them.
  const heavy = [0.01, 0.039].map((lr) => stepsToConverge({ lr, momentum: 0.9 }));
  assert.deepEqual(heavy, [162, 152]);
  assert.ok(heavy[0] < plain[0] && heavy[1] < bestPlain);
  // Even at a 4x smaller learning rate than plain SGD's best, momentum beats it.
  assert.ok(stepsToConverge({ lr: 0.01, momentum: 0.9 }) < bestPlain);
  // Nesterov momentum, same rate: faster still.
  assert.equal(stepsToConverge({ lr: 0.01, momentum: 0.9, nesterov: true }), 98);
});

/**
 * Feeds `grads` as the gradient of a one-element parameter and returns the effective step of each
 * update, |Δθ| / |g| (the per-coordinate learning rate the optimiser applied).
 */
function effectiveSteps(makeOpt: (p: Tensor) => optim.Optimizer, grads: number[]): number[] {
  const p = tensor([0], { requiresGrad: true, dtype: 'float64' });
  const opt = makeOpt(p);
  return grads.map((g) => {
    const before = p.item();
    p.grad = tensor([g], { dtype: 'float64' });
    opt.step();
    return Math.abs(p.item() - before) / Math.abs(g);
  });
}

const strictlyDecreasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x < xs[i - 1]);
const strictlyIncreasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]);

test("Adagrad's effective step shrinks monotonically; RMSprop's levels off and grows again when gradients shrink", () => {
  const adagrad = (p: Tensor) => new optim.Adagrad([p], { lr: 0.1 });
  const rmsprop = (p: Tensor) => new optim.RMSprop([p], { lr: 0.1, alpha: 0.9 });

  // A constant non-zero gradient: Adagrad's step is γ/√t → 0; RMSprop's tends to γ/|g|.
  const constant = Array.from({ length: 60 }, () => 2);
  const ada = effectiveSteps(adagrad, constant);
  assert.ok(strictlyDecreasing(ada));
  ada.forEach((e, i) => assert.ok(Math.abs(e - 0.1 / (2 * Math.sqrt(i + 1) + 1e-10)) < 1e-15, `Adagrad step ${i + 1}: ${e}`));
  const rms = effectiveSteps(rmsprop, constant);
  assert.ok(strictlyDecreasing(rms));
  assert.ok(Math.abs(rms[59] - 0.1 / 2) < 0.001 * 0.05, `RMSprop levels off at γ/|g| = 0.05, got ${rms[59]}`);
  assert.ok(rms[59] > 7 * ada[59]); // γ/|g| vs γ/(|g|√60)

  // The gradient drops tenfold after 20 steps.
  const dropping = Array.from({ length: 40 }, (_, t) => (t < 20 ? 1 : 0.1));
  const adaDrop = effectiveSteps(adagrad, dropping);
  const rmsDrop = effectiveSteps(rmsprop, dropping);
  assert.ok(strictlyDecreasing(adaDrop), 'Adagrad never takes a bigger step again');
  assert.ok(!strictlyDecreasing(rmsDrop) && strictlyDecreasing(rmsDrop.slice(0, 20)), 'RMSprop first shrinks its step…');
  assert.ok(strictlyIncreasing(rmsDrop.slice(19)), '…then grows it again once the gradient is small');
  assert.ok(rmsDrop[39] > 2.5 * rmsDrop[19], `RMSprop step ${rmsDrop[39]} vs ${rmsDrop[19]}`);
  assert.ok(adaDrop[39] < adaDrop[19]);
});
