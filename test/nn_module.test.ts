/**
 * nn.Module: registration (fields and explicit), PyTorch's dotted names and state-dict order,
 * loading PyTorch weights, loadStateDict's round trip and errors, train/eval, zeroGrad, apply,
 * dtype conversion, printing, Parameter, Sequential and ModuleList.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualSeed, nn, ones, randn, tensor, tidy, zeros, type Tensor } from '../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

interface StateDictCase {
  name: string;
  keys: string[];
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  evalOutput: FixtureTensor;
}

/** The fixture script's `Net`, written the glubina way. */
class Net extends nn.Module {
  features = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Dropout(), new nn.Linear(8, 8), new nn.BatchNorm1d(8));
  heads = new nn.ModuleList<nn.Linear>([new nn.Linear(8, 2), new nn.Linear(8, 3)]);
  embed: nn.Embedding;
  loss: nn.CrossEntropyLoss;

  constructor() {
    super();
    this.registerBuffer('scale', tensor([2]));
    this.embed = new nn.Embedding(5, 4);
    this.loss = new nn.CrossEntropyLoss({ weight: tensor([1, 2]) });
  }

  override forward(x: Tensor): Tensor {
    return this.heads.at(0).call(this.features.call(x).mul(this.getBuffer('scale')!));
  }
}

function smallSeq(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Linear(3, 2));
}

function toTensors(state: Record<string, FixtureTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, fromFixture(v)]));
}

const fixture = loadFixture<{ stateDict: StateDictCase[] }>('nn');

describe('state dicts are PyTorch-compatible', () => {
  const models: Record<string, () => nn.Module> = {
    'Sequential(Linear, BatchNorm1d, ReLU, Linear)': smallSeq,
    Net: () => new Net(),
  };
  for (const c of fixture.stateDict) {
    test(`${c.name}: same keys in the same order, and PyTorch's trained weights give PyTorch's eval output`, () => {
      const m = models[c.name]();
      assert.deepEqual([...m.stateDict().keys()], c.keys);
      const result = m.loadStateDict(toTensors(c.state));
      assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
      m.eval();
      assertClose(m.call(fromFixture(c.input)), c.evalOutput);
    });
  }
  test('namedParameters: dotted names in PyTorch order, no buffers', () => {
    assert.deepEqual(new Net().namedParameters().map(([n]) => n), [
      'features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias', 'features.4.weight', 'features.4.bias',
      'heads.0.weight', 'heads.0.bias', 'heads.1.weight', 'heads.1.bias', 'embed.weight',
    ]);
    assert.deepEqual(new Net().namedBuffers().map(([n]) => n), [
      'scale', 'features.4.running_mean', 'features.4.running_var', 'features.4.num_batches_tracked', 'loss.weight',
    ]);
    assert.deepEqual(new Net().namedChildren().map(([n]) => n), ['features', 'heads', 'embed', 'loss']);
    assert.deepEqual(new Net().namedModules().map(([n]) => n), [
      '', 'features', 'features.0', 'features.1', 'features.2', 'features.3', 'features.4', 'heads', 'heads.0', 'heads.1', 'embed', 'loss',
    ]);
  });
});

describe('loadStateDict', () => {
  test('round trip: a fresh model loads another one\'s state and computes the same, with copies not aliases', () => {
    manualSeed(1);
    const a = smallSeq();
    a.call(randn(6, 4)); // move the running statistics
    manualSeed(2);
    const b = smallSeq();
    const x = randn(5, 4);
    b.loadStateDict(a.stateDict());
    a.eval();
    b.eval();
    assertClose(b.call(x), a.call(x));
    (a.at(0) as nn.Linear).weight.requiresGrad = false;
    (a.at(0) as nn.Linear).weight.fill_(0);
    assert.notEqual((b.at(0) as nn.Linear).weight.dataSync()[0], 0);
  });
  test('stateDict values are detached views of the module\'s memory', () => {
    const m = new nn.Linear(2, 2);
    const w = m.stateDict().get('weight')!;
    assert.equal(w.requiresGrad, false);
    w.fill_(3);
    assert.deepEqual(Array.from(m.weight.dataSync()), [3, 3, 3, 3]);
    assert.equal(m.stateDict({ keepVars: true }).get('weight'), m.weight);
  });
  test('strict errors name missing and unexpected keys; size mismatches name the key and both shapes; nothing is copied', () => {
    const m = smallSeq();
    const before = Array.from((m.at(0) as nn.Linear).weight.dataSync());
    const state = m.stateDict();
    state.delete('1.running_var');
    state.set('2.weight', ones(3));
    state.set('0.weight', zeros(3, 5));
    assert.throws(() => m.loadStateDict(state), (e: Error) => {
      assert.match(e.message, /^loadStateDict: error\(s\) in loading state_dict for Sequential:/);
      assert.match(e.message, /Missing key\(s\) in state_dict: "1\.running_var"\./);
      assert.match(e.message, /Unexpected key\(s\) in state_dict: "2\.weight"\./);
      assert.match(e.message, /size mismatch for 0\.weight: copying a param with shape \[3,5\] from checkpoint, the shape in current model is \[3,4\]/);
      return true;
    });
    assert.deepEqual(Array.from((m.at(0) as nn.Linear).weight.dataSync()), before);
  });
  test('non-strict loading reports what did not match; shape mismatches still throw', () => {
    const m = smallSeq();
    const result = m.loadStateDict({ '0.bias': tensor([1, 2, 3]), extra: zeros(1) }, { strict: false });
    assert.deepEqual(Array.from((m.at(0) as nn.Linear).bias!.dataSync()), [1, 2, 3]);
    assert.deepEqual(result.unexpectedKeys, ['extra']);
    assert.equal(result.missingKeys.length, 8);
    assert.throws(() => m.loadStateDict({ '0.bias': zeros(4) }, { strict: false }), /size mismatch for 0\.bias: copying a param with shape \[4\] from checkpoint, the shape in current model is \[3\]/);
  });
});

