/**
 * Losses against PyTorch 1.13 fixtures (functional and module forms, every reduction, the
 * gradients of the inputs), gradcheck in float64, the stable limits, and the error messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradcheck, logSoftmax, manualSeed, nn, rand, randn, sigmoid, tensor, where, type Tensor } from '../src/index.js';
import { assertClose, BACKWARD_TOL, FORWARD_TOL, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

const F = nn.functional;

type LossFn = 'mseLoss' | 'l1Loss' | 'nllLoss' | 'crossEntropy' | 'binaryCrossEntropy' | 'binaryCrossEntropyWithLogits'
  | 'tripletMarginLoss' | 'cosineEmbeddingLoss';

interface LossCase {
  name: string;
  fn: LossFn;
  module: string;
  options: Record<string, unknown>;
  inputs: FixtureTensor[];
  requiresGrad: boolean[];
  output: FixtureTensor;
  gradOutput: FixtureTensor | null;
  inputGrads: (FixtureTensor | null)[];
}

type Options = Record<string, unknown>;
type Call = (inputs: Tensor[], options: Options) => Tensor;

/** Each loss, functional and as a module. */
const losses: Record<LossFn, { fn: Call; module: Call }> = {
  mseLoss: { fn: ([x, y], o) => F.mseLoss(x, y, o), module: ([x, y], o) => new nn.MSELoss(o).call(x, y) },
  l1Loss: { fn: ([x, y], o) => F.l1Loss(x, y, o), module: ([x, y], o) => new nn.L1Loss(o).call(x, y) },
  nllLoss: { fn: ([x, y], o) => F.nllLoss(x, y, o), module: ([x, y], o) => new nn.NLLLoss(o).call(x, y) },
  crossEntropy: { fn: ([x, y], o) => F.crossEntropy(x, y, o), module: ([x, y], o) => new nn.CrossEntropyLoss(o).call(x, y) },
  binaryCrossEntropy: { fn: ([x, y], o) => F.binaryCrossEntropy(x, y, o), module: ([x, y], o) => new nn.BCELoss(o).call(x, y) },
  binaryCrossEntropyWithLogits: {
    fn: ([x, y], o) => F.binaryCrossEntropyWithLogits(x, y, o),
    module: ([x, y], o) => new nn.BCEWithLogitsLoss(o).call(x, y),
  },
  tripletMarginLoss: {
    fn: ([a, p, n], o) => F.tripletMarginLoss(a, p, n, o),
    module: ([a, p, n], o) => new nn.TripletMarginLoss(o).call(a, p, n),
  },
  cosineEmbeddingLoss: {
    fn: ([a, b, y], o) => F.cosineEmbeddingLoss(a, b, y, o),
    module: ([a, b, y], o) => new nn.CosineEmbeddingLoss(o).call(a, b, y),
  },
};

function isFixtureTensor(v: unknown): v is FixtureTensor {
  return typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;
}

function options(o: Record<string, unknown>): Options {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, isFixtureTensor(v) ? fromFixture(v) : v]));
}

const fixture = loadFixture<{ losses: LossCase[] }>('nn');

describe('losses match PyTorch 1.13 (value and input gradients)', () => {
  for (const c of fixture.losses) {
    test(c.name, () => {
      for (const form of ['fn', 'module'] as const) {
        const inputs = c.inputs.map((f, i) => fromFixture(f, { requiresGrad: c.requiresGrad[i] }));
        const out = losses[c.fn][form](inputs, options(c.options));
        assertClose(out, c.output, FORWARD_TOL, `${c.name} (${form}): value`);
        if (c.gradOutput) out.mul(fromFixture(c.gradOutput)).sum().backward();
        else out.backward();
        c.inputGrads.forEach((g, i) => {
          if (g) assertClose(inputs[i].grad!, g, BACKWARD_TOL, `${c.name} (${form}): grad of input ${i}`);
        });
      }
    });
  }
});

