/**
 * The model zoo's architectures: parameter counts, state-dict keys and shapes equal to torchvision's
 * (and to the fixture script's PyTorch twins for LeNet-5, the two-tower AlexNet and the CIFAR
 * ResNets), the registry, input validation, errors naming the layer where an input is too small,
 * and the forward hooks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { analysis, dispose, getBackendName, models, nn, randn, setBackend, zeros, type Tensor } from '../src/index.js';
import { loadFixture } from './helpers.js';
import { parseSpec, type ModelsFixture } from './models_helpers.js';

const fixture = loadFixture<ModelsFixture>('models');

function keyLines(m: nn.AnyModule): string {
  return [...m.stateDict()].map(([k, v]) => `${k}:${v.shape.join(',')}`).join('\n');
}

function release(m: nn.AnyModule): void {
  dispose([...m.stateDict({ keepVars: true }).values()]);
}

describe('parameter counts and state-dict keys equal torchvision\'s', () => {
  // Counting needs only shapes: the reference backend's zero tensors are never touched, so even
  // VGG-19's 143 M parameters cost nothing, and skipInit avoids drawing random weights.
  let previous = '';
  before(() => {
    previous = getBackendName();
    setBackend('js');
  });
  after(() => setBackend(previous));

  for (const [spec, expected] of Object.entries(fixture.counts)) {
    test(`${spec}: ${expected.params.toLocaleString('en')} parameters, ${expected.stateKeys} state-dict entries, same keys and shapes`, () => {
      const [name, options] = parseSpec(spec);
      const m = models.skipInit(() => models.create(name, options));
      try {
        assert.equal(m.numParameters(), expected.params);
        assert.equal(m.stateDict().size, expected.stateKeys);
        assert.equal(createHash('sha256').update(keyLines(m)).digest('hex'), expected.keyHash, 'sha256 of the key:shape lines');
      } finally {
        release(m);
      }
    });
  }

  for (const [name, keys] of Object.entries(fixture.keys)) {
    test(`${name}: the full key list, in PyTorch's order`, () => {
      const m = models.skipInit(() => models.create(name));
      try {
        assert.deepEqual([...m.stateDict()].map(([k, v]) => [k, [...v.shape]]), keys);
      } finally {
        release(m);
      }
    });
  }

  test('the brief\'s numbers come out of the fixture (ResNet-18, VGG-16, GoogLeNet with and without aux, AlexNet)', () => {
    assert.equal(fixture.counts.resnet18.params, 11_689_512);
    assert.equal(fixture.counts.vgg16.params, 138_357_544);
    assert.equal(fixture.counts.googlenet.params, 13_004_888);
    assert.equal(fixture.counts['googlenet({"auxLogits":false})'].params, 6_624_904);
    assert.equal(fixture.counts.alexnet.params, 61_100_840);
  });

  test('LeNet-5 has about 60k parameters, layer by layer as documented', () => {
    const m = models.lenet5();
    const sizes = m.namedParameters().map(([k, p]) => [k, p.numel()]);
    assert.deepEqual(sizes, [
      ['features.0.weight', 150], ['features.0.bias', 6], ['features.3.weight', 2400], ['features.3.bias', 16],
      ['features.6.weight', 48000], ['features.6.bias', 120], ['classifier.0.weight', 10080], ['classifier.0.bias', 84],
      ['classifier.2.weight', 840], ['classifier.2.bias', 10],
    ]);
    assert.equal(m.numParameters(), 61_706);
  });
});

describe('building models', () => {
  test('models.list names every builder and create() builds each by name, vgg16Bn spelled either way', () => {
    assert.ok(models.list().includes('resnet152'));
    assert.ok(models.list().includes('plainNet20'));
    assert.equal(models.list().length, 24);
    const m = models.skipInit(() => models.create('vgg11Bn', { numClasses: 3, hidden: 8, poolSize: 1 }));
    assert.ok(m instanceof models.VGG);
    assert.equal(m.modelName, 'vgg11_bn');
    assert.throws(() => models.create('resnet19'), /models\.create: unknown model 'resnet19'; known: lenet5, alexnet/);
    assert.deepEqual(models.defaultInputShape('lenet5'), [1, 32, 32]);
    assert.deepEqual(models.defaultInputShape('plainNet56'), [3, 32, 32]);
    assert.deepEqual(models.defaultInputShape('vgg16Bn'), [3, 224, 224]);
    assert.throws(() => models.defaultInputShape('resnet19'), /unknown model 'resnet19'/);
  });

  test('options are validated with the model\'s name', () => {
    assert.throws(() => models.resnet18({ numClasses: 0 }), /resnet18: numClasses must be a positive integer, got 0/);
    assert.throws(() => models.cifarResNet(21), /resnet21: depth must be 6n \+ 2/);
    assert.throws(() => models.vgg11({ dropout: 1.5 }), /vgg11: dropout must be in \[0, 1\], got 1.5/);
    assert.throws(() => models.lenet5({ inputSize: 24 }), /lenet5: inputSize must be at least 28/);
    assert.throws(() => models.lenet5({ inputSize: 29 }), /lenet5: inputSize 29 cannot be padded evenly to 32/);
    assert.throws(() => models.googlenet({ inChannels: 1, transformInput: true }), /googlenet: transformInput needs 3 input channels/);
  });

  test('lenet5 for 28×28 MNIST pads C1 by 2 and keeps the 32×32 geometry', () => {
    const m = models.lenet5({ inputSize: 28 });
    const c1 = m.features.at(0) as nn.Conv2d;
    assert.deepEqual(c1.padding, [2, 2]);
    assert.deepEqual(m.features.call(zeros(1, 1, 28, 28)).shape, [1, 120, 1, 1]);
    // A 36×36 input leaves C5 at 2×2: F6 takes 120·4 inputs.
    assert.equal((models.lenet5({ inputSize: 36 }).classifier.at(0) as nn.Linear).inFeatures, 480);
  });

  test('skipInit leaves weights at zero and restores the random init afterwards', () => {
    const a = models.skipInit(() => models.resnet20());
    assert.equal(a.conv1.weight.abs().sum().item(), 0);
    assert.equal(a.bn1.weight!.sum().item(), 16, 'BatchNorm still starts at γ = 1');
    const b = models.resnet20();
    assert.ok(b.conv1.weight.abs().sum().item() > 0);
    assert.equal(models.isInitSkipped(), false);
  });

  test('torchvision\'s ResNet init: conv weights ~ N(0, 2/fan_out); zeroInitResidual zeroes the last BN of each block', () => {
    const m = models.resnet20({ width: 16 });
    const w = m.layer3.at(0) as models.BasicBlock;
    // fan_out = 64·3·3 = 576 → std √(2/576) = 0.0589; 36,864 draws give it to about 1%.
    const std = w.conv2.weight.std().item();
    assert.ok(Math.abs(std - Math.sqrt(2 / 576)) < 0.003, `std ${std}`);
    const z = models.resnet20({ zeroInitResidual: true });
    for (const block of [z.layer1, z.layer2, z.layer3].flatMap((l) => [...l]) as models.BasicBlock[]) {
      assert.equal(block.bn2.weight!.abs().sum().item(), 0);
      assert.equal(block.bn1.weight!.sum().item(), block.bn1.numFeatures);
    }
    const r50 = models.skipInit(() => models.resnet50({ zeroInitResidual: true }));
    try {
      const b = r50.layer1.at(0) as models.Bottleneck;
      assert.equal(b.bn3.weight!.abs().sum().item(), 0);
      assert.equal(b.bn2.weight!.sum().item(), 64);
    } finally {
      release(r50);
    }
  });

  test('a zero-init-residual ResNet block starts as the identity (after its input ReLU)', () => {
    const z = models.resnet20({ zeroInitResidual: true });
    const block = z.layer1.at(1) as models.BasicBlock;
    block.eval();
    const x = randn(1, 16, 4, 4).relu();
    assert.deepEqual(block.call(x).dataSync(), x.dataSync());
  });

  test('the plain twin has the same parameters and keys as ResNet-20 but no shortcut', () => {
    const r = models.resnet20();
    const p = models.plainNet20();
    assert.equal(p.modelName, 'plainNet20');
    assert.deepEqual([...p.stateDict().keys()], [...r.stateDict().keys()]);
    p.loadStateDict(r.stateDict());
    r.eval();
    p.eval();
    const x = randn(1, 3, 8, 8);
    // Same weights: the outputs differ only through the skips.
    assert.notDeepEqual(p.call(x).dataSync(), r.call(x).dataSync());
    const block = p.layer2.at(0) as models.BasicBlock;
    assert.equal(block.downsample, null);
    assert.equal(block.skip, false);
  });
});

describe('bad input names the model and the layer', () => {
  test('an input smaller than the model supports names the layer where the spatial size reaches zero', () => {
    const vgg = models.skipInit(() => models.vgg11({ numClasses: 10, hidden: 8, poolSize: 1 }));
    assert.throws(() => vgg.call(zeros(1, 3, 16, 16)), {
      message: 'vgg11: features.20 (MaxPool2d) output would be 0×0 for input [1,3,16,16] (the layer\'s input is [1,512,1,1]); the input image is too small for this model',
    });
    const lenet = models.lenet5();
    assert.throws(() => lenet.call(zeros(2, 1, 28, 28)), {
      message: 'lenet5: features.6 (Conv2d) output would be 0×0 for input [2,1,28,28] (the layer\'s input is [2,16,4,4]); the input image is too small for this model',
    });
    const alex = models.skipInit(() => models.alexnet({ hidden: 8 }));
    assert.throws(() => alex.call(zeros(1, 3, 40, 40)), /alexnet: features\.12 \(MaxPool2d\) output would be 0×0 for input \[1,3,40,40\] \(the layer's input is \[1,256,1,1\]\)/);
    const g = models.skipInit(() => models.googlenet({ numClasses: 4 }));
    g.eval();
    assert.throws(() => g.call(zeros(1, 3, 4, 4)), /googlenet: maxpool2 \(MaxPool2d\) output would be 0×0 for input \[1,3,4,4\]/);
    // 15×15 is GoogLeNet's smallest input (torchvision's min_size); 14×14 fails one pooling later.
    assert.throws(() => g.call(zeros(1, 3, 14, 14)), /googlenet: maxpool3 \(MaxPool2d\) output would be 0×0 for input \[1,3,14,14\]/);
    assert.deepEqual((g.call(zeros(1, 3, 15, 15)) as Tensor).shape, [1, 4]);
    // The original error is kept as the cause.
    try {
      lenet.call(zeros(1, 1, 20, 20));
      assert.fail('expected an error');
    } catch (e) {
      assert.match(((e as Error).cause as Error).message, /kernel size \(5x5/);
    }
  });

  test('ResNets take any input down to 1×1 (every downsampling pads)', () => {
    const m = models.resnet20();
    m.eval();
    assert.deepEqual(m.call(randn(1, 3, 1, 1)).shape, [1, 10]);
  });

  test('the wrong number of channels or dims is refused before any layer runs', () => {
    const m = models.resnet20();
    assert.throws(() => m.call(zeros(1, 1, 32, 32)), { message: 'resnet20: expected an input [N, 3, H, W], got [1,1,32,32]' });
    assert.throws(() => m.call(zeros(3, 32, 32)), { message: 'resnet20: expected an input [N, 3, H, W], got [3,32,32]' });
  });

  test('other failures name the layer and keep the message', () => {
    const m = models.resnet20();
    // BatchNorm in training mode cannot normalise a single value per channel (1×1 input, batch 1).
    assert.throws(() => m.call(zeros(1, 3, 1, 1)), {
      message: 'resnet20: bn1 (BatchNorm2d) failed for input [1,3,1,1]: BatchNorm2d: expected more than 1 value per channel when training, got input [1,16,1,1]',
    });
    assert.throws(() => m.call(zeros(1, 3, 4, 4)), /resnet20: layer3\.0\.bn1 \(BatchNorm2d\) failed for input \[1,3,4,4\]: /);
  });
});

describe('receptive fields (analysis.receptiveField on the zoo)', () => {
  test('LeNet-5: C1 5, S2 6, C3 14, S4 16, C5 32 — C5 sees the whole 32×32 input', () => {
    const rf = analysis.receptiveField(models.lenet5(), [1, 32, 32]);
    const at = (name: string): number => rf.layers.find((r) => r.name === name)!.receptiveField[0];
    assert.deepEqual(['features.0', 'features.2', 'features.3', 'features.5', 'features.6'].map(at), [5, 6, 14, 16, 32]);
    assert.equal(rf.seesWholeImage, true);
  });

  test('ResNet-18: the last residual block sees 435×435 pixels at a jump of 32; GoogLeNet and the plain twin describe themselves too', () => {
    const r18 = models.skipInit(() => models.resnet18());
    const rf = analysis.receptiveField(r18, [3, 224, 224]);
    const last = rf.layers.find((r) => r.name === 'layer4.1')!;
    assert.deepEqual([last.receptiveField[0], last.jump[0], last.outputSize[0]], [435, 32, 7]);
    release(r18);
    const g = models.skipInit(() => models.googlenet());
    assert.equal(analysis.receptiveField(g, [3, 224, 224]).seesWholeImage, true);
    release(g);
    const p = analysis.receptiveField(models.plainNet20(), [3, 32, 32]);
    const r = analysis.receptiveField(models.resnet20(), [3, 32, 32]);
    assert.deepEqual(p.receptiveField, r.receptiveField);
  });
});

describe('forward hooks', () => {
  test('post hooks see every submodule call with its dotted path, innermost first, and are removed afterwards', () => {
    const m = models.lenet5();
    const seen: string[] = [];
    const shapes = new Map<string, number[]>();
    models.withForwardHooks(m, {
      post: (path, _m, _args, out) => {
        seen.push(path);
        shapes.set(path, [...(out as Tensor).shape]);
      },
    }, () => m.call(zeros(2, 1, 32, 32)));
    assert.deepEqual(seen, [
      'features.0', 'features.1', 'features.2', 'features.3', 'features.4', 'features.5', 'features.6', 'features.7', 'features',
      'classifier.0', 'classifier.1', 'classifier.2', 'classifier',
    ]);
    assert.deepEqual(shapes.get('features.2'), [2, 6, 14, 14]);
    assert.deepEqual(shapes.get('features.5'), [2, 16, 5, 5]);
    assert.ok(!Object.prototype.hasOwnProperty.call(m.features.at(0), 'call'));
    seen.length = 0;
    m.call(zeros(1, 1, 32, 32));
    assert.equal(seen.length, 0);
  });

  test('hooks nest, and are removed even when the forward throws', () => {
    const m = models.lenet5();
    const outer: string[] = [];
    const inner: string[] = [];
    models.withForwardHooks(m, { post: (p) => outer.push(p) }, () =>
      models.withForwardHooks(m.features, { post: (p) => inner.push(p) }, () => m.call(zeros(1, 1, 32, 32))),
    );
    assert.equal(outer.length, 13);
    assert.deepEqual(inner, ['0', '1', '2', '3', '4', '5', '6', '7']);
    assert.throws(() => models.withForwardHooks(m, {}, () => m.call(zeros(1, 1, 8, 8))));
    for (const mod of m.modules()) assert.ok(!Object.prototype.hasOwnProperty.call(mod, 'call'));
  });
});
