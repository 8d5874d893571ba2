/**
 * gradcheck for every differentiable op: analytic gradients (backward) against central finite
 * differences in float64, including broadcasting and non-contiguous inputs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addmm,  abs, add, amax, amin, bmm, cat, chunk, clamp, div, elu, enableGrad, exp, gradcheck, leakyRelu, log, log1p, logSoftmax,
  logsumexp, manualSeed, matmul, maximum, mean, minimum, mm, mul, neg, pow, randn, relu, sigmoid, softmax,
  softplus, split, sqrt, stack, std, sub, sum, tanh, tensor, variance, where, type Tensor,
} from '../src/index.js';
import { record } from '../src/ops/helpers.js';

manualSeed(1234);

/** A float64 leaf that requires grad, with standard normal entries. */
function rnd(...shape: number[]): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

/** A float64 leaf with entries in [lo, lo + width) (keeps log/sqrt/pow in their domain). */
function pos(shape: number[], lo = 0.5, width = 1.5): Tensor {
  const x = randn(shape, { dtype: 'float64' });
  const u = sigmoid(x).mul(width).add(lo);
  return u.detach().requiresGrad_();
}

/** A float64 leaf that is NOT contiguous: the transpose of a [cols, rows] tensor. */
function rndT(rows: number, cols: number): Tensor {
  const x = randn([cols, rows], { dtype: 'float64' }).t().detach().requiresGrad_();
  assert.equal(x.isContiguous(), false);
  return x;
}

/** A float64 leaf with every |entry| ≥ margin away from each value in `avoid` (no kinks, no ties). */
function awayFrom(shape: number[], avoid: number[], margin = 0.1): Tensor {
  const x = randn(shape, { dtype: 'float64' });
  const data = x.dataSync();
  for (let i = 0; i < data.length; i++) {
    for (const a of avoid) {
      if (Math.abs(data[i] - a) < margin) data[i] = a + (data[i] >= a ? margin : -margin) * 2;
    }
  }
  return tensor(Array.from(data), { dtype: 'float64', shape, requiresGrad: true });
}

/** A float64 leaf whose entries are all distinct by at least 0.05 (so max/min have no ties). */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = randn([n]).dataSync();
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => perm[a] - perm[b]);
  const data = new Float64Array(n);
  order.forEach((k, rank) => (data[k] = (rank - n / 2) * 0.1 + 0.01 * perm[k]));
  return tensor(data, { shape, requiresGrad: true });
}

function check(fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[]): void {
  assert.equal(gradcheck(fn, inputs), true);
}

