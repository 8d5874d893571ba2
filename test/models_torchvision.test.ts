/**
 * Output equality with torchvision (and the fixture script's PyTorch twins) in eval mode: both
 * sides fill the state dict with the same closed-form weights (see scripts/fixtures/models.py), run
 * the same closed-form input, and must agree to a relative error of 1e-4 of the output's scale.
 * Also local response normalisation against `torch.nn.functional.local_response_norm`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dispose, models, noGrad, nn, type Tensor } from '../src/index.js';
import { assertClose, BACKWARD_TOL, FORWARD_TOL, fromFixture, loadFixture } from './helpers.js';
import { closedValue, loadClosedForm, type ClosedCase, type ModelsFixture } from './models_helpers.js';

const fixture = loadFixture<ModelsFixture>('models');

/** |actual − expected| ≤ 1e-4 · max|expected| everywhere: a relative error of 1e-4 at the output's scale. */
function assertRelClose(actual: Tensor, expected: ClosedCase['output'], what: string): void {
  const scale = Math.max(...expected.data.map(Math.abs));
  assertClose(actual, expected, { rtol: 1e-4, atol: 1e-4 * scale }, what);
}

function label(c: ClosedCase): string {
  const opts = Object.keys(c.options).length ? JSON.stringify(c.options) : '';
  return `${c.name}${opts ? `(${opts})` : ''} on [${c.inputShape.join(',')}]`;
}

describe('same weights, same input, same output as PyTorch (eval mode)', () => {
  for (const c of fixture.closed) {
    test(label(c), () => {
      const m = models.skipInit(() => models.create(c.name, c.options));
      try {
        m.eval();
        const sums = loadClosedForm(m);
        // The generator matches the script's, tensor by tensor (so a failure below is the model's).
        assert.deepEqual([...sums.keys()].sort(), Object.keys(c.sums).sort());
        for (const [k, [s, a]] of sums) {
          const [es, ea] = c.sums[k];
          assert.ok(Math.abs(s - es) <= 1e-9 * ea + 1e-12 && Math.abs(a - ea) <= 1e-9 * ea, `${k}: sums ${s}, ${a} vs ${es}, ${ea}`);
        }
        const y = noGrad(() => m.call(closedValue('input', c.inputShape))) as Tensor;
        assertRelClose(y, c.output, label(c));
      } finally {
        dispose([...m.stateDict({ keepVars: true }).values()]);
      }
    });
  }

  test('the fixture covers resnet18, vgg11 and googlenet, in eval mode', () => {
    const names = new Set(fixture.closed.map((c) => c.name));
    for (const n of ['resnet18', 'vgg11', 'googlenet']) assert.ok(names.has(n), n);
  });
});

describe('local response normalisation equals PyTorch\'s', () => {
  for (const c of fixture.lrn) {
    test(`size ${c.size}, alpha ${c.alpha}, beta ${c.beta}, k ${c.k} on [${c.x.shape.join(',')}], forward and gradient`, () => {
      const x = fromFixture(c.x, { requiresGrad: true });
      const lrn = new models.LocalResponseNorm(c.size, c.alpha, c.beta, c.k);
      const y = lrn.call(x);
      assertClose(y, c.y, FORWARD_TOL, 'output');
      y.mul(fromFixture(c.w)).sum().backward();
      assertClose(x.grad!, c.grad, BACKWARD_TOL, 'grad');
    });
  }

  test('refuses bad sizes and inputs', () => {
    assert.throws(() => new models.LocalResponseNorm(0), /LocalResponseNorm: size must be a positive integer, got 0/);
    assert.throws(() => models.localResponseNorm(fromFixture(fixture.lrn[0].x).reshape(-1), 3), /localResponseNorm: expected an input \[N, C, …\] with at least 3 dims/);
  });

  test('is a parameter-free module', () => {
    assert.equal(new models.LocalResponseNorm(5).numParameters(), 0);
    assert.ok(new models.LocalResponseNorm(5, 1e-4, 0.75, 2) instanceof nn.Module);
  });
});
