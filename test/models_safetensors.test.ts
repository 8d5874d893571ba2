/**
 * Weight interchange with PyTorch through real safetensors files: LeNet-5 weights written by
 * PyTorch (scripts/fixtures/models.py) load into models.lenet5 and give PyTorch's output; weights
 * written by glubina have PyTorch's keys, shapes, dtypes and bytes (PyTorch loading such a file is
 * checked by `models.py --check-glubina FILE`); bad files name the key and both shapes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { io, models, noGrad, randn, zeros, type Tensor } from '../src/index.js';
import { assertClose, fromFixture, loadFixture, repoRoot } from './helpers.js';
import { closedValue, type ModelsFixture } from './models_helpers.js';

const fixture = loadFixture<ModelsFixture>('models').lenet5;
const file = join(repoRoot, 'test', 'fixtures', fixture.file);
const dir = mkdtempSync(join(tmpdir(), 'glubina-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const exportDir = process.env.GLUBINA_MODELS_EXPORT_DIR ?? dir;

function bytesOf(t: Tensor): Buffer {
  const d = t.dataSync();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

describe('PyTorch → glubina', () => {
  test('a state dict PyTorch wrote loads strictly into lenet5 and gives PyTorch\'s output (eval)', () => {
    const m = models.lenet5();
    const result = models.loadWeights(m, file);
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    m.eval();
    const y = noGrad(() => m.call(fromFixture(fixture.input)));
    assertClose(y, fixture.output, { rtol: 1e-4, atol: 1e-6 }, 'lenet5 output');
  });

  test('the file\'s keys and shapes are the model\'s, in the same order', () => {
    const header = io.readSafetensorsHeader(file);
    const fromFile = header.entries.map((e) => [e.name, e.shape]);
    assert.deepEqual(fromFile, fixture.keys);
    assert.deepEqual([...models.lenet5().stateDict()].map(([k, v]) => [k, [...v.shape]]), fixture.keys);
  });
});

describe('glubina → PyTorch', () => {
  test('saveWeights writes PyTorch\'s keys, shapes, F32 dtype and the very bytes PyTorch wrote', () => {
    const m = models.lenet5();
    models.loadWeights(m, file);
    const out = join(dir, 'lenet5.safetensors');
    models.saveWeights(m, out, { note: 'round trip' });
    const header = io.readSafetensorsHeader(out);
    assert.deepEqual(header.metadata, { format: 'pt', note: 'round trip' });
    assert.deepEqual(header.entries.map((e) => [e.name, e.shape]), fixture.keys);
    assert.ok(header.entries.every((e) => e.dtype === 'F32'));
    const original = io.loadSafetensors(file).tensors;
    const written = io.loadSafetensors(out).tensors;
    for (const [k, t] of original) assert.ok(bytesOf(written.get(k)!).equals(bytesOf(t)), `bytes of ${k}`);
    // The file is a valid safetensors file byte for byte: length, JSON header, then the buffer.
    const raw = readFileSync(out);
    const n = Number(raw.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0, 'header padded to 8 bytes');
    const total = fixture.keys.reduce((s, [, shape]) => s + 4 * shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(raw.length, 8 + n + total);
  });

  test('a model trained here round-trips: saved, loaded into a fresh model, same output', () => {
    const options = { inChannels: 1, width: 8 };
    const a = models.resnet20(options);
    // One training forward moves the BatchNorm running statistics away from 0 and 1.
    a.call(randn(4, 1, 16, 16));
    a.eval();
    // The metadata lets `scripts/fixtures/models.py --check-glubina FILE` rebuild the model in
    // PyTorch and compare its output on the closed-form input (set GLUBINA_MODELS_EXPORT_DIR to keep the file).
    const inputShape = [2, 1, 16, 16];
    const output = noGrad(() => a.call(closedValue('input', inputShape)));
    const out = join(exportDir, 'glubina_resnet20.safetensors');
    models.saveWeights(a, out, {
      model: 'resnet20', options: JSON.stringify(options), inputShape: JSON.stringify(inputShape), output: JSON.stringify([...output.dataSync()]),
    });
    const b = models.skipInit(() => models.resnet20({ inChannels: 1, width: 8 }));
    models.loadWeights(b, out);
    b.eval();
    const x = randn(2, 1, 16, 16);
    assert.deepEqual(b.call(x).dataSync(), a.call(x).dataSync());
    assert.equal(b.bn1.numBatchesTracked!.item(), 1);
    assert.equal(io.readSafetensorsHeader(out).entries.find((e) => e.name === 'bn1.num_batches_tracked')!.dtype, 'I32');
  });
});

describe('bad weight files', () => {
  const tensors = (): Map<string, Tensor> => io.loadSafetensors(file).tensors;

  test('a missing tensor is named, with the file', () => {
    const t = tensors();
    t.delete('features.3.bias');
    const path = join(dir, 'missing.safetensors');
    io.saveSafetensors(path, t);
    assert.throws(() => models.loadWeights(models.lenet5(), path), {
      message: `loadWeights: ${path}: loadStateDict: error(s) in loading state_dict for LeNet5:\n\tMissing key(s) in state_dict: "features.3.bias".`,
    });
  });

  test('a mis-shaped tensor is named with both shapes, and nothing is copied', () => {
    const t = tensors();
    t.set('classifier.0.weight', zeros(84, 480));
    const path = join(dir, 'misshaped.safetensors');
    io.saveSafetensors(path, t);
    const m = models.lenet5();
    const before = m.features.at(0).stateDict().get('weight')!.dataSync().slice();
    assert.throws(() => models.loadWeights(m, path), {
      message: `loadWeights: ${path}: loadStateDict: error(s) in loading state_dict for LeNet5:\n\tsize mismatch for classifier.0.weight: copying a param with shape [84,480] from checkpoint, the shape in current model is [84,120]`,
    });
    assert.deepEqual(m.features.at(0).stateDict().get('weight')!.dataSync(), before);
  });

  test('an unexpected tensor is refused when strict, reported when not', () => {
    const t = tensors();
    t.set('features.9.weight', zeros(2));
    const path = join(dir, 'extra.safetensors');
    io.saveSafetensors(path, t);
    assert.throws(() => models.loadWeights(models.lenet5(), path), /Unexpected key\(s\) in state_dict: "features\.9\.weight"/);
    assert.deepEqual(models.loadWeights(models.lenet5(), path, { strict: false }), { missingKeys: [], unexpectedKeys: ['features.9.weight'] });
  });

  test('a model of another shape (ResNet-20 weights into the width-8 twin) lists every mismatch', () => {
    const path = join(dir, 'resnet20.safetensors');
    models.saveWeights(models.resnet20(), path);
    assert.throws(() => models.loadWeights(models.resnet20({ width: 8 }), path), (e: Error) => {
      assert.match(e.message, /size mismatch for conv1\.weight: copying a param with shape \[16,3,3,3\] from checkpoint, the shape in current model is \[8,3,3,3\]/);
      assert.match(e.message, /size mismatch for fc\.weight: copying a param with shape \[10,64\] from checkpoint, the shape in current model is \[10,32\]/);
      return true;
    });
  });
});