describe('gradcheck: elementwise binary ops with broadcasting', () => {
  test('add, sub, mul, div: same shape', () => {
    for (const op of [add, sub, mul, div]) check((a, b) => op(a, b), [rnd(2, 3), pos([2, 3])]);
  });
  test('add, sub, mul, div: broadcasting [2,3] with [3] and [2,1] with [1,3]', () => {
    for (const op of [add, sub, mul, div]) {
      check((a, b) => op(a, b), [rnd(2, 3), pos([3])]);
      check((a, b) => op(a, b), [rnd(2, 1), pos([1, 3])]);
    }
  });
  test('add/sub with alpha, and with a number', () => {
    check((a, b) => add(a, b, { alpha: -2.5 }), [rnd(3), rnd(2, 3)]);
    check((a, b) => sub(a, b, { alpha: 0.5 }), [rnd(2, 3), rnd(3)]);
    check((a) => add(sub(mul(div(a, 3), 2), 1), 4), [rnd(4)]);
    check((a) => div(2, a), [pos([4])]);
  });
  test('non-contiguous operands', () => {
    check((a, b) => mul(a, b), [rndT(3, 2), rnd(3, 2)]);
    check((a, b) => div(a, b), [rnd(3, 2), pos([2, 3]).t().detach().requiresGrad_()]);
  });
  test('pow: tensor exponent (both inputs)', () => {
    check((a, b) => pow(a, b), [pos([2, 3]), rnd(2, 3)]);
    check((a, b) => pow(a, b), [pos([2, 3]), rnd(3)]);
  });
  test('pow: scalar exponents', () => {
    check((a) => pow(a, 2), [rnd(2, 3)]);
    check((a) => pow(a, 3), [rnd(4)]);
    check((a) => pow(a, 0.5), [pos([4])]);
    check((a) => pow(a, -1.5), [pos([4])]);
  });
  test('pow: scalar base', () => {
    check((b) => pow(2, b), [rnd(4)]);
  });
  test('maximum, minimum (no ties), with broadcasting', () => {
    check((a, b) => maximum(a, b), [rnd(2, 3), rnd(3)]);
    check((a, b) => minimum(a, b), [rnd(2, 3), rnd(2, 1)]);
    check((a) => maximum(a, 0.25), [awayFrom([5], [0.25])]);
  });
  test('maximum/minimum split the gradient evenly at ties, as PyTorch', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1, 5, 0], { dtype: 'float64', requiresGrad: true });
    maximum(a, b).sum().backward();
    assert.deepEqual(a.grad!.toArray(), [0.5, 0, 1]);
    assert.deepEqual(b.grad!.toArray(), [0.5, 1, 0]);
  });
  test('where: gradient to both branches, broadcast condition', () => {
    const cond = tensor([true, false, true]);
    check((a, b) => where(cond, a, b), [rnd(2, 3), rnd(2, 3)]);
    check((a, b) => where(cond, a, b), [rnd(2, 1), rnd(3)]);
    check((a) => where(cond, a, 0), [rnd(3)]);
  });
});

describe('gradcheck: elementwise unary ops', () => {
  test('neg, exp, log, log1p, sqrt', () => {
    check((a) => neg(a), [rnd(2, 3)]);
    check((a) => exp(a), [rnd(2, 3)]);
    check((a) => log(a), [pos([2, 3])]);
    check((a) => log1p(a), [pos([2, 3], -0.5, 2)]);
    check((a) => sqrt(a), [pos([2, 3])]);
  });
  test('abs away from 0', () => {
    check((a) => abs(a), [awayFrom([2, 3], [0])]);
  });
  test('clamp: min and max, min only, max only (away from the bounds)', () => {
    check((a) => clamp(a, -0.5, 0.5), [awayFrom([3, 3], [-0.5, 0.5])]);
    check((a) => clamp(a, 0), [awayFrom([6], [0])]);
    check((a) => clamp(a, null, 0.3), [awayFrom([6], [0.3])]);
  });
  test('unary ops on non-contiguous inputs', () => {
    check((a) => exp(a), [rndT(2, 3)]);
    check((a) => sqrt(a), [pos([3, 2]).t().detach().requiresGrad_()]);
    check((a) => exp(a.slice(1, 0, 4, 2)), [rnd(2, 4)]);
  });
});