describe('registration', () => {
  test('fields, explicit parameters, null parameters, buffers and non-persistent buffers', () => {
    class Custom extends nn.Module {
      a = new nn.Parameter(ones(2));
      lin = new nn.Linear(2, 2);
      cache: Tensor = zeros(1); // a plain tensor field is neither a parameter nor a buffer
      constructor() {
        super();
        this.registerParameter('b', new nn.Parameter(zeros(3)));
        this.registerParameter('c', null);
        this.registerBuffer('stats', ones(2));
        this.registerBuffer('tmp', ones(1), { persistent: false });
      }
    }
    const m = new Custom();
    assert.deepEqual(m.namedParameters().map(([n]) => n), ['a', 'b', 'lin.weight', 'lin.bias']);
    assert.deepEqual([...m.stateDict().keys()], ['a', 'b', 'stats', 'lin.weight', 'lin.bias']);
    assert.deepEqual(m.namedBuffers().map(([n]) => n), ['stats', 'tmp']);
    const named = m as unknown as Record<string, unknown>;
    assert.ok(named.b instanceof nn.Parameter);
    assert.equal(named.c, null);
    assert.equal(named.stats, m.getBuffer('stats'));
    assert.equal(m.numParameters(), 2 + 3 + 4 + 2);
  });
  test('a parameter shared by two layers is listed once', () => {
    const a = new nn.Linear(3, 3);
    const b = new nn.Linear(3, 3);
    b.weight = a.weight;
    const m = new nn.Sequential(a, b);
    assert.deepEqual(m.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.bias']);
    assert.equal(m.numParameters(), 9 + 3 + 3);
    assert.deepEqual([...m.stateDict().keys()], ['0.weight', '0.bias', '1.weight', '1.bias']);
    m.double();
    assert.equal(b.weight, a.weight, 'still shared after double()');
    assert.equal(a.weight.dtype, 'float64');
  });
  test('registration errors', () => {
    const m = new nn.Linear(2, 2);
    assert.throws(() => m.registerParameter('a.b', null), /Linear\.registerParameter: name 'a\.b' must not contain '\.'/);
    assert.throws(() => m.registerBuffer('inFeatures', zeros(1)), /Linear\.registerBuffer: attribute 'inFeatures' already exists/);
    assert.throws(() => m.registerBuffer('weight', zeros(1)), /Linear\.registerBuffer: attribute 'weight' already exists/);
    assert.throws(() => m.registerModule('forward', new nn.ReLU()), /Linear\.registerModule: attribute 'forward' already exists/);
    assert.throws(() => m.registerParameter('w', ones(2) as nn.Parameter), /must be a Parameter or null; wrap a tensor as new Parameter\(t\)/);
    (m as unknown as Record<string, unknown>).weight = ones(2, 2);
    assert.throws(() => m.parameters(), /Linear: 'weight' is a registered parameter but now holds a plain Tensor/);
    assert.throws(() => new nn.Module().call(zeros(1)), /Module: missing the required forward\(\) method/);
  });
});

describe('modes, gradients, apply, dtype', () => {
  test('train()/eval() reach every descendant', () => {
    const m = new Net();
    assert.ok(m.modules().every((x) => x.training));
    m.eval();
    assert.ok(m.modules().every((x) => !x.training));
    m.train();
    assert.ok(m.modules().every((x) => x.training));
  });
  test('zeroGrad sets every gradient to null', () => {
    const m = smallSeq();
    m.call(randn(4, 4)).sum().backward();
    assert.ok(m.parameters().every((p) => p.grad !== null));
    m.zeroGrad();
    assert.ok(m.parameters().every((p) => p.grad === null));
  });
  test('apply visits children before their parent', () => {
    const seen: string[] = [];
    smallSeq().apply((x) => seen.push(x.constructor.name));
    assert.deepEqual(seen, ['Linear', 'BatchNorm1d', 'ReLU', 'Linear', 'Sequential']);
  });
  test('requiresGrad_(false) freezes every parameter', () => {
    const m = smallSeq().requiresGrad_(false);
    assert.ok(m.parameters().every((p) => !p.requiresGrad));
    assert.equal(m.numParameters({ trainableOnly: true }), 0);
  });
  test('double() converts floating parameters and buffers, not num_batches_tracked', () => {
    const m = smallSeq().double();
    assert.ok(m.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad && p instanceof nn.Parameter));
    const bn = m.at(1) as nn.BatchNorm1d;
    assert.equal(bn.runningMean!.dtype, 'float64');
    assert.equal(bn.numBatchesTracked!.dtype, 'int32');
    assert.equal(m.call(randn([2, 4], { dtype: 'float64' })).dtype, 'float64');
    assert.equal(m.float().at(0).parameters()[0].dtype, 'float32');
  });
});

