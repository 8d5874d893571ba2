/**
 * Gradient clipping against PyTorch's clip_grad_norm_ / clip_grad_value_, and the L2 penalty
 * against SGD's weight decay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optim, randn, manualSeed, tensor, Tensor, zeros } from '../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

interface ClipFixture {
  grads: FixtureTensor[];
  norm: { normType: number | 'inf'; maxNorm: number; totalNorm: number; clipped: FixtureTensor[] }[];
  value: { clipValue: number; clipped: FixtureTensor[] };
}

const clip = loadFixture<{ clip: ClipFixture }>('optim').clip;

/** Parameters whose .grad holds the fixture's gradients. */
function withGrads(): Tensor[] {
  return clip.grads.map((g) => {
    const p = zeros(g.shape, { requiresGrad: true });
    p.grad = fromFixture(g);
    return p;
  });
}

for (const c of clip.norm) {
  test(`clipGradNorm_ (p = ${c.normType}, maxNorm ${c.maxNorm}) returns PyTorch's total norm and clipped gradients`, () => {
    const params = withGrads();
    const total = optim.clipGradNorm_(params, c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
    assert.ok(total instanceof Tensor && total.ndim === 0);
    assertClose([total.item()], [c.totalNorm], undefined, 'total norm');
    params.forEach((p, i) => assertClose(p.grad!, c.clipped[i], undefined, `grad ${i}`));
  });
}

test('clipGradNorm_ scales to norm maxNorm/(1 + 1e-6/‖g‖) and leaves small gradients alone', () => {
  const p = tensor([0, 0], { requiresGrad: true });
  p.grad = tensor([3, 4]);
  assert.equal(optim.clipGradNorm_(p, 1).item(), 5);
  const c = 1 / (5 + 1e-6);
  assertClose(p.grad, [3 * c, 4 * c], { rtol: 1e-7, atol: 0 });
  p.grad = tensor([0.3, 0.4]);
  optim.clipGradNorm_([p], 1);
  assert.deepEqual([...p.grad.dataSync()], [...tensor([0.3, 0.4]).dataSync()]);
  // No gradients: norm 0, nothing to do.
  assert.equal(optim.clipGradNorm_([zeros([2], { requiresGrad: true })], 1).item(), 0);
});

test('clipGradNorm_ validates its arguments and can refuse a non-finite norm', () => {
  const p = tensor([0], { requiresGrad: true });
  p.grad = tensor([Infinity]);
  assert.throws(() => optim.clipGradNorm_(p, 1, 2, { errorIfNonfinite: true }), /clipGradNorm_: the total norm of order 2 of the gradients is Infinity/);
  assert.throws(() => optim.clipGradNorm_(p, 1, 0), /clipGradNorm_: normType must be a number > 0 or Infinity, got 0/);
});

test("clipGradValue_ clamps every gradient element into [−c, c] as PyTorch's clip_grad_value_", () => {
  const params = withGrads();
  optim.clipGradValue_(params, clip.value.clipValue);
  params.forEach((p, i) => assertClose(p.grad!, clip.value.clipped[i], undefined, `grad ${i}`));
  assert.throws(() => optim.clipGradValue_(params, -1), /clipGradValue_: clipValue must be a number >= 0, got -1/);
});

test('l2Penalty is λ/2·Σ‖w‖²', () => {
  const a = tensor([1, 2]);
  const b = tensor([[3]]);
  assert.equal(optim.l2Penalty([a, b], 0.5).item(), 0.25 * (1 + 4 + 9));
  assert.throws(() => optim.l2Penalty([a], -1), /l2Penalty: lambda must be a number >= 0, got -1/);
});

test('one SGD step with weightDecay λ equals one plain SGD step on loss + l2Penalty(λ)', () => {
  manualSeed(3);
  const X = randn([6, 3], { dtype: 'float64' });
  const y = randn([6, 1], { dtype: 'float64' });
  const w0 = randn([3, 1], { dtype: 'float64' });
  const b0 = randn([1], { dtype: 'float64' });
  const lambda = 0.3;
  const lossOf = (w: Tensor, b: Tensor): Tensor => X.matmul(w).add(b).sub(y).pow(2).mean();

  for (const momentum of [0, 0.9]) {
    const wA = w0.clone().requiresGrad_();
    const bA = b0.clone().requiresGrad_();
    const decayed = new optim.SGD([wA, bA], { lr: 0.1, weightDecay: lambda, momentum });
    const wB = w0.clone().requiresGrad_();
    const bB = b0.clone().requiresGrad_();
    const penalised = new optim.SGD([wB, bB], { lr: 0.1, momentum });
    for (let s = 0; s < 3; s++) {
      decayed.zeroGrad();
      lossOf(wA, bA).backward();
      decayed.step();
      penalised.zeroGrad();
      lossOf(wB, bB).add(optim.l2Penalty([wB, bB], lambda)).backward();
      penalised.step();
      assertClose(wB, wA, { rtol: 1e-14, atol: 1e-15 }, `w, momentum ${momentum}, step ${s + 1}`);
      assertClose(bB, bA, { rtol: 1e-14, atol: 1e-15 }, `b, momentum ${momentum}, step ${s + 1}`);
    }
    // And the decay really did something: plain SGD without it ends elsewhere.
    const wC = w0.clone().requiresGrad_();
    const bC = b0.clone().requiresGrad_();
    const plain = new optim.SGD([wC, bC], { lr: 0.1, momentum });
    for (let s = 0; s < 3; s++) {
      plain.zeroGrad();
      lossOf(wC, bC).backward();
      plain.step();
    }
    assert.ok(Math.abs(wC.sub(wA).abs().sum().item()) > 1e-3);
  }
});