describe('gradcheck: reductions', () => {
  test('sum: all, one dim, several dims, keepdim, negative dim', () => {
    check((a) => sum(a), [rnd(2, 3)]);
    check((a) => sum(a, 1), [rnd(2, 3)]);
    check((a) => sum(a, [0, 2]), [rnd(2, 3, 2)]);
    check((a) => sum(a, -1, true), [rnd(2, 3)]);
    check((a) => sum(a, 0), [rndT(2, 3)]);
  });
  test('mean: all, dims, keepdim', () => {
    check((a) => mean(a), [rnd(2, 3)]);
    check((a) => mean(a, 0), [rnd(2, 3)]);
    check((a) => mean(a, [1, 2], true), [rnd(2, 2, 3)]);
  });
  test('amax, amin: all dims and along dims (distinct values)', () => {
    check((a) => amax(a), [distinct([2, 3])]);
    check((a) => amin(a), [distinct([2, 3])]);
    check((a) => amax(a, 1), [distinct([2, 3])]);
    check((a) => amin(a, [0, 2], true), [distinct([2, 3, 2])]);
  });
  test('amax shares the gradient evenly among tied maxima, as PyTorch', () => {
    const a = tensor([1, 3, 3, 2], { dtype: 'float64', requiresGrad: true });
    amax(a).backward();
    assert.deepEqual(a.grad!.toArray(), [0, 0.5, 0.5, 0]);
  });
  test('max/min with dim: values (keepdim and not); plain max()/min()', () => {
    check((a) => a.max(1).values, [distinct([3, 4])]);
    check((a) => a.min(0, true).values, [distinct([3, 4])]);
    check((a) => a.max(-1).values, [distinct([2, 2, 3])]);
    check((a) => a.max(), [distinct([2, 3])]);
    check((a) => a.min(), [distinct([2, 3])]);
  });
  test('var and std: default (unbiased), correction 0, dims, keepdim', () => {
    check((a) => variance(a), [rnd(2, 3)]);
    check((a) => variance(a, 1, { correction: 0 }), [rnd(2, 3)]);
    check((a) => variance(a, 0, { keepdim: true }), [rnd(3, 2)]);
    check((a) => std(a), [rnd(2, 3)]);
    check((a) => std(a, 1, { unbiased: false }), [rnd(2, 4)]);
    check((a) => std(a, [0, 1]), [rndT(2, 3)]);
  });
  test('logsumexp: one dim, all dims, keepdim, large values', () => {
    check((a) => logsumexp(a, 1), [rnd(2, 3)]);
    check((a) => logsumexp(a, undefined), [rnd(2, 3)]);
    check((a) => logsumexp(a, 0, true), [rnd(3, 2)]);
    check((a) => logsumexp(a.mul(1).add(500), -1), [rnd(2, 3)]);
  });
});

describe('gradcheck: matrix products', () => {
  test('matmul: 1-d·1-d, 1-d·2-d, 2-d·1-d, 2-d·2-d', () => {
    check((a, b) => matmul(a, b), [rnd(3), rnd(3)]);
    check((a, b) => matmul(a, b), [rnd(3), rnd(3, 2)]);
    check((a, b) => matmul(a, b), [rnd(2, 3), rnd(3)]);
    check((a, b) => matmul(a, b), [rnd(2, 3), rnd(3, 4)]);
  });
  test('matmul: batched, broadcast batch dims, batched with 1-d', () => {
    check((a, b) => matmul(a, b), [rnd(2, 2, 3), rnd(2, 3, 2)]);
    check((a, b) => matmul(a, b), [rnd(2, 2, 3), rnd(3, 2)]);
    check((a, b) => matmul(a, b), [rnd(2, 1, 2, 3), rnd(3, 3, 2)]);
    check((a, b) => matmul(a, b), [rnd(2, 2, 3), rnd(3)]);
    check((a, b) => matmul(a, b), [rnd(3), rnd(2, 3, 2)]);
  });
  test('addmm: bias [N], [M,1], full; beta/alpha; beta 0; a frozen operand', () => {
    check((c, a, b) => addmm(c, a, b), [rnd(4), rnd(3, 2), rnd(2, 4)]);
    check((c, a, b) => addmm(c, a, b), [rnd(3, 1), rnd(3, 2), rndT(2, 4)]);
    check((c, a, b) => addmm(c, a, b, { beta: 0.5, alpha: -2 }), [rnd(3, 4), rnd(3, 2), rnd(2, 4)]);
    check((c, a, b) => addmm(c, a, b, { beta: 0 }), [rnd(4), rnd(3, 2), rnd(2, 4)]);
    const frozen = rnd(3, 2).detach();
    check((c, b) => addmm(c, frozen, b), [rnd(4), rnd(2, 4)]);
  });
  test('matmul: non-contiguous operands', () => {
    check((a, b) => matmul(a, b), [rndT(2, 3), rndT(3, 2)]);
    check((a, b) => matmul(a.permute(1, 0, 2), b), [rnd(3, 2, 2), rnd(2, 2)]);
  });
  test('mm and bmm', () => {
    check((a, b) => mm(a, b), [rnd(2, 3), rnd(3, 2)]);
    check((a, b) => bmm(a, b), [rnd(2, 2, 3), rnd(2, 3, 2)]);
  });
});

