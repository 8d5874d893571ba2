/**
 * nn layers against PyTorch fixtures (forward, gradients w.r.t. inputs and parameters, with the
 * parameters loaded from PyTorch's state dict), gradcheck in float64, init ranges, Dropout's
 * mask statistics and the error messages for bad inputs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradcheck, manualSeed, nn, ones, randn, tensor, zeros, type Tensor } from '../src/index.js';
import { assertClose, BACKWARD_TOL, FORWARD_TOL, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

interface Ctor {
  type: string;
  args: number[];
  options: Record<string, unknown>;
}

interface LayerCase {
  name: string;
  ctor: Ctor;
  state: Record<string, FixtureTensor>;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  gradOutput: FixtureTensor;
  inputGrads: (FixtureTensor | null)[];
  paramGrads: Record<string, FixtureTensor>;
}

type Layer = nn.Module<[Tensor], Tensor>;

const build: Record<string, (a: number[], o: Record<string, unknown>) => Layer> = {
  Linear: (a, o) => new nn.Linear(a[0], a[1], o),
  Embedding: (a, o) => new nn.Embedding(a[0], a[1], o),
  ReLU: () => new nn.ReLU(),
  LeakyReLU: (a) => new nn.LeakyReLU(a[0]),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  ELU: (a) => new nn.ELU(a[0]),
  Softmax: (a) => new nn.Softmax(a[0]),
  LogSoftmax: (a) => new nn.LogSoftmax(a[0]),
  Maxout: (a) => new nn.Maxout(a[0], a[1], a[2]),
  Flatten: (a) => new nn.Flatten(a[0], a[1]),
  Identity: () => new nn.Identity(),
  Dropout: (a) => new nn.Dropout(a[0]).eval(),
};

function fromState(state: Record<string, FixtureTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, fromFixture(v)]));
}

const fixture = loadFixture<{ layers: LayerCase[] }>('nn');

describe('layers match PyTorch (forward and gradients)', () => {
  for (const c of fixture.layers) {
    test(c.name, () => {
      const m = build[c.ctor.type](c.ctor.args, c.ctor.options);
      m.loadStateDict(fromState(c.state));
      const inputs = c.inputs.map((f) => fromFixture(f, { requiresGrad: f.dtype === 'float32' }));
      const out = m.call(inputs[0]);
      assertClose(out, c.output, FORWARD_TOL, `${c.name} output`);
      out.mul(fromFixture(c.gradOutput)).sum().backward();
      c.inputGrads.forEach((g, i) => {
        if (g) assertClose(inputs[i].grad!, g, BACKWARD_TOL, `${c.name} input grad`);
      });
      const params = new Map(m.namedParameters());
      assert.deepEqual([...params.keys()].sort(), Object.keys(c.paramGrads).sort(), `${c.name}: parameter names`);
      for (const [name, g] of Object.entries(c.paramGrads)) assertClose(params.get(name)!.grad!, g, BACKWARD_TOL, `${c.name} ${name}.grad`);
    });
  }
});

describe('gradcheck in float64 (inputs and parameters)', () => {
  const x64 = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true });
  const check = (m: Layer, x: Tensor): void => {
    m.double();
    assert.ok(gradcheck((xi) => m.call(xi), [x, ...m.parameters()]));
  };
  manualSeed(7);
  test('Linear (2-d and 3-d input, without bias)', () => {
    check(new nn.Linear(4, 3), x64(5, 4));
    check(new nn.Linear(3, 2), x64(2, 2, 3));
    check(new nn.Linear(3, 2, { bias: false }), x64(2, 3));
  });
  test('Maxout', () => check(new nn.Maxout(3, 2, 3), x64(4, 3)));
  test('activations', () => {
    for (const m of [new nn.ReLU(), new nn.LeakyReLU(0.2), new nn.Sigmoid(), new nn.Tanh(), new nn.ELU(0.7), new nn.Softmax(1), new nn.LogSoftmax(0)]) {
      check(m, x64(3, 4));
    }
  });
  test('Flatten and Identity', () => {
    check(new nn.Flatten(), x64(2, 3, 2));
    check(new nn.Identity(), x64(2, 3));
  });
  test('Embedding (weight); the padding row gets no gradient by design', () => {
    const idx = tensor([[0, 1], [4, 4]], { dtype: 'int32' });
    const plain = new nn.Embedding(5, 3).double();
    assert.ok(gradcheck(() => plain.call(idx), [plain.weight]));
    // With paddingIdx its forward value is used but its gradient is cut (PyTorch's semantics).
    const m = new nn.Embedding(5, 3, { paddingIdx: 1 }).double();
    m.call(idx).sum().backward();
    assert.deepEqual(Array.from(m.weight.grad!.dataSync()), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2]);
  });
  test('Dropout (fixed mask per evaluation)', () => {
    const m = new nn.Dropout(0.4).double();
    const x = x64(3, 5);
    assert.ok(gradcheck((xi) => {
      manualSeed(3);
      return m.call(xi);
    }, [x]));
  });
});

describe('initialisation', () => {
  test('Linear: weight and bias in ±1/√in (kaimingUniform_ with a = √5)', () => {
    manualSeed(1);
    const m = new nn.Linear(64, 200);
    const bound = 1 / Math.sqrt(64);
    for (const p of [m.weight, m.bias!]) {
      const v = Array.from(p.dataSync());
      assert.ok(Math.max(...v.map(Math.abs)) <= bound);
      // U(−b, b) has variance b²/3; with 12800 draws the sample variance is within a few percent.
      if (v.length > 1000) {
        const variance = v.reduce((s, e) => s + e * e, 0) / v.length;
        assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.05, `variance ${variance}`);
      }
    }
    assert.ok(m.weight.requiresGrad && m.weight.grad === null);
  });
  test('Embedding: N(0, 1) with the padding row zero', () => {
    manualSeed(2);
    const m = new nn.Embedding(1000, 8, { paddingIdx: -1 });
    assert.equal(m.paddingIdx, 999);
    const w = Array.from(m.weight.dataSync());
    assert.deepEqual(Array.from(w.slice(999 * 8)), [0, 0, 0, 0, 0, 0, 0, 0]);
    const mean = w.reduce((s, e) => s + e, 0) / w.length;
    const variance = w.reduce((s, e) => s + e * e, 0) / w.length;
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05, `mean ${mean}, variance ${variance}`);
  });
  test('same seed, same layer', () => {
    manualSeed(5);
    const a = new nn.Linear(3, 2).weight.dataSync();
    manualSeed(5);
    assert.deepEqual(new nn.Linear(3, 2).weight.dataSync(), a);
  });
});

describe('Dropout', () => {
  const N = 1_000_000;
  test('inverted: drop fraction ≈ p and the mean scale is preserved within 1% over 1e6 draws', () => {
    manualSeed(11);
    for (const p of [0.2, 0.5]) {
      const y = new nn.Dropout(p).call(ones(N)).dataSync();
      let zeros = 0;
      let sum = 0;
      for (const v of y) {
        if (v === 0) zeros++;
        else assert.ok(Math.abs(v - 1 / (1 - p)) < 1e-6);
        sum += v;
      }
      assert.ok(Math.abs(zeros / N - p) < 0.003, `p=${p}: dropped ${zeros / N}`);
      assert.ok(Math.abs(sum / N - 1) < 0.01, `p=${p}: mean ${sum / N}`);
    }
  });
  test('inverted: evaluation is the identity', () => {
    const x = randn(4, 5);
    const m = new nn.Dropout(0.5).eval();
    assert.equal(m.call(x), x);
  });
  test('classic: no scaling while training, ×(1 − p) at evaluation', () => {
    manualSeed(12);
    const m = new nn.Dropout(0.25, { mode: 'classic' });
    const y = m.call(ones(N)).dataSync();
    let kept = 0;
    for (const v of y) {
      assert.ok(v === 0 || v === 1);
      kept += v;
    }
    assert.ok(Math.abs(kept / N - 0.75) < 0.003, `kept ${kept / N}`);
    m.eval();
    assertClose(m.call(tensor([2, -4, 8])), [1.5, -3, 6]);
    assert.equal(String(m), 'Dropout(p=0.25, mode=classic)');
  });
  test('gradient flows through kept units with the same scale', () => {
    manualSeed(13);
    const x = randn([1000], { requiresGrad: true });
    const y = nn.functional.dropout(x, 0.5);
    y.sum().backward();
    const yv = y.dataSync();
    const xv = x.dataSync();
    const g = x.grad!.dataSync();
    for (let i = 0; i < 1000; i++) assert.equal(g[i], yv[i] === 0 && xv[i] !== 0 ? 0 : 2);
  });
  test('p = 0 and p = 1', () => {
    const x = randn(3, 3);
    assert.equal(nn.functional.dropout(x, 0), x);
    assert.deepEqual(Array.from(nn.functional.dropout(x, 1).dataSync()).map(Math.abs), new Array(9).fill(0));
  });
});

describe('bad input gives clear errors', () => {
  test('Linear: wrong input width names the layer and both shapes', () => {
    assert.throws(() => new nn.Linear(4, 3).call(randn(8, 5)), { message: 'Linear: input [8,5] has 5 features, expected 4 (weight [3,4])' });
    assert.throws(() => nn.functional.linear(randn(2, 3), randn(3, 4)), /linear: input \[2,3\] has 3 features, expected 4 \(weight \[3,4\]\)/);
    assert.throws(() => new nn.Linear(0, 3), /Linear: inFeatures must be a positive integer, got 0/);
  });
  test('Maxout and Embedding', () => {
    assert.throws(() => new nn.Maxout(4, 3, 2).call(randn(2, 3)), /Maxout: input \[2,3\] has 3 features, expected 4 \(weight \[2,3,4\]\)/);
    assert.throws(() => new nn.Embedding(5, 2).call(tensor([1, 5], { dtype: 'int32' })), /Embedding: index 5 is out of range for 5 embeddings/);
    assert.throws(() => new nn.Embedding(5, 2).call(tensor([1, 2])), /Embedding: indices must be an int32 tensor, got float32 \[2\]/);
    assert.throws(() => new nn.Embedding(5, 2, { paddingIdx: 5 }), /Embedding: paddingIdx 5 must be within \[-5, 4\]/);
  });
  test('Dropout probability', () => {
    assert.throws(() => new nn.Dropout(1.5), /Dropout: dropout probability p must be in \[0, 1\], got 1.5/);
    assert.throws(() => nn.functional.dropout(zeros(2), -0.1), /dropout: dropout probability p must be in \[0, 1\], got -0.1/);
  });
});
