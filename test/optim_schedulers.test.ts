/**
 * Learning-rate schedules against PyTorch's values over 40 epochs (two parameter groups), their
 * state dicts, resuming, and errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optim, tensor, zeros } from '../src/index.js';
import { loadFixture } from './helpers.js';

const S = optim.lrScheduler;

interface SchedulerConfig {
  kind: string;
  [key: string]: unknown;
}

interface SchedulerCase {
  name: string;
  config: SchedulerConfig;
  groupLrs: number[];
  lrs: number[][];
  metric?: number[];
}

const cases = loadFixture<{ schedulers: SchedulerCase[] }>('optim').schedulers;

interface AnyScheduler {
  /** The plateau scheduler takes this epoch's metric; the others take nothing (undefined). */
  step(metric: number): void;
  getLastLr(): number[];
  stateDict(): optim.lrScheduler.SchedulerStateDict;
  loadStateDict(sd: optim.lrScheduler.SchedulerStateDict): void;
}

function num(c: SchedulerConfig, k: string): number | undefined {
  return c[k] as number | undefined;
}

function make(opt: optim.Optimizer, c: SchedulerConfig): AnyScheduler {
  switch (c.kind) {
    case 'StepLR': return new S.StepLR(opt, num(c, 'stepSize')!, { gamma: num(c, 'gamma') });
    case 'MultiStepLR': return new S.MultiStepLR(opt, c.milestones as number[], { gamma: num(c, 'gamma') });
    case 'ExponentialLR': return new S.ExponentialLR(opt, num(c, 'gamma')!);
    case 'CosineAnnealingLR': return new S.CosineAnnealingLR(opt, num(c, 'tMax')!, { etaMin: num(c, 'etaMin') });
    case 'LinearLR': return new S.LinearLR(opt, { startFactor: num(c, 'startFactor'), endFactor: num(c, 'endFactor'), totalIters: num(c, 'totalIters') });
    case 'ConstantLR': return new S.ConstantLR(opt, { factor: num(c, 'factor'), totalIters: num(c, 'totalIters') });
    case 'InverseTimeLR': return new S.InverseTimeLR(opt, num(c, 'decayRate')!);
    case 'MultiplicativeLR': {
      const f = num(c, 'factor')!;
      return new S.MultiplicativeLR(opt, () => f);
    }
    case 'SequentialLR': {
      const subs = (c.schedulers as SchedulerConfig[]).map((s) => make(opt, s) as optim.lrScheduler.LRScheduler);
      return new S.SequentialLR(opt, subs, c.milestones as number[]);
    }
    case 'ReduceLROnPlateau': {
      const { kind: _kind, ...options } = c;
      return new S.ReduceLROnPlateau(opt, options as optim.lrScheduler.ReduceLROnPlateauOptions);
    }
    default: throw new Error(`unknown scheduler ${c.kind}`);
  }
}

function twoGroups(lrs: number[]): optim.SGD {
  return new optim.SGD(lrs.map((lr) => ({ params: [zeros([1], { requiresGrad: true })], lr })), { lr: 1 });
}

function groupLrs(opt: optim.Optimizer): number[] {
  return opt.paramGroups.map((g) => g.lr);
}

/** PyTorch computes in doubles too; allow only the last-bit differences of cos/pow between libms. */
function assertLrs(actual: number[], expected: number[], message: string): void {
  assert.equal(actual.length, expected.length, message);
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= 1e-12 * Math.abs(e) + 1e-18, `${message} group ${i}: ${a} != ${e}`);
  });
}

for (const c of cases) {
  test(`${c.name}: ${c.config.kind} learning rates match PyTorch for ${c.lrs.length - 1} epochs`, () => {
    const opt = twoGroups(c.groupLrs);
    const sched = make(opt, c.config);
    assertLrs(groupLrs(opt), c.lrs[0], `${c.name} after construction`);
    for (let e = 1; e < c.lrs.length; e++) {
      opt.step();
      sched.step(c.metric?.[e - 1] as number);
      assertLrs(groupLrs(opt), c.lrs[e], `${c.name} epoch ${e}`);
      assert.deepEqual(sched.getLastLr(), groupLrs(opt));
    }
  });

  test(`${c.name}: state dicts (through JSON) resume the schedule exactly`, () => {
    const opt = twoGroups(c.groupLrs);
    const sched = make(opt, c.config);
    const half = 15;
    for (let e = 1; e <= half; e++) sched.step(c.metric?.[e - 1] as number);
    const saved = optim.splitStateDict({ optimizer: opt.stateDict(), scheduler: sched.stateDict() });
    const json = JSON.parse(JSON.stringify(saved.data)) as optim.JsonValue;
    const restored = optim.joinStateDict<{ optimizer: optim.OptimizerStateDict; scheduler: optim.lrScheduler.SchedulerStateDict }>({ data: json, tensors: saved.tensors });

    // As in PyTorch: build both afresh, then load both.
    const opt2 = twoGroups(c.groupLrs);
    const sched2 = make(opt2, c.config);
    opt2.loadStateDict(restored.optimizer);
    sched2.loadStateDict(restored.scheduler);
    assertLrs(sched2.getLastLr(), c.lrs[half], `${c.name} restored`);
    for (let e = half + 1; e < c.lrs.length; e++) {
      sched2.step(c.metric?.[e - 1] as number);
      assertLrs(groupLrs(opt2), c.lrs[e], `${c.name} resumed epoch ${e}`);
    }
  });
}

