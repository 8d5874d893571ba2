/**
 * The course's claims about initialisation, demonstrated with fixed seeds:
 * (a) initialising every weight to the same value (zero, or any constant) makes all hidden units
 *     identical forever: gradient descent cannot break the symmetry;
 * (b) in a deep ReLU MLP, He initialisation (kaiming normal, fan_in) keeps the activations'
 *     variance steady across layers, while N(0, 1) makes it explode and N(0, 0.01²) collapse.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualSeed, nn, noGrad, randn, tensor, type Tensor } from '../src/index.js';

/** One hidden layer of 4 sigmoid units trained on XOR with plain SGD for `steps` steps. */
function trainXor(initialise: (net: nn.Sequential) => void, steps = 150, lr = 0.5): nn.Linear {
  const net = new nn.Sequential(new nn.Linear(2, 4), new nn.Sigmoid(), new nn.Linear(4, 1));
  initialise(net);
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([[0], [1], [1], [0]]);
  const loss = new nn.MSELoss();
  for (let i = 0; i < steps; i++) {
    net.zeroGrad();
    loss.call(net.call(x), y).backward();
    noGrad(() => {
      for (const p of net.parameters()) p.sub_(p.grad!.mul(lr));
    });
  }
  return net.at(0) as nn.Linear;
}

function rows(t: Tensor): number[][] {
  return t.toArray() as number[][];
}

describe('(a) symmetric initialisation: hidden units stay identical', () => {
  for (const [name, value] of [['zeros', 0], ['constant 0.3', 0.3]] as const) {
    test(`all weights and biases ${name}: after 150 SGD steps every row of W1 is the same (and has moved)`, () => {
      manualSeed(0);
      const hidden = trainXor((net) => net.parameters().forEach((p) => nn.init.constant_(p, value)));
      const w = rows(hidden.weight);
      for (const r of w) assert.deepEqual(r, w[0], 'rows of the hidden weight matrix');
      assert.deepEqual(new Set(hidden.bias!.dataSync()).size, 1, 'hidden biases');
      assert.ok(Math.abs(w[0][0] - value) > 1e-3, `W1 moved from ${value} to ${w[0][0]}`);
    });
  }
  test('contrast: random initialisation gives distinct hidden units', () => {
    manualSeed(0);
    const w = rows(trainXor(() => undefined).weight);
    assert.equal(new Set(w.map((r) => r.join(','))).size, 4);
  });
});

describe('(b) deep ReLU MLP: activation variance across 12 layers of width 256', () => {
  const DEPTH = 12;
  const WIDTH = 256;

  /** Variance of each Linear layer's output for a standard normal batch, weights from `initWeight`, biases 0. */
  function variances(initWeight: (w: nn.Parameter) => void): number[] {
    const layers = Array.from({ length: DEPTH }, () => new nn.Linear(WIDTH, WIDTH));
    for (const l of layers) {
      initWeight(l.weight);
      nn.init.zeros_(l.bias!);
    }
    const out: number[] = [];
    noGrad(() => {
      let h = randn(128, WIDTH);
      for (const l of layers) {
        const z = l.call(h);
        out.push(z.var().item());
        h = z.relu();
      }
    });
    return out;
  }

  test('He (kaimingNormal_, fan_in, relu): every layer within ×4 of the first', () => {
    manualSeed(42);
    const v = variances((w) => nn.init.kaimingNormal_(w, 0, 'fan_in', 'relu'));
    for (const vi of v) assert.ok(vi / v[0] < 4 && vi / v[0] > 0.25, `variances ${v.map((e) => e.toPrecision(3)).join(', ')}`);
  });
  test('N(0, 1): the variance explodes (last / first > 100)', () => {
    manualSeed(42);
    const v = variances((w) => nn.init.normal_(w, 0, 1));
    assert.ok(v[DEPTH - 1] / v[0] > 100, `ratio ${v[DEPTH - 1] / v[0]}`);
  });
  test('N(0, 0.01²): the variance collapses (last / first < 0.01)', () => {
    manualSeed(42);
    const v = variances((w) => nn.init.normal_(w, 0, 0.01));
    assert.ok(v[DEPTH - 1] / v[0] < 0.01, `ratio ${v[DEPTH - 1] / v[0]}`);
  });
});
