/**
 * The model-zoo examples run (with tiny budgets here; their real numbers come from
 * `npm run example:transfer` and `npm run example:depth`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDepth } from '../examples/depth_plain_vs_resnet.js';
import { runTransfer } from '../examples/transfer_mnist.js';

test('examples/transfer_mnist.ts runs: pretraining, three transfers and the baseline, accuracies on digits 5–9', () => {
  const lines: string[] = [];
  const r = runTransfer({ labels: 40, pretrainSteps: 4, steps: 2, trainImages: 2000, testImages: 1000 }, (l) => lines.push(l));
  assert.equal(r.labelled, 40);
  assert.equal(r.testImages, 456, 'every test image of digits 5–9 among the first 1000');
  for (const v of [r.pretrainedAccuracy04, r.headOnly, r.frozenFeatures, r.fineTuned, r.scratch]) assert.ok(v >= 0 && v <= 1);
  assert.equal(lines.length, 7);
  assert.match(lines[6], /^With 40 labels, the best transfer reaches/);
});

test('examples/depth_plain_vs_resnet.ts runs: the plain twin and the ResNet, same start, losses and accuracies', () => {
  const lines: string[] = [];
  const r = runDepth({ depth: 8, width: 2, steps: 4, batch: 4, trainImages: 64, testImages: 32 }, (l) => lines.push(l));
  assert.deepEqual(r.map((x) => x.name), ['plainNet8', 'resnet8']);
  // Same weights and the same first minibatch: the first losses differ only through the shortcuts.
  for (const x of r) {
    assert.equal(x.losses.length, 4);
    assert.ok(Number.isFinite(x.finalLoss) && x.testAccuracy >= 0 && x.testAccuracy <= 1);
  }
  assert.match(lines[0], /^8-layer twins \(width 2, [\d,]+ parameters each\) on MNIST 14×14/);
});
