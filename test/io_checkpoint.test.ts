import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRngState, io, manualSeed, randn, setRngState, tensor, type Tensor } from '../src/index.js';

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'glubina-ck-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('writeFileAtomic replaces the file; a failure midway leaves the old file intact and no temp file', () => {
  const { dir, done } = tmp();
  try {
    const path = join(dir, 'data.bin');
    io.writeFileAtomic(path, 'old contents');
    assert.equal(readFileSync(path, 'utf8'), 'old contents');
    io.writeFileAtomic(path, [Uint8Array.from([1, 2]), Uint8Array.from([3])]);
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    // Simulate a crash while writing: the chunk source throws after the first chunk was written.
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array(1000).fill(7);
      throw new Error('disk on fire');
    }
    assert.throws(() => io.writeFileAtomic(path, failing()), /disk on fire/);
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir), ['data.bin']);
    // The same for a safetensors save that fails while serialising (a tensor that cannot be read).
    const st = join(dir, 'w.safetensors');
    io.saveSafetensors(st, { a: tensor([1, 2]) });
    const before = readFileSync(st);
    const broken = tensor([3]);
    Object.defineProperty(broken, 'dataSync', { value: () => { throw new Error('device lost'); } });
    assert.throws(() => io.saveSafetensors(st, { a: tensor([5, 6]), b: broken }), /device lost/);
    assert.deepEqual(readFileSync(st), before);
    assert.deepEqual(readdirSync(dir).sort(), ['data.bin', 'w.safetensors']);
    // A missing directory fails before anything is written.
    assert.throws(() => io.writeFileAtomic(join(dir, 'nope', 'x'), 'x'), /ENOENT/);
  } finally {
    done();
  }
});

test('checkpoint round trip: model, optimiser state with tensors, scheduler, epoch, RNG state, metadata', () => {
  manualSeed(42);
  const model = new Map<string, Tensor>([['fc1.weight', randn(3, 2)], ['fc1.bias', randn(3)], ['bn.num_batches_tracked', tensor(7, { dtype: 'int32' })]]);
  const optimizer = {
    state: { 0: { step: 3, expAvg: randn(3, 2), expAvgSq: randn(3, 2) }, 1: { step: 3, expAvg: randn(3), expAvgSq: randn(3) } },
    paramGroups: [{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false, params: [0, 1], maximize: null }],
  };
  const scheduler = { lastEpoch: 4, best: Infinity, numBadEpochs: 0, mode: 'min', baseLrs: [0.001] };
  const rngState = getRngState();
  const metadata = { history: [{ epoch: 1, trainLoss: 0.5 }], args: { model: 'lenet', augment: true } };
  const { dir, done } = tmp();
  try {
    const path = join(dir, 'last.safetensors');
    io.saveCheckpoint(path, { model, optimizer, scheduler, epoch: 5, rngState, metadata });
    // One plain safetensors file: the tensors under prefixed keys, the JSON parts in __metadata__.
    const raw = io.loadSafetensors(path);
    assert.deepEqual([...raw.tensors.keys()].sort(), [
      'model.bn.num_batches_tracked', 'model.fc1.bias', 'model.fc1.weight',
      'optimizer.state.0.expAvg', 'optimizer.state.0.expAvgSq', 'optimizer.state.1.expAvg', 'optimizer.state.1.expAvgSq',
    ]);
    assert.equal(raw.metadata.format, 'glubina.checkpoint');
    assert.equal(raw.metadata.epoch, '5');
    const ck = io.loadCheckpoint<typeof optimizer, typeof scheduler>(path);
    assert.equal(ck.epoch, 5);
    assert.deepEqual(ck.rngState, rngState);
    assert.deepEqual(ck.metadata, metadata);
    assert.deepEqual([...ck.model.keys()], [...model.keys()]);
    for (const [k, t] of model) {
      assert.equal(ck.model.get(k)!.dtype, t.dtype);
      assert.deepEqual([...ck.model.get(k)!.dataSync()], [...t.dataSync()], k);
    }
    const opt = ck.optimizer!;
    assert.deepEqual(opt.paramGroups, optimizer.paramGroups);
    assert.equal(opt.state[0].step, 3);
    assert.deepEqual([...opt.state[1].expAvgSq.dataSync()], [...optimizer.state[1].expAvgSq.dataSync()]);
    assert.deepEqual(opt.state[0].expAvg.shape, [3, 2]);
    assert.deepEqual(ck.scheduler, scheduler); // Infinity survives via {"$number": "Infinity"}
    // The RNG state restores the same stream.
    const next = randn(4).dataSync();
    setRngState(ck.rngState!);
    assert.deepEqual([...randn(4).dataSync()], [...next]);
    // Only the model is required.
    const minimal = io.parseCheckpoint(io.serializeCheckpoint({ model: { w: tensor([1]) } }));
    assert.deepEqual([minimal.optimizer, minimal.scheduler, minimal.epoch, minimal.rngState, minimal.metadata], [null, null, null, null, null]);
  } finally {
    done();
  }
});

test('loadCheckpoint validates the structure', () => {
  const plain = io.serializeSafetensors({ w: tensor([1]) });
  assert.throws(() => io.parseCheckpoint(plain, 'w.safetensors'), /w\.safetensors: not a glubina checkpoint \(metadata format is null/);
  const withMeta = (meta: Record<string, string>, tensors: Record<string, Tensor> = {}): Uint8Array =>
    io.serializeSafetensors(tensors, { format: 'glubina.checkpoint', version: '1', ...meta });
  assert.throws(() => io.parseCheckpoint(withMeta({ version: '9' })), /checkpoint version "9" is not supported/);
  assert.throws(() => io.parseCheckpoint(withMeta({ optimizer: '{"state": ' })), /metadata 'optimizer' is not valid JSON/);
  assert.throws(() => io.parseCheckpoint(withMeta({ optimizer: '{"a": {"$tensor": "optimizer.a"}}' })), /refers to tensor "optimizer.a", which the file does not hold/);
  assert.throws(() => io.parseCheckpoint(withMeta({}, { 'optimizer.x': tensor([1]) })), /tensors 'optimizer.x' belong to no part of the checkpoint/);
  assert.throws(() => io.parseCheckpoint(withMeta({ epoch: '-1' })), /epoch "-1" is not a non-negative integer/);
  assert.throws(() => io.parseCheckpoint(withMeta({ rng_state: '[1, -2]' })), /rng state must be a list of unsigned 32-bit integers/);
  assert.throws(() => io.serializeCheckpoint({ model: {}, optimizer: { m: new Map() } }), /cannot store a Map at 'optimizer.m'/);
  assert.throws(() => io.serializeCheckpoint({ model: {}, epoch: 1.5 }), /epoch must be a non-negative integer/);
  // Corruption of the file itself is caught by the safetensors layer.
  const { dir, done } = tmp();
  try {
    const path = join(dir, 'ck.safetensors');
    io.saveCheckpoint(path, { model: { w: tensor([1, 2, 3]) }, epoch: 1 });
    writeFileSync(path, readFileSync(path).subarray(0, -2));
    assert.throws(() => io.loadCheckpoint(path), /ck\.safetensors: tensor 'model.w': data_offsets \[0, 12\] run past the end/);
    assert.ok(existsSync(path));
  } finally {
    done();
  }
});