describe('loss gradcheck (float64)', () => {
  manualSeed(31);
  const x64 = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true });
  const labels = tensor([2, 0, -100, 1], { dtype: 'int32' });
  const w = tensor([0.5, 2, 1.5], { dtype: 'float64' });
  test('MSE and L1', () => {
    assert.ok(gradcheck((x, y) => F.mseLoss(x, y), [x64(3, 2), x64(3, 2)]));
    assert.ok(gradcheck((x, y) => F.l1Loss(x, y, { reduction: 'sum' }), [x64(3, 2), x64(3, 2)]));
  });
  test('cross entropy with weights, ignoreIndex and label smoothing; [N,C,d]; probabilities', () => {
    assert.ok(gradcheck((x) => F.crossEntropy(x, labels, { weight: w, labelSmoothing: 0.2 }), [x64(4, 3)]));
    assert.ok(gradcheck((x) => F.crossEntropy(x, tensor([[0, 2], [1, 1]], { dtype: 'int32' }), { reduction: 'none', labelSmoothing: 0.1 }), [x64(2, 3, 2)]));
    const q = sigmoid(randn([4, 3], { dtype: 'float64' })).requiresGrad_();
    assert.ok(gradcheck((x, t) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.1 }), [x64(4, 3), q]));
  });
  test('NLL', () => {
    assert.ok(gradcheck((x) => F.nllLoss(x, labels, { weight: w }), [x64(4, 3)]));
  });
  test('BCE and BCE with logits (posWeight, weight)', () => {
    const p = rand([3, 4], { dtype: 'float64' }).mul(0.8).add(0.1).requiresGrad_();
    const y = rand([3, 4], { dtype: 'float64' }).requiresGrad_();
    assert.ok(gradcheck((a, b) => F.binaryCrossEntropy(a, b), [p, y]));
    const pw = tensor([2, 0.5, 1, 3], { dtype: 'float64' });
    assert.ok(gradcheck((a, b) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: pw, weight: pw }), [x64(3, 4), y]));
  });
  test('triplet margin (p = 2, p = 1, swap) and cosine embedding', () => {
    const [a, p, n] = [x64(5, 3), x64(5, 3), x64(5, 3)];
    assert.ok(gradcheck((ai, pi, ni) => F.tripletMarginLoss(ai, pi, ni, { margin: 2 }), [a, p, n]));
    assert.ok(gradcheck((ai, pi, ni) => F.tripletMarginLoss(ai, pi, ni, { margin: 2, p: 1, swap: true }), [a, p, n]));
    const y = tensor([1, -1, -1, 1, -1]);
    assert.ok(gradcheck((u, v) => F.cosineEmbeddingLoss(u, v, y, { margin: -0.5 }), [a, p]));
  });
});

describe('NLL as one autograd node', () => {
  /** The NLL as the tensor ops it replaces: pick, weigh, negate, mask, reduce. */
  function composite(logp: Tensor, y: Tensor, w: Tensor | null, reduction: 'mean' | 'sum' | 'none'): Tensor {
    const valid = y.ne(-100);
    const safe = where(valid, y, 0);
    const picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
    const weights = where(valid, w === null ? valid.to('float32') : w.indexSelect(0, safe), 0);
    const losses = where(valid, picked.mul(weights).neg(), 0);
    return reduction === 'mean' ? losses.sum().div(weights.sum()) : reduction === 'sum' ? losses.sum() : losses;
  }

  test('crossEntropy gives the composite\'s value (within an ulp) and its gradient bit for bit', () => {
    manualSeed(7);
    const y = tensor([3, 0, -100, 1, 4, 4, 2, -100, 0], { dtype: 'int32' });
    for (const w of [null, tensor([0.5, 2, 1.5, 1, 0.25])]) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const x = randn([9, 5], { requiresGrad: true });
        const out = F.crossEntropy(x, y, { weight: w, reduction });
        const gOut = reduction === 'none' ? randn([9]) : tensor(1.5);
        out.mul(gOut).sum().backward();
        const xr = x.detach().requiresGrad_();
        const ref = composite(logSoftmax(xr, 1), y, w, reduction);
        ref.mul(gOut).sum().backward();
        const label = `weight ${w === null ? 'none' : 'given'}, reduction ${reduction}`;
        assertClose(out, ref, { rtol: 2 ** -23, atol: 0 }, label);
        assert.deepEqual(Array.from(x.grad!.dataSync()), Array.from(xr.grad!.dataSync()), `${label}: gradient`);
      }
    }
  });

  test('every target ignored: a NaN mean, as PyTorch, and a zero gradient', () => {
    const x = randn([3, 4], { requiresGrad: true });
    const loss = F.nllLoss(x, tensor([-100, -100, -100], { dtype: 'int32' }));
    assert.ok(Number.isNaN(loss.item()));
    loss.backward();
    assert.deepEqual(Array.from(x.grad!.dataSync()), new Array(12).fill(0));
  });

  test('[C] input with a 0-d target, and [N, C, d] inputs', () => {
    const x = tensor([-1, -2, -3], { requiresGrad: true });
    const l = F.nllLoss(x, tensor(1, { dtype: 'int32' }));
    assert.deepEqual(l.shape, []);
    assert.equal(l.item(), 2);
    l.backward();
    assert.deepEqual(Array.from(x.grad!.dataSync()), [0, -1, 0]);
    const x3 = tensor([[[-1, -2], [-3, -4]]], { requiresGrad: true }); // [1, 2, 2]: 2 classes, d = 2
    const l3 = F.nllLoss(x3, tensor([[1, 0]], { dtype: 'int32' }), { reduction: 'none' });
    assert.deepEqual(l3.toArray(), [[3, 2]]);
    l3.sum().backward();
    assert.deepEqual(x3.grad!.toArray(), [[[0, -1], [-1, 0]]]);
  });
});

