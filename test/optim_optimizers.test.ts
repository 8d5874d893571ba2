/**
 * Optimisers against PyTorch: 20-step parameter trajectories on a tiny 2-layer net (fixture from
 * scripts/fixtures/optim.py), state dicts that resume exactly, and hyper-parameter errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromTypedArray, optim, tensor, Tensor, zeros, type TypedArray } from '../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adagrad' | 'RMSprop' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  losses: number[];
  trajectory: number[][];
}

interface Fixture {
  steps: number;
  problem: { X: FixtureTensor; y: FixtureTensor; params: FixtureTensor[] };
  optimizers: OptimizerCase[];
}

const fx = loadFixture<Fixture>('optim');
const X = fromFixture(fx.problem.X);
const Y = fromFixture(fx.problem.y);
/** Parameters after 20 steps must match PyTorch within 1e-5 relative (and 1e-6 absolute near 0). */
const TRAJ_TOL = { rtol: 1e-5, atol: 1e-6 };

function freshParams(): Tensor[] {
  return fx.problem.params.map((p) => fromFixture(p, { requiresGrad: true }));
}

/** mean((tanh(X·W1ᵀ + b1)·W2ᵀ + b2 − y)²), as the fixture script computes it. */
function lossOf([w1, b1, w2, b2]: Tensor[]): Tensor {
  const h = X.matmul(w1.t()).add(b1).tanh();
  const out = h.matmul(w2.t()).add(b2);
  return out.sub(Y).pow(2).mean();
}

type AnyOptimizerCtor = new (params: unknown, options: unknown) => optim.Optimizer;
const CTORS: Record<OptimizerCase['optimizer'], AnyOptimizerCtor> = {
  SGD: optim.SGD as unknown as AnyOptimizerCtor,
  Adagrad: optim.Adagrad as unknown as AnyOptimizerCtor,
  RMSprop: optim.RMSprop as unknown as AnyOptimizerCtor,
  Adam: optim.Adam as unknown as AnyOptimizerCtor,
  AdamW: optim.AdamW as unknown as AnyOptimizerCtor,
};

function build(c: OptimizerCase, params: Tensor[]): optim.Optimizer {
  const input = c.groups ? c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) : params;
  return new CTORS[c.optimizer](input, c.options);
}

function trainStep(opt: optim.Optimizer, params: Tensor[]): number {
  opt.zeroGrad();
  const loss = lossOf(params);
  loss.backward();
  opt.step();
  return loss.item();
}

function flat(params: Tensor[]): number[] {
  return params.flatMap((p) => [...p.dataSync()]);
}

for (const c of fx.optimizers) {
  test(`${c.name}: ${fx.steps} steps of ${c.optimizer} ${JSON.stringify(c.options)}${c.groups ? ' with groups' : ''} match PyTorch`, () => {
    const params = freshParams();
    const opt = build(c, params);
    for (let s = 0; s < fx.steps; s++) {
      const loss = trainStep(opt, params);
      assertClose([loss], [c.losses[s]], TRAJ_TOL, `${c.name} loss before step ${s + 1}`);
      assertClose(flat(params), c.trajectory[s], TRAJ_TOL, `${c.name} params after step ${s + 1}`);
    }
  });
}

test('the fixture covers every option the brief names', () => {
  const names = new Set(fx.optimizers.map((c) => c.name));
  for (const n of ['sgd_momentum', 'sgd_dampening', 'sgd_nesterov', 'sgd_weight_decay', 'sgd_maximize', 'rmsprop_centered',
    'rmsprop_momentum', 'adam_amsgrad', 'adamw', 'adagrad_lr_decay', 'adam_maximize', 'sgd_groups']) {
    assert.ok(names.has(n), n);
  }
});

// ---------------------------------------------------------------- state dicts

function copyTensor(t: Tensor): Tensor {
  return fromTypedArray(t.dataSync() as TypedArray, [...t.shape]);
}

/** Through JSON and fresh tensors, as a checkpoint writer and reader would. */
function throughCheckpoint(sd: optim.OptimizerStateDict): optim.OptimizerStateDict {
  const { data, tensors } = optim.splitStateDict(sd);
  const json = JSON.parse(JSON.stringify(data)) as optim.JsonValue;
  const copies = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, copyTensor(t)]));
  return optim.joinStateDict<optim.OptimizerStateDict>({ data: json, tensors: copies });
}

