import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  data, Generator, getBackendName, io, listBackends, manualSeed, memory, noGrad, nn, optim, rand, randint, setBackend, tensor, train, type Tensor,
} from '../src/index.js';
import { mnistLenet } from '../src/apps/mnist/models.js';

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'glubina-train-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every tensor of a state dict as bytes, for exact comparison. */
function bytes(state: Map<string, Tensor>): Map<string, number[]> {
  return new Map([...state].map(([k, t]) => [k, [...new Uint8Array(t.contiguous().dataSync().buffer)]]));
}

test('Accuracy, TopKAccuracy and ConfusionMatrix on hand-checked logits', () => {
  const logits = tensor([[2, 1, 0], [0, 3, 1], [1, 0, 4], [5, 6, 0]]);
  const target = tensor([0, 2, 2, 0], { dtype: 'int32' });
  const acc = new train.Accuracy();
  acc.update(logits, target);
  assert.equal(acc.compute(), 2 / 4); // rows 0 and 2 right
  acc.update(tensor([[0, 1, 0]]), tensor([1], { dtype: 'int32' }));
  assert.equal(acc.compute(), 3 / 5);
  acc.reset();
  assert.ok(Number.isNaN(acc.compute()));
  const top2 = new train.TopKAccuracy(2);
  top2.update(logits, target);
  // Row 1: target 2 is second (1 < 3): in. Row 3: target 0 is second: in. All four are in the top 2.
  assert.equal(top2.compute(), 1);
  const top1 = train.metricFromName('top1');
  top1.update(logits, target);
  assert.equal(top1.compute(), 0.5, 'top-1 accuracy is accuracy');
  const cm = new train.ConfusionMatrix(3);
  cm.update(logits, target);
  assert.deepEqual(cm.counts, [[1, 1, 0], [0, 0, 0], [0, 1, 1]]);
  assert.deepEqual(cm.perClassAccuracy().map((v) => (Number.isNaN(v) ? null : v)), [0.5, null, 0.5]);
  assert.throws(() => acc.update(tensor([1, 2]), target), /Accuracy: expected logits \[N, C\], got \[2\]/);
  assert.throws(() => train.metricFromName('f1'), /unknown metric 'f1'/);
});

test('evaluate: mean loss and accuracy of a fixed linear model, by hand', () => {
  const model = new nn.Linear(2, 2, { bias: false });
  noGrad(() => model.weight.copy_(tensor([[1, 0], [0, 1]])));
  // Logits are the inputs: predictions [0, 1, 1]; targets [0, 0, 1] → 2/3 right.
  const x = tensor([[2, 0], [0, 1], [1, 3]]);
  const y = tensor([0, 0, 1], { dtype: 'int32' });
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 2 });
  model.train();
  const r = train.evaluate(model, loader, { loss: new nn.CrossEntropyLoss() });
  // Cross-entropy per row: log(1 + e^(−2)), log(1 + e^(1)), log(1 + e^(−2)).
  const expected = (2 * Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.E)) / 3;
  assert.ok(Math.abs((r.loss as number) - expected) < 1e-6, `loss ${r.loss} vs ${expected}`);
  assert.equal(r.metrics.acc, 2 / 3);
  assert.equal(r.samples, 3);
  assert.equal(model.training, true, 'the mode is restored');
});