describe('gradcheck: views and shape ops', () => {
  test('reshape (view-able and copying), view, flatten', () => {
    check((a) => a.reshape(3, 2).mul(a.reshape([3, 2])), [rnd(2, 3)]);
    check((a) => a.reshape(-1).exp(), [rndT(2, 3)]); // non-contiguous: reshape copies
    check((a) => a.view(3, 1, 2).exp(), [rnd(2, 3)]);
    check((a) => a.flatten().exp(), [rnd(2, 2, 2)]);
    check((a) => a.flatten(1).exp(), [rnd(2, 2, 2)]);
  });
  test('squeeze and unsqueeze', () => {
    check((a) => a.squeeze().exp(), [rnd(2, 1, 3, 1)]);
    check((a) => a.squeeze(1).exp(), [rnd(2, 1, 3)]);
    check((a) => a.unsqueeze(0).mul(a.unsqueeze(-1)), [rnd(3)]);
  });
  test('permute, transpose, t', () => {
    check((a) => a.permute(2, 0, 1).mul(tensor([1, 2, 3], { dtype: 'float64' })), [rnd(2, 2, 3).permute(1, 2, 0).detach().requiresGrad_()]);
    check((a) => a.permute(2, 0, 1).exp(), [rnd(2, 3, 2)]);
    check((a) => a.transpose(0, 2).exp(), [rnd(2, 3, 2)]);
    check((a) => a.t().matmul(a), [rnd(3, 2)]);
  });
  test('expand (new leading dims and size-1 dims)', () => {
    check((a) => a.expand(2, 3, 4).exp(), [rnd(3, 1)]);
    check((a) => a.expand(-1, 3).mul(tensor([1, 2, 3], { dtype: 'float64' })), [rnd(2, 1)]);
  });
  test('contiguous and clone', () => {
    check((a) => a.t().contiguous().exp(), [rnd(2, 3)]);
    check((a) => a.contiguous().exp(), [rnd(2, 3)]);
    check((a) => a.clone().mul(a), [rndT(2, 3)]);
  });
  test('slice (with step, negative bounds), narrow, select', () => {
    check((a) => a.slice(1, 1, 5, 2).exp(), [rnd(2, 6)]);
    check((a) => a.slice(0, -2).exp(), [rnd(4, 2)]);
    check((a) => a.slice(1, 0, 6, 3).mul(a.slice(1, 1, 6, 3)), [rnd(2, 6)]);
    check((a) => a.narrow(0, 1, 2).exp(), [rnd(4, 2)]);
    check((a) => a.select(1, -1).exp(), [rnd(3, 3)]);
    check((a) => a.select(0, 1).exp(), [rndT(3, 2)]);
  });
});

describe('gradcheck: joining and splitting', () => {
  test('cat along each dim, with broadcasting-free mixed inputs', () => {
    check((a, b) => cat([a, b], 0), [rnd(1, 3), rnd(2, 3)]);
    check((a, b) => cat([a, b, a], -1), [rnd(2, 1), rndT(2, 2)]);
  });
  test('stack', () => {
    check((a, b) => stack([a, b]), [rnd(2, 3), rnd(2, 3)]);
    check((a, b) => stack([a, b], 2), [rnd(2, 3), rnd(2, 3)]);
  });
  test('split and chunk (multiple outputs)', () => {
    check((a) => split(a, 2, 1), [rnd(2, 5)]);
    check((a) => split(a, [1, 3], 0), [rnd(4, 2)]);
    check((a) => chunk(a, 3, 1), [rnd(2, 5)]);
    check((a) => a.chunk(2).map((c) => c.exp()), [rnd(4, 2)]);
  });
});