const RESUME_CASES = ['sgd_momentum', 'sgd_nesterov', 'adagrad_lr_decay', 'rmsprop_centered_momentum_wd', 'adam_amsgrad', 'adamw_decay_amsgrad', 'adam_groups', 'sgd_groups'];
for (const name of RESUME_CASES) {
  test(`${name}: 10 steps, stateDict, a fresh optimiser loads it, 10 more == 20 straight, bit for bit`, () => {
    const c = fx.optimizers.find((o) => o.name === name)!;
    const straight = freshParams();
    const optA = build(c, straight);
    for (let s = 0; s < 20; s++) trainStep(optA, straight);

    const resumed = freshParams();
    const opt1 = build(c, resumed);
    for (let s = 0; s < 10; s++) trainStep(opt1, resumed);
    const saved = throughCheckpoint(opt1.stateDict());
    const opt2 = build(c, resumed);
    opt2.loadStateDict(saved);
    for (let s = 0; s < 10; s++) trainStep(opt2, resumed);

    straight.forEach((p, i) => assert.deepEqual(resumed[i].dataSync(), p.dataSync(), `${name} param ${i}`));
  });
}

test('stateDict lays out state by parameter index with copied tensors, as PyTorch does', () => {
  const params = freshParams();
  const opt = new optim.Adam([{ params: [params[0], params[1]] }, { params: [params[2], params[3]], lr: 0.5 }], { lr: 0.01, amsgrad: true });
  trainStep(opt, params);
  const sd = opt.stateDict();
  assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0, 1], [2, 3]]);
  assert.deepEqual(sd.paramGroups.map((g) => g.lr), [0.01, 0.5]);
  assert.deepEqual(sd.paramGroups[0].betas, [0.9, 0.999]);
  assert.equal(sd.paramGroups[1].amsgrad, true);
  assert.deepEqual(Object.keys(sd.state).sort(), ['0', '1', '2', '3']);
  assert.deepEqual(Object.keys(sd.state[2]).sort(), ['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
  assert.equal(sd.state[2].step, 1);
  // A copy: later steps don't change the saved dict.
  const before = [...(sd.state[0].expAvg as Tensor).dataSync()];
  trainStep(opt, params);
  assert.deepEqual([...(sd.state[0].expAvg as Tensor).dataSync()], before);
  assert.notDeepEqual([...(opt.state.get(params[0])!.expAvg).dataSync()], before);

  const { data, tensors } = optim.splitStateDict(sd);
  assert.deepEqual(Object.keys(tensors).sort(), [
    'state.0.expAvg', 'state.0.expAvgSq', 'state.0.maxExpAvgSq', 'state.1.expAvg', 'state.1.expAvgSq', 'state.1.maxExpAvgSq',
    'state.2.expAvg', 'state.2.expAvgSq', 'state.2.maxExpAvgSq', 'state.3.expAvg', 'state.3.expAvgSq', 'state.3.maxExpAvgSq',
  ]);
  assert.deepEqual((data as { state: Record<string, Record<string, unknown>> }).state['1'].expAvg, { $tensor: 'state.1.expAvg' });
});

test('loadStateDict restores hyper-parameters and refuses mismatched groups', () => {
  const a = zeros([2], { requiresGrad: true });
  const b = zeros([3], { requiresGrad: true });
  const opt = new optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
  const sd = opt.stateDict();
  sd.paramGroups[0].lr = 0.5;
  const opt2 = new optim.SGD([a, b], { lr: 0.1 });
  opt2.loadStateDict(sd);
  assert.equal(opt2.paramGroups[0].lr, 0.5);
  assert.equal(opt2.paramGroups[0].momentum, 0.9);
  assert.equal(opt2.paramGroups[0].params[1], b);
  assert.throws(() => new optim.SGD([a], { lr: 0.1 }).loadStateDict(sd), /SGD.loadStateDict: saved parameter group 0 has 2 parameters, this optimiser's has 1/);
  assert.throws(() => new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 }).loadStateDict(sd), /has 1 parameter groups, this optimiser has 2/);
});

// ---------------------------------------------------------------- behaviour of the shell

test('zeroGrad sets .grad to null (or zeroes it); step skips parameters without a gradient', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3], { requiresGrad: true });
  const opt = new optim.SGD([a, b], { lr: 0.5, momentum: 0.9 });
  a.mul(a).sum().backward();
  opt.step();
  assert.deepEqual([...a.dataSync()], [0, 0]);
  assert.deepEqual([...b.dataSync()], [3]);
  assert.equal(opt.state.has(b), false);
  assert.ok(opt.state.get(a)!.momentumBuffer instanceof Tensor);
  opt.zeroGrad({ setToNone: false });
  assert.deepEqual([...a.grad!.dataSync()], [0, 0]);
  opt.zeroGrad();
  assert.equal(a.grad, null);
});

test('step(closure) evaluates the closure with grad enabled and returns its loss', () => {
  const w = tensor([2], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.25 });
  const loss = opt.step(() => {
    opt.zeroGrad();
    const l = w.mul(w).sum();
    l.backward();
    return l;
  });
  assert.equal(loss!.item(), 4);
  assert.deepEqual([...w.dataSync()], [1]); // 2 − 0.25·4
});

