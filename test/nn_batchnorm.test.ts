/**
 * BatchNorm1d/2d against PyTorch: several training steps (outputs, gradients, running statistics
 * and num_batches_tracked after each) then evaluation with the running statistics; gradcheck in
 * both modes; the functional form; errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradcheck, manualSeed, nn, noGrad, randn, tensor, zeros, type Tensor } from '../src/index.js';
import { assertClose, BACKWARD_TOL, FORWARD_TOL, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

interface Step {
  training: boolean;
  input: FixtureTensor;
  output: FixtureTensor;
  gradOutput: FixtureTensor;
  inputGrad: FixtureTensor;
  paramGrads: Record<string, FixtureTensor>;
  state: Record<string, FixtureTensor>;
}

interface BnCase {
  name: string;
  ctor: { type: 'BatchNorm1d' | 'BatchNorm2d'; args: number[]; options: nn.BatchNormLayerOptions };
  initialState: Record<string, FixtureTensor>;
  steps: Step[];
}

function build(c: BnCase['ctor']): nn.BatchNorm {
  return c.type === 'BatchNorm1d' ? new nn.BatchNorm1d(c.args[0], c.options) : new nn.BatchNorm2d(c.args[0], c.options);
}

const fixture = loadFixture<{ batchnorm: BnCase[] }>('nn');

describe('BatchNorm matches PyTorch over training steps and evaluation', () => {
  for (const c of fixture.batchnorm) {
    test(c.name, () => {
      const bn = build(c.ctor);
      bn.loadStateDict(Object.fromEntries(Object.entries(c.initialState).map(([k, v]) => [k, fromFixture(v)])));
      assert.deepEqual([...bn.stateDict().keys()], Object.keys(c.initialState), 'state-dict keys');
      c.steps.forEach((s, i) => {
        const where = `${c.name} step ${i} (${s.training ? 'train' : 'eval'})`;
        bn.train(s.training);
        bn.zeroGrad();
        const x = fromFixture(s.input, { requiresGrad: true });
        const y = bn.call(x);
        assertClose(y, s.output, FORWARD_TOL, `${where}: output`);
        y.mul(fromFixture(s.gradOutput)).sum().backward();
        assertClose(x.grad!, s.inputGrad, BACKWARD_TOL, `${where}: input grad`);
        const params = new Map(bn.namedParameters());
        for (const [name, g] of Object.entries(s.paramGrads)) assertClose(params.get(name)!.grad!, g, BACKWARD_TOL, `${where}: ${name}.grad`);
        const state = bn.stateDict();
        assert.deepEqual([...state.keys()], Object.keys(s.state), `${where}: keys`);
        for (const [key, v] of Object.entries(s.state)) assertClose(state.get(key)!, v, FORWARD_TOL, `${where}: ${key}`);
      });
    });
  }
});

describe('BatchNorm behaviour', () => {
  test('γ = 1, β = 0, running mean 0, running var 1, num_batches_tracked 0 initially; PyTorch keys', () => {
    const bn = new nn.BatchNorm2d(3);
    assert.deepEqual(Array.from(bn.weight!.dataSync()), [1, 1, 1]);
    assert.deepEqual(Array.from(bn.bias!.dataSync()), [0, 0, 0]);
    assert.deepEqual(Array.from(bn.runningMean!.dataSync()), [0, 0, 0]);
    assert.deepEqual(Array.from(bn.runningVar!.dataSync()), [1, 1, 1]);
    assert.equal(bn.numBatchesTracked!.item(), 0);
    assert.equal(bn.numBatchesTracked!.dtype, 'int32');
    assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    assert.deepEqual(bn.namedBuffers().map(([n]) => n), ['running_mean', 'running_var', 'num_batches_tracked']);
    assert.equal(String(bn), 'BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=true, trackRunningStats=true)');
  });
  test('training output has zero mean and unit (biased) variance per channel', () => {
    manualSeed(3);
    const bn = new nn.BatchNorm1d(4);
    const y = bn.call(randn(64, 4).mul(3).add(5));
    const m = y.mean(0).dataSync();
    const v = y.var(0, { correction: 0 }).dataSync();
    for (let c = 0; c < 4; c++) {
      assert.ok(Math.abs(m[c]) < 1e-5);
      assert.ok(Math.abs(v[c] - 1) < 1e-3);
    }
  });
  test('evaluation does not change the running statistics', () => {
    const bn = new nn.BatchNorm1d(2).eval();
    bn.call(randn(5, 2));
    assert.deepEqual(Array.from(bn.runningMean!.dataSync()), [0, 0]);
    assert.equal(bn.numBatchesTracked!.item(), 0);
  });
  test('functional batchNorm: running update uses the unbiased variance', () => {
    const x = tensor([[1, 10], [3, 20], [5, 60]]);
    const rm = zeros(2);
    const rv = tensor([1, 1]);
    nn.functional.batchNorm(x, rm, rv, { training: true, momentum: 0.5 });
    // channel 0: mean 3, unbiased var 4; channel 1: mean 30, unbiased var 700.
    assertClose(rm, [1.5, 15]);
    assertClose(rv, [0.5 + 2, 0.5 + 350]);
    const y = nn.functional.batchNorm(x, rm, rv, { weight: tensor([2, 1]), bias: tensor([0, 1]) });
    assertClose(y, [[2 * (1 - 1.5) / Math.sqrt(2.5 + 1e-5), (10 - 15) / Math.sqrt(350.5 + 1e-5) + 1],
      [2 * 1.5 / Math.sqrt(2.5 + 1e-5), 5 / Math.sqrt(350.5 + 1e-5) + 1], [2 * 3.5 / Math.sqrt(2.5 + 1e-5), 45 / Math.sqrt(350.5 + 1e-5) + 1]].flat());
  });
});

describe('BatchNorm gradcheck (float64)', () => {
  const x64 = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true });
  manualSeed(21);
  for (const [name, make, shape] of [
    ['BatchNorm1d [N,C]', () => new nn.BatchNorm1d(3), [4, 3]],
    ['BatchNorm1d [N,C,L]', () => new nn.BatchNorm1d(2), [3, 2, 3]],
    ['BatchNorm2d', () => new nn.BatchNorm2d(2), [2, 2, 2, 3]],
  ] as const) {
    test(`${name} training and evaluation`, () => {
      const bn = make().double();
      const x = x64(...shape);
      noGrad(() => bn.parameters().forEach((p) => p.copy_(randn(p.shape, { dtype: 'float64' }).add(1))));
      assert.ok(gradcheck((xi) => bn.call(xi), [x, ...bn.parameters()]));
      bn.eval();
      bn.runningVar!.copy_(tensor(Array.from({ length: bn.numFeatures }, (_, i) => 0.5 + i), { dtype: 'float64' }));
      assert.ok(gradcheck((xi) => bn.call(xi), [x, ...bn.parameters()]));
    });
  }
});

describe('BatchNorm errors', () => {
  test('wrong rank, wrong channel count, one value per channel', () => {
    assert.throws(() => new nn.BatchNorm1d(3).call(randn(2, 3, 4, 5)), /BatchNorm1d: expected a 2D or 3D input \(\[N, C\] or \[N, C, L\]\), got \[2,3,4,5\]/);
    assert.throws(() => new nn.BatchNorm2d(3).call(randn(2, 3, 4)), /BatchNorm2d: expected a 4D input \[N, C, H, W\], got \[2,3,4\]/);
    assert.throws(() => new nn.BatchNorm1d(3).call(randn(8, 4)), /BatchNorm1d: input \[8,4\] has 4 channels \(dim 1\), expected 3/);
    assert.throws(() => new nn.BatchNorm1d(3).call(randn(1, 3)), /BatchNorm1d: expected more than 1 value per channel when training, got input \[1,3\]/);
    assert.throws(() => new nn.BatchNorm1d(0), /BatchNorm1d: numFeatures must be a positive integer, got 0/);
  });
});