test('fit trains LeNet-5 on 5,000 MNIST images to ≥ 95% on 1,000 held-out test images in 3 epochs', async () => {
  manualSeed(0);
  const tr = data.loadMnist('train', { limit: 5000 });
  const te = data.loadMnist('test', { limit: 1000 });
  const norm = (t: Tensor): Tensor => t.sub(data.MNIST_MEAN).div(data.MNIST_STD);
  const model = mnistLenet();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
  const lines: string[] = [];
  const stream = { write: (s: string) => { lines.push(s); return true; }, isTTY: false };
  const result = await train.fit(model, {
    train: new data.DataLoader(new data.TensorDataset(norm(tr.images), tr.labels), { batchSize: 32, shuffle: true, seed: 1 }),
    validation: new data.DataLoader(new data.TensorDataset(norm(te.images), te.labels), { batchSize: 500 }),
    loss: new nn.CrossEntropyLoss(),
    optimizer,
    scheduler: new optim.lrScheduler.StepLR(optimizer, 1, { gamma: 0.3 }),
    epochs: 3,
    progress: stream,
  });
  assert.equal(result.history.length, 3);
  assert.equal(result.epochsRun, 3);
  const last = result.history[2];
  console.log(`LeNet-5, 3 epochs of 5,000 images: held-out accuracy ${last.valAcc}, ${result.seconds.toFixed(1)} s`);
  assert.ok((last.valAcc as number) >= 0.95, `held-out accuracy ${last.valAcc}`);
  assert.ok(last.trainLoss < result.history[0].trainLoss, 'the training loss falls');
  assert.deepEqual(result.history.map((r) => r.lr), [0.02, 0.02 * 0.3, 0.02 * 0.3 * 0.3]);
  assert.ok(result.history.every((r) => r.seconds > 0));
  // Plain log lines (not a terminal): the end of each epoch and its validation.
  const text = lines.join('');
  assert.match(text, /epoch 1\/3 5000\/5000 \(100%\) \| loss \d\.\d{4} \| acc \d+\.\d\d% \| \d+ samples\/s \| took/);
  assert.match(text, /epoch 3\/3 validation: loss \d\.\d{4} \| acc \d+\.\d\d% \| lr 0\.0018/);
  assert.ok(!text.includes('\r'), 'no terminal control characters in plain mode');
});

/** A small model with every kind of state: BatchNorm buffers, Dropout randomness, Adam moments. */
function smallNet(): nn.Sequential {
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(16, 12), new nn.BatchNorm1d(12), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(12, 3));
}

interface Setup {
  model: nn.Sequential;
  options: train.FitOptions;
}

/** The same run built from scratch: data, augmentation generator, optimiser, scheduler, callbacks. */
function setup(dir: string, initSeed: number, epochs: number, resume: boolean): Setup {
  manualSeed(initSeed);
  const model = smallNet();
  // Data drawn from its own generator so that the init seed does not change it.
  const g = new Generator(7);
  const x = tensor(Array.from({ length: 96 * 16 }, () => g.random())).reshape([96, 1, 4, 4]);
  const y = tensor(Array.from({ length: 96 }, () => g.randint(0, 3)), { dtype: 'int32' });
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 16, shuffle: true, seed: 3 });
  const augGen = new Generator(11);
  const aug = new data.transforms.RandomAffine({ degrees: 20, translate: [0.2, 0.2], generator: augGen });
  const augmented = { *[Symbol.iterator](): Iterator<train.Batch> { for (const [a, b] of loader) yield [aug.apply(a), b]; } };
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, 1, { gamma: 0.5 });
  return {
    model,
    options: {
      train: augmented,
      validation: new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32 }),
      loss: new nn.CrossEntropyLoss(),
      optimizer, scheduler, epochs,
      callbacks: [new train.EarlyStopping({ monitor: 'valLoss', patience: 5 }), new train.BestCheckpoint(join(dir, 'best.safetensors'))],
      progress: false,
      checkpoint: join(dir, 'checkpoint.safetensors'),
      resume,
      generators: { loader: loader.generator!, augment: augGen },
      metadata: { note: 'test' },
    },
  };
}