test('addParamGroup fills the defaults in; Adagrad creates its state up front', () => {
  const a = tensor([1], { requiresGrad: true });
  const b = tensor([1], { requiresGrad: true });
  const opt = new optim.Adagrad([a], { lr: 0.3, initialAccumulatorValue: 0.5 });
  assert.deepEqual([...opt.state.get(a)!.sum.dataSync()], [0.5]);
  assert.equal(opt.state.get(a)!.step, 0);
  opt.addParamGroup({ params: [b], lr: 0.1 });
  assert.equal(opt.paramGroups[1].lr, 0.1);
  assert.equal(opt.paramGroups[1].initialAccumulatorValue, 0.5);
  b.mul(b).sum().backward();
  opt.step(); // b's state is created lazily
  assert.equal(opt.state.get(b)!.step, 1);
  assert.throws(() => opt.addParamGroup({ params: [a] }), /Adagrad: parameter group 2 has parameters that are already in another group/);
  assert.match(String(opt), /^Adagrad \(\nParameter Group 0\n {4}eps: 1e-10\n/);
});

test('AdamW defaults to weight decay 1e-2, Adam to 0', () => {
  const w = zeros([1], { requiresGrad: true });
  assert.equal(new optim.AdamW([w]).paramGroups[0].weightDecay, 1e-2);
  assert.equal(new optim.Adam([w]).paramGroups[0].weightDecay, 0);
  assert.equal(new optim.AdamW([w]).paramGroups[0].lr, 1e-3);
});

// ---------------------------------------------------------------- errors

test('bad hyper-parameters give errors that name the optimiser and the value', () => {
  const p = () => [zeros([2], { requiresGrad: true })];
  assert.throws(() => new optim.SGD(p(), { lr: -1 }), { message: 'SGD: invalid learning rate -1 (must be >= 0)' });
  assert.throws(() => new optim.SGD(p(), { lr: Number.NaN }), /SGD: invalid learning rate NaN/);
  assert.throws(() => new optim.SGD(p()), /SGD: parameter group 0 does not set the required hyper-parameter 'lr'/);
  assert.throws(() => new optim.SGD(p(), { lr: 0.1, momentum: -0.5 }), /SGD: invalid momentum value -0.5/);
  assert.throws(() => new optim.SGD(p(), { lr: 0.1, weightDecay: -1e-4 }), /SGD: invalid weight decay -0.0001/);
  assert.throws(() => new optim.SGD(p(), { lr: 0.1, nesterov: true }), {
    message: 'SGD: Nesterov momentum requires momentum > 0 and dampening 0 (got momentum 0, dampening 0)',
  });
  assert.throws(() => new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /requires momentum > 0 and dampening 0 \(got momentum 0.9, dampening 0.1\)/);
  assert.throws(() => new optim.SGD([{ params: p(), lr: -0.5 }], { lr: 0.1 }), /SGD: invalid learning rate -0.5/);
  assert.throws(() => new optim.Adam(p(), { betas: [1.5, 0.9] }), { message: 'Adam: invalid beta parameter at index 0: 1.5 (must be in [0, 1))' });
  assert.throws(() => new optim.AdamW(p(), { betas: [0.9, 1] }), /AdamW: invalid beta parameter at index 1: 1 /);
  assert.throws(() => new optim.Adam(p(), { eps: -1e-8 }), /Adam: invalid epsilon value -1e-8/);
  assert.throws(() => new optim.Adam(p(), { lr: -0.001 }), /Adam: invalid learning rate -0.001/);
  assert.throws(() => new optim.AdamW(p(), { weightDecay: -0.01 }), /AdamW: invalid weight decay -0.01/);
  assert.throws(() => new optim.RMSprop(p(), { alpha: -0.9 }), /RMSprop: invalid alpha value -0.9/);
  assert.throws(() => new optim.RMSprop(p(), { momentum: -1 }), /RMSprop: invalid momentum value -1/);
  assert.throws(() => new optim.Adagrad(p(), { lrDecay: -0.1 }), /Adagrad: invalid lr decay -0.1/);
  assert.throws(() => new optim.Adagrad(p(), { initialAccumulatorValue: -1 }), /Adagrad: invalid initial accumulator value -1/);
});

test('bad parameter lists give clear errors', () => {
  const w = zeros([2], { requiresGrad: true });
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), { message: 'SGD: got an empty parameter list' });
  assert.throws(() => new optim.Adam(w as unknown as Tensor[]), /Adam: params must be an iterable of Tensors or of parameter groups, got a single Tensor \[2\]/);
  assert.throws(() => new optim.SGD([w.mul(2)], { lr: 0.1 }), /SGD: parameter group 0: params\[0\] \[2\] is not a leaf tensor \(it comes from MulBackward0\)/);
  assert.throws(() => new optim.SGD([w, w], { lr: 0.1 }), /SGD: parameter group 0 lists the same tensor more than once/);
  assert.throws(() => new optim.SGD([{ params: [w] }, { params: [w] }], { lr: 0.1 }), /parameter group 1 has parameters that are already in another group/);
  assert.throws(() => new optim.SGD([{ params: new Set([w]) }], { lr: 0.1 }), /not a Set/);
});
