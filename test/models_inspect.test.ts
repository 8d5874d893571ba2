/**
 * Looking inside: the images that most activate a filter (checked on a network whose activations
 * are known by hand), class-model visualisation (checked on a linear model, whose optimum is
 * known in closed form), and `glubina inspect` writing both PNG grids.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fromTypedArray, inspect, manualSeed, models, nn, noGrad, report, tensor, zeros, type Tensor } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'glubina-inspect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A net whose conv has two 1×1 filters: channel 0 = the image, channel 1 = minus the image;
 * then ReLU, global average pooling and a linear head.
 */
function knownNet(): nn.Sequential {
  const conv = new nn.Conv2d(1, 2, 1);
  noGrad(() => {
    conv.weight.copy_(tensor([1, -1]).reshape(2, 1, 1, 1));
    conv.bias!.zero_();
  });
  return new nn.Sequential(conv, new nn.ReLU(), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(2, 3));
}

/** Six 4×4 images: image i is constant (i − 2) / 4, except image 5 with one bright pixel of 3. */
function images(): Tensor {
  const data = new Float32Array(6 * 16);
  for (let i = 0; i < 6; i++) data.fill((i - 2) / 4, i * 16, (i + 1) * 16);
  data.fill(0, 5 * 16, 6 * 16);
  data[5 * 16 + 7] = 3;
  return fromTypedArray(data, [6, 1, 4, 4]);
}

describe('top-activating images', () => {
  test('ranks images by the mean (or max) of a channel\'s map, best first, ties by index', () => {
    const net = knownNet();
    // Means after ReLU, channel 0: 0, 0, 0, 0.25, 0.5, 3/16; channel 1: 0.5, 0.25, 0, 0, 0, 0.
    const [c0, c1] = inspect.topActivatingImages(net, '1', images(), { k: 3, batchSize: 4 });
    assert.deepEqual(c0, { channel: 0, indices: [4, 3, 5], scores: [0.5, 0.25, 0.1875] });
    assert.deepEqual(c1, { channel: 1, indices: [0, 1, 2], scores: [0.5, 0.25, 0] });
    const [m0] = inspect.topActivatingImages(net, '1', images(), { channels: [0], k: 2, reduce: 'max' });
    assert.deepEqual(m0, { channel: 0, indices: [5, 4], scores: [3, 0.5] });
    // A flat layer ([N, F]) ranks by the feature itself.
    const [f1] = inspect.topActivatingImages(net, '3', images(), { channels: [1], k: 1 });
    assert.deepEqual(f1.indices, [0]);
  });

  test('restores the training mode, refuses bad layers and channels', () => {
    const net = knownNet();
    inspect.topActivatingImages(net, '0', images(), { k: 1 });
    assert.equal(net.training, true);
    assert.throws(() => inspect.topActivatingImages(net, '0', images(), { channels: [2] }), /topActivatingImages: channel 2 is out of range for layer '0' with 2 channels/);
    assert.throws(() => inspect.topActivatingImages(net, 'features.9', images()), /activationAt: Sequential has no submodule 'features\.9'/);
    assert.throws(() => inspect.topActivatingImages(net, '0', images(), { k: 0 }), /k must be a positive integer, got 0/);
  });

  test('works on a zoo model by layer path', () => {
    manualSeed(0);
    const net = models.lenet5({ inputSize: 28 });
    const tops = inspect.topActivatingImages(net, 'features.4', zeros(5, 1, 28, 28).add(images().narrow(0, 0, 5).mean([1, 2, 3], true)), { channels: [0, 15], k: 5 });
    assert.equal(tops.length, 2);
    assert.deepEqual([...tops[0].indices].sort(), [0, 1, 2, 3, 4]);
    for (const t of tops) for (let i = 1; i < t.scores.length; i++) assert.ok(t.scores[i - 1] >= t.scores[i]);
  });
});

describe('class-model visualisation', () => {
  test('on a linear model S(x) = w_c·x + b_c, gradient ascent reaches the closed-form optimum x* = w_c / 2λ', () => {
    manualSeed(1);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 3));
    const lambda = 0.5;
    // Each step multiplies the distance to x* by (1 − 2λ·lr) = 0.8.
    const r = inspect.classModel(net, 2, { shape: [1, 1, 2, 2], steps: 100, lr: 0.2, lambda });
    const w = (net.at(1) as nn.Linear).weight.select(0, 2);
    const expected = w.div(2 * lambda).reshape(1, 1, 2, 2).dataSync();
    const got = r.image.dataSync();
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-6, `x[${i}] = ${got[i]}, expected ${expected[i]}`);
    assert.equal(r.scores.length, 101);
    for (let i = 1; i < r.scores.length; i++) assert.ok(r.scores[i] >= r.scores[i - 1] - 1e-6, 'the score rises');
  });

  test('leaves the model as it found it: no parameter gradients, flags and mode restored', () => {
    const net = models.lenet5({ inputSize: 28 });
    const frozen = (net.features.at(0) as nn.Conv2d).weight;
    frozen.requiresGrad = false;
    const r = inspect.classModel(net, 7, { steps: 3 });
    assert.deepEqual(r.image.shape, [1, 1, 28, 28]);
    assert.equal(r.image.requiresGrad, false);
    assert.ok(net.parameters().every((p) => p.grad === null));
    assert.equal(frozen.requiresGrad, false);
    assert.equal((net.classifier.at(2) as nn.Linear).weight.requiresGrad, true);
    assert.equal(net.training, true);
    assert.ok(r.scores[3] > r.scores[0], `scores ${r.scores.join(', ')}`);
    assert.throws(() => inspect.classModel(net, 10, { steps: 1 }), /classModel: class 10 is out of range for 10 classes/);
  });
});

describe('glubina inspect', () => {
  test('writes the top-activation and class-model grids for given weights', () => {
    manualSeed(3);
    const weights = join(dir, 'lenet5.safetensors');
    models.saveWeights(models.lenet5({ inputSize: 28 }), weights);
    const lines: string[] = [];
    const s = inspect.runInspect([
      '--weights', weights, '--images', '60', '--channels', '0-2', '--k', '4', '--classes', '3,5', '--steps', '5', '--out', dir,
    ], (l) => lines.push(l));
    assert.equal(s.testAccuracy, null);
    assert.equal(s.layer, 'features.4');
    assert.deepEqual(s.tops.map((t) => t.channel), [0, 1, 2]);
    assert.deepEqual(s.classScores.map((c) => c.classIndex), [3, 5]);
    // 3 rows of 4 MNIST digits at scale 2 with 2-pixel padding: (4·58 + 2) × (3·58 + 2).
    assert.deepEqual(report.readImage(s.topFile).shape, [1, 3 * 58 + 2, 4 * 58 + 2]);
    assert.deepEqual(report.readImage(s.classFile).shape, [1, 84 + 4, 2 * 86 + 2]);
    assert.ok(lines.some((l) => l.includes('channel 2: digits')));
  });

  test('refuses unknown arguments and models', () => {
    assert.throws(() => inspect.runInspect(['--bogus', '1']), /glubina inspect: unknown argument '--bogus'/);
    assert.throws(() => inspect.runInspect(['--model', 'lenet6']), /glubina inspect: unknown model 'lenet6'/);
    assert.throws(() => inspect.runInspect(['--k']), /glubina inspect: --k needs a value/);
  });
});
