/**
 * summary / summarize: exact text for a small CNN, structured rows for nested and shared modules,
 * the depth cut, frozen parameters, that tracing leaves the model as it was (call, training flags,
 * BatchNorm statistics), and the error naming the layer where the forward pass fails.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analysis, manualSeed, nn, zeros, type Tensor } from '../src/index.js';

function smallCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }), // 8·1·9 + 8 = 80
    new nn.BatchNorm2d(8), //                  2·8 = 16
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3), //                16·8·9 + 16 = 1168
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(16, 10), //                  16·10 + 10 = 170
  );
}

/** x + scale·body(x), with a parameter of its own and a ReLU it calls twice. */
class Block extends nn.Module {
  body = new nn.Sequential(new nn.Conv2d(4, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4));
  scale = new nn.Parameter(nn.init.ones_(new nn.Linear(1, 1).weight.detach().clone()));
  act = new nn.ReLU();

  override forward(x: Tensor): Tensor {
    return this.act.call(this.act.call(this.body.call(x)).mul(this.scale).add(x));
  }
}

describe('summary', () => {
  test('a small CNN, exactly as printed', () => {
    const expected = [
      'Model: Sequential, input [1, 1, 28, 28]',
      '_________________________________________________',
      'Layer (type)            Output Shape      Param #',
      '=================================================',
      '0 (Conv2d)              [1, 8, 28, 28]    80',
      '1 (BatchNorm2d)         [1, 8, 28, 28]    16',
      '2 (ReLU)                [1, 8, 28, 28]    0',
      '3 (MaxPool2d)           [1, 8, 14, 14]    0',
      '4 (Conv2d)              [1, 16, 12, 12]   1,168',
      '5 (ReLU)                [1, 16, 12, 12]   0',
      '6 (AdaptiveAvgPool2d)   [1, 16, 1, 1]     0',
      '7 (Flatten)             [1, 16]           0',
      '8 (Linear)              [1, 10]           170',
      '=================================================',
      'Total params: 1,434',
      'Trainable params: 1,434',
      'Non-trainable params: 0',
      '_________________________________________________',
    ].join('\n');
    assert.equal(analysis.summary(smallCnn(), [1, 28, 28]), expected);
  });

  test('rows of nested modules: parents first, own parameters only, repeated calls marked', () => {
    const net = new nn.Sequential(new nn.Conv2d(1, 4, 3), new Block());
    net.at(0).requiresGrad_(false);
    const s = analysis.summarize(net, [1, 10, 10], { batchSize: 2 });
    assert.deepEqual(s.inputShape, [2, 1, 10, 10]);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.depth, r.outputShapes, r.params, r.repeat]),
      [
        ['0', 'Conv2d', 1, [[2, 4, 8, 8]], 40, false],
        ['1', 'Block', 1, [[2, 4, 8, 8]], 1, false],
        ['1.body', 'Sequential', 2, [[2, 4, 8, 8]], 0, false],
        ['1.body.0', 'Conv2d', 3, [[2, 4, 8, 8]], 148, false],
        ['1.body.1', 'BatchNorm2d', 3, [[2, 4, 8, 8]], 8, false],
        ['1.act', 'ReLU', 2, [[2, 4, 8, 8]], 0, false],
        ['1.act', 'ReLU', 2, [[2, 4, 8, 8]], 0, true],
      ],
    );
    assert.equal(s.totalParams, 40 + 1 + 148 + 8);
    assert.equal(s.trainableParams, 1 + 148 + 8);
    assert.equal(s.nonTrainableParams, 40);
    const text = analysis.formatSummary(s);
    assert.match(text, /\n {4}1\.body\.0 \(Conv2d\) +\[2, 4, 8, 8\] +148\n/);
    assert.match(text, /\n {2}1\.act \(ReLU\) +\[2, 4, 8, 8\] +\(repeat\)\n/);
    assert.match(text, /\nNon-trainable params: 40\n/);
  });

  test('the depth cut folds hidden children into their parent\'s count', () => {
    const s = analysis.summarize(new nn.Sequential(new nn.Conv2d(1, 4, 3), new Block()), [1, 10, 10], { depth: 1 });
    assert.deepEqual(s.rows.map((r) => [r.name, r.params]), [['0', 40], ['1', 157]]);
  });

  test('max pooling with indices lists both output shapes', () => {
    const s = analysis.summarize(new nn.Sequential(new nn.MaxPool2d(2, { returnIndices: true }) as unknown as nn.ReLU), [3, 4, 6]);
    assert.deepEqual(s.rows[0].outputShapes, [[1, 3, 2, 3], [1, 3, 2, 3]]);
  });

  test('tracing leaves the model as it was', () => {
    manualSeed(0);
    const net = smallCnn();
    const bn = net.at(1) as nn.BatchNorm2d;
    const mean = [...bn.getBuffer('running_mean')!.dataSync()];
    analysis.summary(net, [1, 12, 12]);
    assert.ok(net.modules().every((m) => !Object.prototype.hasOwnProperty.call(m, 'call')), 'call restored');
    assert.ok(net.modules().every((m) => m.training), 'training mode restored');
    assert.deepEqual([...bn.getBuffer('running_mean')!.dataSync()], mean, 'running statistics untouched');
    net.eval();
    analysis.summary(net, [1, 12, 12]);
    assert.ok(net.modules().every((m) => !m.training), 'eval mode restored');
    assert.deepEqual([...net.call(zeros([2, 1, 12, 12])).shape], [2, 10], 'still runs');
  });

  test('a failing layer is named with its input shape', () => {
    const net = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.Conv2d(3, 4, 3));
    assert.throws(() => analysis.summary(net, [1, 8, 8]), /summary: the forward pass failed in '1' \(Conv2d\) with input \[1, 4, 6, 6\]: conv2d: input \[1,4,6,6\] has 4 channels/);
    assert.ok(net.modules().every((m) => !Object.prototype.hasOwnProperty.call(m, 'call')), 'call restored after the error');
  });
});