describe('gradcheck: indexing', () => {
  const idx = (data: number[][] | number[]) => tensor(data, { dtype: 'int32' });
  test('indexSelect along dims 0 and 1, with repeats', () => {
    check((a) => a.indexSelect(0, idx([2, 0, 2])), [rnd(3, 2)]);
    check((a) => a.indexSelect(1, idx([1, 1])), [rndT(2, 3)]);
  });
  test('gather along dims 0 and 1 (repeated indices accumulate)', () => {
    check((a) => a.gather(1, idx([[0, 0, 2], [1, 2, 1]])), [rnd(2, 3)]);
    check((a) => a.gather(0, idx([[1, 0], [1, 1]])), [rnd(2, 3)]);
  });
  test('scatterAdd: gradient to self and to src', () => {
    check((a, s) => a.scatterAdd(1, idx([[0, 0], [2, 1]]), s), [rnd(2, 3), rnd(2, 2)]);
    check((a, s) => a.scatterAdd(0, idx([[1, 0, 1]]), s), [rnd(2, 3), rnd(2, 3)]);
  });
  test('maskedFill (broadcast mask)', () => {
    const mask = tensor([[true], [false]]);
    check((a) => a.maskedFill(mask, -3), [rnd(2, 3)]);
    check((a) => a.maskedFill(tensor([false, true, false]), 0), [rndT(2, 3)]);
  });
});

describe('gradcheck: activations', () => {
  test('relu, leakyRelu, elu away from 0', () => {
    check((a) => relu(a), [awayFrom([2, 4], [0])]);
    check((a) => leakyRelu(a), [awayFrom([2, 4], [0])]);
    check((a) => leakyRelu(a, 0.2), [awayFrom([8], [0])]);
    check((a) => elu(a), [awayFrom([2, 4], [0])]);
    check((a) => elu(a, 0.5), [awayFrom([8], [0])]);
  });
  test('sigmoid, tanh, softplus (both sides of the threshold)', () => {
    check((a) => sigmoid(a), [rnd(2, 3)]);
    check((a) => tanh(a), [rndT(2, 3)]);
    check((a) => softplus(a), [rnd(2, 3)]);
    check((a) => softplus(a, 2, 1), [awayFrom([8], [0.5])]);
  });
  test('softmax and logSoftmax along each dim', () => {
    check((a) => softmax(a, 1), [rnd(2, 3)]);
    check((a) => softmax(a, 0), [rndT(3, 2)]);
    check((a) => logSoftmax(a, -1), [rnd(2, 3)]);
    check((a) => logSoftmax(a, 1), [rnd(2, 3, 2)]);
  });
});

describe('gradcheck: dtype conversion', () => {
  test('to(float64) of a float64 tensor is the identity', () => {
    const x = rnd(3);
    assert.equal(x.to('float64'), x);
    check((a) => a.to('float64'), [x]);
    check((a) => a.to('float64').mul(a), [rnd(2, 2)]);
  });
  test('to(float32) sends a float64 gradient of the right shape back', () => {
    const x = tensor([[0.5, -1], [2, 3]], { dtype: 'float64', requiresGrad: true });
    const y = x.to('float32');
    assert.equal(y.dtype, 'float32');
    assert.equal(y.gradFn!.name, 'ToCopyBackward0');
    y.mul(tensor([[1, 2], [3, 4]])).sum().backward();
    assert.equal(x.grad!.dtype, 'float64');
    assert.deepEqual(x.grad!.shape, [2, 2]);
    assert.deepEqual(x.grad!.toArray(), [[1, 2], [3, 4]]);
  });
  test('float32 → float64 → float32 round trip keeps the gradient float32', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.to('float64').mul(2).to('float32').sum().backward();
    assert.equal(x.grad!.dtype, 'float32');
    assert.deepEqual(x.grad!.toArray(), [2, 2, 2]);
  });
});