describe('numerical limits', () => {
  test('BCE with logits is finite for logits of ±1e4 and matches log(1 + e^−|x|) + max(x, 0) − x·y', () => {
    const x = tensor([1e4, -1e4, 0, 50]);
    const y = tensor([0, 1, 1, 1]);
    assertClose(F.binaryCrossEntropyWithLogits(x, y, { reduction: 'none' }), [1e4, 1e4, Math.log(2), Math.log1p(Math.exp(-50))]);
  });
  test('BCE clamps log at −100 and keeps a finite gradient at exactly 0 and 1', () => {
    const p = tensor([0, 1], { requiresGrad: true });
    const l = F.binaryCrossEntropy(p, tensor([1, 0]), { reduction: 'sum' });
    assertClose(l, [200]);
    l.backward();
    assert.ok(Array.from(p.grad!.dataSync()).every(Number.isFinite));
  });
  test('cross entropy of huge logits', () => {
    assertClose(F.crossEntropy(tensor([[1e4, 0, -1e4]]), tensor([1], { dtype: 'int32' })), [1e4]);
  });
});

describe('loss errors', () => {
  test('class index out of range names the index and the number of classes', () => {
    assert.throws(() => new nn.CrossEntropyLoss().call(randn(3, 5), tensor([1, 7, 0], { dtype: 'int32' })),
      { message: 'CrossEntropyLoss: target 7 is out of range for 5 classes (expected 0..4, or ignoreIndex -100)' });
    assert.throws(() => F.nllLoss(randn(2, 3), tensor([-1, 0], { dtype: 'int32' })), /nllLoss: target -1 is out of range for 3 classes/);
  });
  test('mismatched shapes name both shapes', () => {
    assert.throws(() => new nn.MSELoss().call(randn(3, 1), randn(3)), { message: 'MSELoss: input [3,1] and target [3] must have the same shape' });
    assert.throws(() => F.l1Loss(randn(2, 2), randn(2, 3)), /l1Loss: input \[2,2\] and target \[2,3\] must have the same shape/);
    assert.throws(() => new nn.BCEWithLogitsLoss().call(randn(4), randn(4, 1)), /BCEWithLogitsLoss: input \[4\] and target \[4,1\] must have the same shape/);
    assert.throws(() => new nn.CrossEntropyLoss().call(randn(4, 3), tensor([0, 1], { dtype: 'int32' })),
      /CrossEntropyLoss: target \[2\] does not match input \[4,3\] \(expected target \[4\]\)/);
    assert.throws(() => F.tripletMarginLoss(randn(2, 3), randn(2, 3), randn(2, 4)), /tripletMarginLoss: anchor \[2,3\] and negative \[2,4\] must have the same shape/);
  });
  test('wrong target dtype, bad weights, bad options', () => {
    assert.throws(() => F.nllLoss(randn(2, 3), tensor([0, 1])), /nllLoss: target must hold int32 class indices, got float32 \[2\]/);
    assert.throws(() => F.crossEntropy(randn(2, 3), tensor([0, 1], { dtype: 'int32' }), { weight: tensor([1, 2]) }), /crossEntropy: weight \[2\] must have one value per class \[3\]/);
    assert.throws(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }), /CrossEntropyLoss: labelSmoothing must be in \[0, 1\], got 1.5/);
    assert.throws(() => new nn.MSELoss({ reduction: 'avg' as 'mean' }), /MSELoss: reduction must be 'none', 'mean' or 'sum', got 'avg'/);
    assert.throws(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])), /binaryCrossEntropy: every input must be a probability in \[0, 1\], got 1.5/);
  });
  test('loss modules keep class weights as buffers with PyTorch keys', () => {
    assert.deepEqual([...new nn.CrossEntropyLoss({ weight: tensor([1, 2]) }).stateDict().keys()], ['weight']);
    assert.deepEqual([...new nn.BCEWithLogitsLoss({ posWeight: tensor([3]) }).stateDict().keys()], ['pos_weight']);
    assert.deepEqual([...new nn.CrossEntropyLoss().stateDict().keys()], []);
    assert.equal(String(new nn.CrossEntropyLoss({ reduction: 'sum' })), 'CrossEntropyLoss(reduction=sum)');
  });
});