test('resume: 2 epochs straight equal 1 epoch + stop + resume 1 epoch, bit for bit', async () => {
  const a = tmp();
  const b = tmp();
  try {
    // Straight: 2 epochs.
    const straight = setup(a.dir, 0, 2, false);
    const s = await train.fit(straight.model, straight.options);
    // 1 epoch, then a new process-like start: fresh objects (different init seed, and the default
    // generator moved on) that must take everything from the checkpoint.
    const first = setup(b.dir, 0, 1, false);
    await train.fit(first.model, first.options);
    rand([5]);
    const resumed = setup(b.dir, 123, 2, true);
    const r = await train.fit(resumed.model, resumed.options);
    assert.equal(r.epochsRun, 1);
    assert.equal(r.history.length, 2);
    const wa = bytes(straight.model.stateDict());
    const wb = bytes(resumed.model.stateDict());
    assert.deepEqual([...wb.keys()], [...wa.keys()]);
    for (const [k, v] of wa) assert.deepEqual(wb.get(k), v, `weights '${k}' differ`);
    const strip = (h: train.EpochRecord[]): unknown[] => h.map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(strip(r.history), strip(s.history));
    assert.deepEqual(resumed.options.optimizer.paramGroups.map((g) => g.lr), straight.options.optimizer.paramGroups.map((g) => g.lr));
    // The checkpoints agree too (model, optimiser moments, scheduler, RNG states), apart from the timings.
    const ca = io.loadCheckpoint(join(a.dir, 'checkpoint.safetensors'));
    const cb = io.loadCheckpoint(join(b.dir, 'checkpoint.safetensors'));
    assert.equal(cb.epoch, 2);
    assert.deepEqual(cb.rngState, ca.rngState);
    assert.deepEqual(cb.scheduler, ca.scheduler);
    const opt = (c: io.LoadedCheckpoint): unknown => JSON.parse(JSON.stringify(c.optimizer, (_k, v: unknown) => (v && typeof v === 'object' && 'dataSync' in v ? [...(v as Tensor).dataSync()] : v)));
    assert.deepEqual(opt(cb), opt(ca));
    // Resuming a finished run does nothing.
    const again = setup(b.dir, 5, 2, true);
    const n = await train.fit(again.model, again.options);
    assert.equal(n.epochsRun, 0);
    // And resuming needs a checkpoint.
    const none = setup(join(b.dir, 'nowhere'), 0, 2, true);
    await assert.rejects(train.fit(none.model, none.options), /fit: cannot resume: no checkpoint at .*nowhere/);
  } finally {
    a.done();
    b.done();
  }
});

test('EarlyStopping stops after `patience` epochs without improvement; its state survives a resume', async () => {
  const es = new train.EarlyStopping({ monitor: 'valLoss', patience: 2 });
  const reasons: string[] = [];
  const ctx = { stopTraining: (r: string) => reasons.push(r) } as unknown as train.FitContext;
  const rec = (epoch: number, valLoss: number): train.EpochRecord => ({ epoch, trainLoss: 1, trainAcc: null, valLoss, valAcc: null, lr: 0.1, seconds: 1 });
  for (const [e, v] of [[1, 1.0], [2, 0.8], [3, 0.85], [4, 0.8]] as const) es.onEpochEnd(rec(e, v), ctx);
  assert.equal(es.best, 0.8);
  assert.equal(es.wait, 2);
  assert.deepEqual(reasons, []);
  const restored = new train.EarlyStopping({ monitor: 'valLoss', patience: 2 });
  restored.loadStateDict(es.stateDict());
  restored.onEpochEnd(rec(5, 0.9), ctx);
  assert.equal(restored.stoppedEpoch, 5);
  assert.match(reasons[0], /early stopping: valLoss has not improved for 3 epochs \(best 0\.8 at epoch 2\)/);
  assert.throws(() => es.onEpochEnd({ epoch: 6, trainLoss: 1 } as train.EpochRecord, ctx), /EarlyStopping: the epoch record has no 'valLoss'/);
  assert.equal(new train.EarlyStopping({ monitor: 'valAcc' }).mode, 'max');
});

