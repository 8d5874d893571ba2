/**
 * A forward and backward pass of every model of the zoo at a small input (batch 2), GoogLeNet's
 * training outputs with the auxiliary classifiers, a finite-difference check of a residual network
 * end to end, and a few SGD steps that lower the loss.
 *
 * Speed: the big models are built with skipInit and filled with the closed-form weights (drawing
 * ResNet-152's 60 M random weights takes ~15 s on the reference machine); VGG and AlexNet run with a
 * narrow classifier (hidden 64, 1×1 pooling) — their convolutional parts are the real ones, and the
 * full classifiers are covered by the parameter counts and the torchvision output test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { functional as F, gradcheck, manualSeed, models, optim, randint, randn, tidy } from '../src/index.js';
import { CASES, forwardBackwardTests, loadClosedForm } from './models_helpers.js';

describe('forward and backward of every model (batch 2, training mode)', () => forwardBackwardTests(CASES));

describe('GoogLeNet\'s auxiliary classifiers', () => {
  test('training mode returns { logits, aux2, aux1 }; eval mode and auxLogits: false return the logits', () => {
    const m = models.skipInit(() => models.googlenet({ numClasses: 5 }));
    loadClosedForm(m);
    const x = randn(2, 3, 32, 32);
    const out = m.call(x);
    assert.ok(!('shape' in out) && 'logits' in out);
    assert.deepEqual(Object.keys(out), ['logits', 'aux2', 'aux1']);
    for (const t of [out.logits, out.aux1, out.aux2]) assert.deepEqual(t.shape, [2, 5]);
    assert.notDeepEqual(out.aux1.dataSync(), out.aux2.dataSync());
    m.eval();
    const y = m.call(x);
    assert.ok('shape' in y);
    assert.deepEqual(y.shape, [2, 5]);
    const n = models.skipInit(() => models.googlenet({ numClasses: 5, auxLogits: false }));
    assert.ok('shape' in n.call(x));
    assert.equal(n.aux1, null);
  });

  test('the aux heads get gradient only through their own loss', () => {
    const m = models.skipInit(() => models.googlenet({ numClasses: 3 }));
    loadClosedForm(m);
    const out = m.call(randn(2, 3, 32, 32)) as models.GoogLeNetOutputs;
    out.logits.sum().backward();
    assert.equal(m.aux1!.fc2.weight.grad, null);
    assert.ok(m.inception4a.branch1.conv.weight.grad !== null);
  });
});

describe('gradients of a whole model', () => {
  test('a tiny residual network (ResNet-8, option-A shortcuts, eval mode) passes gradcheck w.r.t. its input', () => {
    manualSeed(3);
    const m = models.cifarResNet(8, { inChannels: 1, width: 2, numClasses: 3 }).double();
    m.eval();
    const x = randn([1, 1, 4, 4], { dtype: 'float64', requiresGrad: true });
    assert.ok(gradcheck((input) => m.call(input), [x], { atol: 1e-6, rtol: 1e-4 }));
  });

  test('a few SGD steps lower the training loss of ResNet-20 on a fixed batch', () => {
    manualSeed(0);
    const m = models.resnet20({ inChannels: 1, width: 4 });
    const opt = new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = randn(8, 1, 12, 12);
    const y = randint(0, 10, [8]);
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      losses.push(tidy(() => {
        m.zeroGrad(); // grads made in the last tidy were freed with it: drop them (set to null), don't zero them
        const loss = F.crossEntropy(m.call(x), y);
        loss.backward();
        opt.step();
        return loss.item();
      }));
    }
    assert.ok(losses[7] < losses[0] * 0.7, `losses ${losses.map((l) => l.toFixed(3)).join(', ')}`);
  });
});