test('the schedule drives the optimiser: SGD steps with the scheduled rate', () => {
  const w = tensor([0], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 1 });
  const sched = new S.StepLR(opt, 2, { gamma: 0.5 });
  const moves: number[] = [];
  for (let e = 0; e < 5; e++) {
    const before = w.item();
    opt.zeroGrad();
    w.sum().backward(); // gradient 1
    opt.step();
    sched.step();
    moves.push(before - w.item());
  }
  assert.deepEqual(moves, [1, 1, 0.5, 0.5, 0.25]);
  assert.equal(opt.paramGroups[0].initialLr, 1);
});

test('inverse-time decay satisfies Σ η = ∞ and Σ η² < ∞ (Robbins–Monro)', () => {
  const k = 0.1;
  const eta0 = 0.1;
  const opt = twoGroups([eta0, eta0]);
  const sched = new S.InverseTimeLR(opt, k);
  let sum = 0;
  let sumSq = 0;
  const sums: number[] = [];
  for (let t = 0; t < 100000; t++) {
    const lr = sched.getLastLr()[0];
    assert.equal(lr, eta0 * (1 / (1 + k * t)));
    sum += lr;
    sumSq += lr * lr;
    if ([99, 999, 9999, 99999].includes(t)) sums.push(sum);
    sched.step();
  }
  // Σ η grows like (η₀/k)·ln t: each tenfold of epochs adds about (η₀/k)·ln 10 ≈ 2.3, without bound.
  for (let i = 1; i < sums.length; i++) assert.ok(Math.abs(sums[i] - sums[i - 1] - (eta0 / k) * Math.log(10)) < 0.1, `sums ${sums}`);
  // Σ η² ≤ η₀²(1 + Σ_{t≥1} 1/(kt)²) = η₀²(1 + π²/(6k²)).
  assert.ok(sumSq < eta0 * eta0 * (1 + (Math.PI * Math.PI) / (6 * k * k)), `Σ η² = ${sumSq}`);
  assert.equal(S.inverseTimeDecay(0.5)(4), 1 / 3);
  const lambda = new S.LambdaLR(twoGroups([1, 2]), S.inverseTimeDecay(1));
  lambda.step();
  assert.deepEqual(lambda.getLastLr(), [0.5, 1]);
});

test('lastEpoch resumes a schedule from the initialLr an earlier scheduler recorded', () => {
  const opt = twoGroups([0.1, 0.05]);
  const first = new S.CosineAnnealingLR(opt, 10);
  for (let e = 0; e < 4; e++) first.step();
  const resumed = new S.CosineAnnealingLR(opt, 10, { lastEpoch: 4 });
  // One step on from epoch 4, from the closed form: η = ½η₀(1 + cos(5π/10)).
  assertLrs(resumed.getLastLr(), [0.05 * (1 + Math.cos(Math.PI / 2)), 0.025 * (1 + Math.cos(Math.PI / 2))], 'resumed');
  assert.throws(() => new S.StepLR(twoGroups([0.1, 0.1]), 3, { lastEpoch: 5 }), /StepLR: parameter group 0 has no initialLr; resuming at lastEpoch 5/);
});

test('ReduceLROnPlateau keeps best = Infinity through a JSON checkpoint', () => {
  const sched = new S.ReduceLROnPlateau(twoGroups([0.1, 0.1]));
  const { data } = optim.splitStateDict(sched.stateDict());
  assert.deepEqual((data as Record<string, unknown>).best, { $number: 'Infinity' });
  const back = optim.joinStateDict<optim.lrScheduler.SchedulerStateDict>({ data: JSON.parse(JSON.stringify(data)) as optim.JsonValue, tensors: {} });
  assert.equal(back.best, Infinity);
  sched.loadStateDict(back);
  sched.step(tensor(5));
  assert.equal(sched.best, 5);
});

test('bad schedule arguments give errors that name the scheduler and the value', () => {
  const opt = twoGroups([0.1, 0.1]);
  assert.throws(() => new S.StepLR(opt, 0), { message: 'StepLR: stepSize must be an integer >= 1, got 0' });
  assert.throws(() => new S.CosineAnnealingLR(opt, 2.5), /CosineAnnealingLR: tMax must be an integer >= 1, got 2.5/);
  assert.throws(() => new S.LinearLR(opt, { startFactor: 1.5 }), /LinearLR: startFactor must be in \(0, 1\], got 1.5/);
  assert.throws(() => new S.LinearLR(opt, { startFactor: 0 }), /LinearLR: startFactor must be in \(0, 1\], got 0/);
  assert.throws(() => new S.ReduceLROnPlateau(opt, { factor: 1 }), /ReduceLROnPlateau: factor must be in \[0, 1\), got 1/);
  assert.throws(() => new S.ReduceLROnPlateau(opt, { mode: 'avg' as 'min' }), /ReduceLROnPlateau: mode must be 'min' or 'max', got 'avg'/);
  assert.throws(() => new S.ReduceLROnPlateau(opt, { minLr: [0.1] }), /expected 2 minLr values \(one per parameter group\), got 1/);
  assert.throws(() => new S.LambdaLR(opt, [() => 1]), /LambdaLR: expected a function or 2 functions/);
  assert.throws(() => new S.ExponentialLR({} as optim.Optimizer, 0.9), /ExponentialLR: expected an Optimizer, got Object/);
  const a = new S.StepLR(opt, 2);
  assert.throws(() => new S.SequentialLR(opt, [a, new S.StepLR(opt, 3)], []), /SequentialLR: expected 1 milestones for 2 schedulers, got 0/);
  assert.throws(() => new S.SequentialLR(opt, [a, new S.StepLR(twoGroups([1, 1]), 3)], [4]), /schedulers\[1\] drives a different optimiser/);
  assert.throws(() => a.loadStateDict({ nope: 1 }), /StepLR.loadStateDict: unexpected entry 'nope'/);
});