describe('memory', () => {
  test('a model built inside tidy() keeps its parameters and buffers', () => {
    const m = tidy(() => smallSeq().double().float());
    for (const t of [...m.parameters(), ...m.buffers()]) assert.equal(t.isDisposed, false);
    assert.deepEqual(m.call(randn(3, 4)).shape, [3, 2]);
  });
});

describe('printing', () => {
  test('repr follows PyTorch\'s layout with glubina\'s argument names', () => {
    const m = new nn.Sequential(
      new nn.Linear(4, 3),
      new nn.Sequential(new nn.LeakyReLU(0.2), new nn.Dropout(0.1)),
      new nn.Embedding(10, 3, { paddingIdx: 0 }),
      new nn.Flatten(),
    );
    assert.equal(String(m), [
      'Sequential(',
      '  (0): Linear(inFeatures=4, outFeatures=3, bias=true)',
      '  (1): Sequential(',
      '    (0): LeakyReLU(negativeSlope=0.2)',
      '    (1): Dropout(p=0.1)',
      '  )',
      '  (2): Embedding(10, 3, paddingIdx=0)',
      '  (3): Flatten(startDim=1, endDim=-1)',
      ')',
    ].join('\n'));
    assert.equal(String(new nn.ReLU()), 'ReLU()');
    assert.equal(String(new nn.Maxout(4, 3, 2)), 'Maxout(inFeatures=4, outFeatures=3, pieces=2, bias=true)');
  });
  test('Parameter prints as PyTorch does and shares memory with its data', () => {
    const data = tensor([1, 2]);
    const p = new nn.Parameter(data);
    assert.ok(p.requiresGrad && p.isLeaf);
    assert.match(String(p), /^Parameter containing:\ntensor\(\[1\., 2\.\], requires_?[gG]rad=[tT]rue\)$/);
    data.fill_(5);
    assert.deepEqual(Array.from(p.dataSync()), [5, 5]);
    assert.equal(new nn.Parameter(data, false).requiresGrad, false);
  });
});

describe('containers', () => {
  test('Sequential: length, at, iteration, append, named children, repeated modules run each time', () => {
    const relu = new nn.ReLU();
    const s = new nn.Sequential(new nn.Linear(2, 2), relu);
    assert.equal(s.length, 2);
    assert.equal(s.at(-1), relu);
    assert.deepEqual([...s].map((x) => x.constructor.name), ['Linear', 'ReLU']);
    const twice = new nn.Sequential();
    const lin = new nn.Linear(2, 2, { bias: false });
    lin.weight.requiresGrad = false;
    lin.weight.copy_(tensor([[0, 2], [2, 0]]));
    twice.append(lin).append(lin);
    assert.equal(twice.length, 2);
    assertClose(twice.call(tensor([[1, 3]])), [4, 12]);
    const named = new nn.Sequential(new Map<string, nn.TensorModule>([['fc', new nn.Linear(2, 1)], ['act', new nn.Sigmoid()]]));
    assert.deepEqual([...named.stateDict().keys()], ['fc.weight', 'fc.bias']);
    assert.throws(() => s.at(2), /Sequential\.at: index 2 is out of range for 2 modules/);
  });
  test('ModuleList registers its modules and has no forward', () => {
    const l = new nn.ModuleList<nn.AnyModule>([new nn.Linear(2, 2), new nn.Linear(2, 1)]);
    assert.equal(l.length, 2);
    assert.deepEqual(l.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias']);
    l.append(new nn.ReLU());
    assert.equal(l.at(-1).constructor.name, 'ReLU');
    assert.throws(() => l.forward(), /ModuleList: has no forward\(\)/);
  });
});