describe('gradcheck: composed expressions and several inputs', () => {
  test('a small MLP layer: tanh(x @ W + b) summed with softmax', () => {
    check((x, w, b) => softmax(tanh(matmul(x, w).add(b)), 1), [rnd(2, 3), rnd(3, 2), rnd(2)]);
  });
  test('an input used several times', () => {
    check((a) => a.mul(a).add(a.exp()).sum(0), [rnd(2, 2)]);
  });
  test('inputs that do not require grad are left alone', () => {
    const c = randn([3], { dtype: 'float64' });
    check((a, k) => a.mul(k), [rnd(3), c]);
    assert.equal(c.grad, null);
  });
});

describe('gradcheck itself', () => {
  /** x² with a deliberately wrong gradient rule (g·x instead of 2·g·x). */
  function wrongSquare(x: Tensor): Tensor {
    const out = x.detach().mul(x.detach());
    return record('WrongSquareBackward', out, [x], (g, [sx]) => [g.mul(sx)], [x]);
  }
  /** x² with the right rule, recorded the same way, so the failure above is due to the rule alone. */
  function rightSquare(x: Tensor): Tensor {
    const out = x.detach().mul(x.detach());
    return record('RightSquareBackward', out, [x], (g, [sx]) => [g.mul(sx).mul(2)], [x]);
  }
  test('passes for a correct custom rule', () => {
    check((a) => rightSquare(a), [rnd(3)]);
  });
  test('throws for a wrong gradient rule, naming the input, element and both values', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    assert.throws(() => gradcheck((a) => wrongSquare(a), [x]), /gradcheck: Jacobian mismatch .*input 0 \[3\] element 0: analytic 1, numerical 2/);
  });
  test('throws for a rule that drops the gradient of one input', () => {
    const dropB = (a: Tensor, b: Tensor): Tensor => {
      const out = a.detach().add(b.detach());
      return record('DropBackward', out, [a, b], (g) => [g, null]);
    };
    assert.throws(() => gradcheck(dropB, [rnd(2), rnd(2)]), /w\.r\.t\. input 1 \[2\].*analytic 0, numerical (1\b|0\.9999)/);
  });
  test('refuses float32 inputs', () => {
    assert.throws(() => gradcheck((a) => a.exp(), [randn([2], { requiresGrad: true })]), /gradcheck: input 0 \[2\] is float32/);
  });
});

describe('activation gradients (fused tanh/sigmoid/threshold backward)', () => {
  const activations: [string, (x: Tensor) => Tensor][] = [['tanh', tanh], ['sigmoid', sigmoid], ['relu', relu]];
  for (const [name, f] of activations) {
    test(`${name}: the gradient rule is differentiable in x and in the upstream gradient (double backward)`, () => {
      const x = name === 'relu' ? awayFrom([3, 4], [0]) : rnd(3, 4);
      const gy = rnd(3, 4);
      check((xi, gi) => enableGrad(() => f(xi).gradFn!.apply(gi)[0]!), [x, gy]);
    });
  }
  test('float32 results equal the composite ops bit for bit (PyTorch rounds each step to float32)', () => {
    manualSeed(5);
    const y = randn([1000]).tanh();
    const g = randn([1000]);
    const same = (a: Tensor, b: Tensor): void => assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    const x = y.detach().requiresGrad_();
    const grad = (h: (t: Tensor) => Tensor): Tensor => h(x).gradFn!.apply(g)[0]!;
    const ty = tanh(x).detach();
    same(grad(tanh), g.mul(sub(1, ty.mul(ty))));
    const sy = sigmoid(x).detach();
    same(grad(sigmoid), g.mul(sy.mul(sub(1, sy))));
    // PyTorch's threshold_backward: 0 where the output is ≤ 0, even for a NaN or infinite gradient.
    const inf = tensor([Infinity, NaN, 2, -3]);
    const at = tensor([-1, 0, 0.5, 2], { requiresGrad: true });
    assert.deepEqual(Array.from(relu(at).gradFn!.apply(inf)[0]!.dataSync()), [0, 0, 2, -3]);
  });
});
