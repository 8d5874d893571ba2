/**
 * Transfer learning: freezing, replacing the head (by field assignment and by replaceHead, with the
 * new head's parameters in parameters() and the state dict under the old key), training only the
 * last N layers, and a network as a feature extractor.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { functional as F, manualSeed, models, nn, optim, randint, randn, tensor, tidy, transfer } from '../src/index.js';

describe('freeze and unfreeze', () => {
  test('freeze turns requiresGrad off: no gradients, and the optimiser leaves the frozen weights alone', () => {
    manualSeed(0);
    const net = models.lenet5();
    transfer.freeze(net.features);
    assert.ok(net.features.parameters().every((p) => !p.requiresGrad));
    assert.ok(net.classifier.parameters().every((p) => p.requiresGrad));
    assert.equal(transfer.trainableParameters(net).length, 4);
    assert.equal(net.numParameters({ trainableOnly: true }), 10_164 + 850);
    const before = net.features.at(0).stateDict().get('weight')!.dataSync().slice();
    const headBefore = net.classifier.at(2).stateDict().get('weight')!.dataSync().slice();
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    F.crossEntropy(net.call(randn(4, 1, 32, 32)), randint(0, 10, [4])).backward();
    assert.equal((net.features.at(0) as nn.Conv2d).weight.grad, null);
    opt.step();
    assert.deepEqual(net.features.at(0).stateDict().get('weight')!.dataSync(), before);
    assert.notDeepEqual(net.classifier.at(2).stateDict().get('weight')!.dataSync(), headBefore);
    transfer.unfreeze(net);
    assert.equal(transfer.trainableParameters(net).length, 10);
  });

  test('trainLastN freezes all but the last N layers with parameters, BatchNorm counted', () => {
    const vgg = models.skipInit(() => models.vgg11({ hidden: 8, poolSize: 1, numClasses: 3 }));
    assert.deepEqual(transfer.trainLastN(vgg, 2), ['classifier.3', 'classifier.6']);
    assert.deepEqual(transfer.trainableParameters(vgg).length, 4);
    const r = models.resnet20();
    assert.deepEqual(transfer.trainLastN(r, 3), ['layer3.2.conv2', 'layer3.2.bn2', 'fc']);
    assert.equal(transfer.trainableParameters(r).length, 5);
    assert.deepEqual(transfer.trainLastN(r, 0), []);
    assert.equal(transfer.trainableParameters(r).length, 0);
    assert.throws(() => transfer.trainLastN(r, 100), /trainLastN: n must be an integer in \[0, 39\] \(the layers with parameters\), got 100/);
  });
});

describe('a new head', () => {
  test('findHead finds the classifier of every family', () => {
    assert.equal(transfer.findHead(models.lenet5())[0], 'classifier.2');
    assert.equal(transfer.findHead(models.resnet20())[0], 'fc');
    assert.equal(transfer.findHead(models.skipInit(() => models.googlenet()))[0], 'fc');
    assert.equal(transfer.findHead(models.skipInit(() => models.alexnet({ hidden: 8 })))[0], 'classifier.6');
    assert.throws(() => transfer.findHead(new nn.Sequential(new nn.ReLU())), /findHead: Sequential has no Linear layer/);
  });

  test('assigning a field (net.fc = new Linear) registers the new head: parameters(), stateDict keys and shapes, forward', () => {
    const net = models.resnet20();
    const old = net.fc;
    net.fc = new nn.Linear(64, 5);
    assert.ok(!net.parameters().includes(old.weight));
    assert.ok(net.parameters().includes(net.fc.weight));
    const sd = net.stateDict();
    assert.deepEqual(sd.get('fc.weight')!.shape, [5, 64]);
    assert.deepEqual([...sd.keys()].slice(-2), ['fc.weight', 'fc.bias']);
    net.eval();
    assert.deepEqual(net.call(randn(2, 3, 8, 8)).shape, [2, 5]);
  });

  test('replaceHead swaps the head inside a Sequential under the same key, keeping the key order', () => {
    const net = models.lenet5();
    const keys = [...net.stateDict().keys()];
    const old = transfer.replaceHead(net, 3) as nn.Linear;
    assert.equal(old.outFeatures, 10);
    assert.deepEqual([...net.stateDict().keys()], keys);
    assert.deepEqual(net.stateDict().get('classifier.2.weight')!.shape, [3, 84]);
    assert.deepEqual(net.call(randn(1, 1, 32, 32)).shape, [1, 3]);
    // A module of one's own, at an explicit path.
    const g = models.skipInit(() => models.googlenet({ numClasses: 10 }));
    transfer.replaceHead(g, new nn.Linear(1024, 4));
    transfer.replaceHead(g, 4, { path: 'aux1.fc2' });
    transfer.replaceHead(g, 4, { path: 'aux2.fc2' });
    assert.deepEqual(g.stateDict().get('aux1.fc2.weight')!.shape, [4, 1024]);
    assert.throws(() => transfer.replaceHead(g, 4, { path: 'aux3.fc2' }), /replaceHead: GoogLeNet has no submodule 'aux3\.fc2'/);
    assert.throws(() => transfer.replaceHead(g, 4, { path: 'conv1' }), /replaceHead: 'conv1' is a BasicConv2d, not a Linear/);
  });

  test('the new head follows the model\'s training mode', () => {
    const net = models.lenet5().eval();
    transfer.replaceHead(net, new nn.Sequential(new nn.Dropout(0.5), new nn.Linear(84, 2)));
    const x = randn(3, 1, 32, 32);
    assert.deepEqual(net.call(x).dataSync(), net.call(x).dataSync(), 'dropout is off in eval mode');
  });
});

describe('feature extractors', () => {
  test('the penultimate features are the head\'s input: head(features(x)) = model(x)', () => {
    manualSeed(1);
    for (const [net, width] of [[models.resnet20(), 64], [models.lenet5(), 84]] as const) {
      net.eval();
      const f = transfer.featureExtractor(net);
      const x = randn(2, net.inChannels, 32, 32);
      const feats = f.call(x);
      assert.deepEqual(feats.shape, [2, width]);
      const head = transfer.findHead(net)[1];
      assert.deepEqual(head.call(feats).dataSync(), net.call(x).dataSync());
    }
  });

  test('a chosen layer\'s output; the layers after it do not run; the model\'s parameters are the extractor\'s', () => {
    const net = models.resnet20().eval();
    const f = new transfer.FeatureExtractor(net, { layer: 'layer2' });
    assert.deepEqual(f.call(randn(1, 3, 16, 16)).shape, [1, 32, 8, 8]);
    const ran: string[] = [];
    models.withForwardHooks(net, { post: (p) => ran.push(p) }, () => f.call(randn(1, 3, 16, 16)));
    assert.ok(!ran.includes('layer3') && !ran.includes('fc'));
    assert.equal(f.parameters().length, net.parameters().length);
    assert.ok([...f.stateDict().keys()].every((k) => k.startsWith('model.')));
    assert.equal(f.toString().split('\n')[0], 'FeatureExtractor(');
    assert.throws(() => new transfer.FeatureExtractor(net, { layer: 'layer9' }).call(randn(1, 3, 8, 8)), /activationAt: CifarResNet has no submodule 'layer9'/);
  });

  test('gradients flow through the features: fine-tuning through an extractor trains the model', () => {
    const net = models.lenet5();
    const f = transfer.featureExtractor(net);
    f.call(randn(2, 1, 32, 32)).sum().backward();
    const c1 = net.features.at(0) as nn.Conv2d;
    assert.ok(c1.weight.grad !== null);
    assert.equal((net.classifier.at(2) as nn.Linear).weight.grad, null, 'the head did not run');
  });

  test('a linear classifier trained on frozen features learns (loss falls)', () => {
    manualSeed(2);
    const net = transfer.freeze(models.resnet20({ inChannels: 1, width: 4 })).eval();
    const f = transfer.featureExtractor(net);
    const x = randn(16, 1, 12, 12);
    const y = randint(0, 3, [16]);
    const feats = f.call(x).detach();
    const clf = new nn.Linear(16, 3);
    const opt = new optim.Adam(clf.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      losses.push(tidy(() => {
        clf.zeroGrad();
        const loss = F.crossEntropy(clf.call(feats), y);
        loss.backward();
        opt.step();
        return loss.item();
      }));
    }
    assert.ok(losses[29] < losses[0] * 0.8, `losses ${losses[0].toFixed(3)} → ${losses[29].toFixed(3)}`);
  });
});

describe('fit and accuracy', () => {
  test('fit trains the given parameters on random minibatches and accuracy counts argmax hits', () => {
    manualSeed(4);
    // Two well-separated blobs in 2-d: class = (x0 > 0).
    const x = randn(64, 2).add(tensor([[3, 0]]).mul(randint(0, 2, [64, 1]).mul(2).sub(1)));
    const y = x.select(1, 0).gt(0).to('int32');
    const net = new nn.Sequential(new nn.Linear(2, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const first = net.at(0) as nn.Linear;
    const before = first.weight.dataSync().slice();
    // Only the last layer learns, though the first still requires grad (its gradients are dropped each step).
    const losses = transfer.fit(net, x, y, { steps: 60, batchSize: 16, lr: 0.05, params: net.at(2).parameters(), seed: 1 });
    assert.equal(losses.length, 60);
    assert.deepEqual(first.weight.dataSync(), before);
    assert.ok(net.parameters().every((p) => p.grad === null));
    assert.ok(transfer.accuracy(net, x, y, 10) > 0.9);
    assert.equal(net.training, true);
    assert.throws(() => transfer.fit(transfer.freeze(net), x, y), /fit: no trainable parameters/);
    assert.throws(() => transfer.accuracy(net, x, y.narrow(0, 0, 3)), /accuracy: expected labels \[N\] for images \[64,2\], got \[3\]/);
  });
});