test('fit stops early, saves the best weights and logs metrics.jsonl; NaN losses and bad batches fail clearly', async () => {
  const { dir, done } = tmp();
  try {
    manualSeed(0);
    const model = new nn.Linear(4, 3);
    const x = rand([40, 4]);
    const y = randint(0, 3, [40]);
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 8 });
    // lr 0: nothing changes, so valLoss never improves after epoch 1 and patience 1 stops at epoch 3.
    const result = await train.fit(model, {
      train: loader, validation: loader, loss: new nn.CrossEntropyLoss(), epochs: 10, progress: false,
      optimizer: new optim.SGD(model.parameters(), { lr: 0 }),
      callbacks: [
        new train.EarlyStopping({ patience: 1 }),
        new train.BestCheckpoint(join(dir, 'best.safetensors'), { monitor: 'valLoss' }),
        new train.MetricsLogger(join(dir, 'metrics.jsonl')),
      ],
    });
    assert.equal(result.history.length, 3);
    assert.match(result.stopReason ?? '', /early stopping/);
    const best = io.readSafetensorsHeader(join(dir, 'best.safetensors'));
    assert.equal(best.metadata.epoch, '1');
    const logged = train.readJsonl(join(dir, 'metrics.jsonl'));
    assert.deepEqual(logged.map((r) => r.epoch), [1, 2, 3]);
    assert.equal(logged[2].valLoss, result.history[2].valLoss);
    assert.ok(existsSync(join(dir, 'metrics.jsonl')) && readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').length === 4);

    const diverge = new nn.Linear(4, 3);
    await assert.rejects(train.fit(diverge, {
      train: [[x.mul(Infinity), y]], loss: new nn.CrossEntropyLoss(), epochs: 1, progress: false,
      optimizer: new optim.SGD(diverge.parameters(), { lr: 0.1 }),
    }), /fit: the loss is NaN at epoch 1, batch 1 \(lr 0\.1\)/);
    await assert.rejects(train.fit(diverge, {
      train: [[x] as unknown as train.Batch], loss: new nn.CrossEntropyLoss(), epochs: 1, progress: false,
      optimizer: new optim.SGD(diverge.parameters(), { lr: 0.1 }),
    }), /fit: batch 0 is not \[input, target\] tensors/);
  } finally {
    done();
  }
});

test('on the wasm backend, fit frees every step\'s intermediates: live storage stays flat from epoch to epoch', async () => {
  assert.ok(listBackends().includes('wasm'), 'the wasm backend loads here');
  const before = getBackendName();
  setBackend('wasm');
  try {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Dropout(0.2), new nn.Linear(4 * 6 * 6, 3));
    const x = rand([64, 1, 8, 8]);
    const y = randint(0, 3, [64]);
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 8, shuffle: true, seed: 0 });
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const live: number[] = [];
    await train.fit(model, {
      train: loader, validation: loader, loss: new nn.CrossEntropyLoss(), optimizer, epochs: 4, progress: false,
      callbacks: [new train.LambdaCallback({ onEpochEnd: () => { live.push(memory().storages); } })],
    });
    // After the first epoch (which creates the momentum buffers), nothing accumulates (the count may
    // fall when finalisers run between epochs).
    assert.ok(live.slice(1).every((v) => v <= live[0]), `live storages per epoch: ${live.join(', ')}`);
    // The momentum buffers survived the per-step tidy and still hold numbers.
    for (const s of optimizer.state.values()) assert.ok(Number.isFinite(s.momentumBuffer!.sum().item()));
  } finally {
    setBackend(before);
  }
});

test('ReduceLROnPlateau is stepped with the monitored validation value', async () => {
  manualSeed(0);
  // The model is not in the optimiser: its loss never changes, so every epoch after the first is a plateau.
  const model = new nn.Linear(3, 2);
  const x = rand([12, 3]);
  const y = randint(0, 2, [12]);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 4 });
  const dummy = new nn.Parameter(rand([1]));
  const optimizer = new optim.SGD([dummy], { lr: 0.1 });
  const scheduler = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
  const r = await train.fit(model, { train: loader, validation: loader, loss: new nn.CrossEntropyLoss(), optimizer, scheduler, epochs: 4, progress: false });
  assert.deepEqual(r.history.map((h) => h.lr), [0.1, 0.1, 0.05, 0.025]);
  assert.equal(new Set(r.history.map((h) => h.valLoss)).size, 1, 'the model did not change');
  const bad = new optim.lrScheduler.ReduceLROnPlateau(optimizer);
  await assert.rejects(train.fit(model, { train: loader, loss: new nn.CrossEntropyLoss(), optimizer, scheduler: bad, schedulerMonitor: 'valAcc', epochs: 1, progress: false }),
    /fit: ReduceLROnPlateau monitors 'valAcc', which the epoch record does not have/);
});
