/**
 * Autograd semantics, as PyTorch defines them: leaves and `.grad`, accumulation, noGrad, detach,
 * retainGraph, in-place checks, retainGrad, explicit gradients, deep graphs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enableGrad, isGradEnabled, noGrad, ones, randn, tensor, zeros } from '../src/index.js';

describe('requiresGrad and leaves', () => {
  test('only floating-point tensors can require grad', () => {
    assert.equal(tensor([1.5], { requiresGrad: true }).requiresGrad, true);
    assert.equal(tensor([1.5], { dtype: 'float64', requiresGrad: true }).requiresGrad, true);
    assert.throws(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true }), /requiresGrad: .*floating-point.*int32/);
    assert.throws(() => tensor([true]).requiresGrad_(), /requiresGrad: .*floating-point.*bool/);
    assert.throws(() => {
      zeros([2], { dtype: 'int32' }).requiresGrad = true;
    }, /requiresGrad: .*int32/);
  });

  test('tensors default to requiresGrad false; ops of grad inputs require grad', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4], { requiresGrad: true });
    assert.equal(a.requiresGrad, false);
    assert.equal(a.add(a).requiresGrad, false);
    assert.equal(a.add(a).gradFn, null);
    assert.equal(a.add(b).requiresGrad, true);
  });

  test('isLeaf and gradFn.name', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    const z = y.add(x).sum();
    assert.equal(x.isLeaf, true);
    assert.equal(x.gradFn, null);
    assert.equal(y.isLeaf, false);
    assert.equal(y.gradFn!.name, 'MulBackward0');
    assert.equal(y.add(x).gradFn!.name, 'AddBackward0');
    assert.equal(z.gradFn!.name, 'SumBackward0');
    assert.equal(y.sum(0).gradFn!.name, 'SumBackward1');
    assert.equal(x.exp().gradFn!.name, 'ExpBackward0');
    assert.equal(x.reshape(3, 1).gradFn!.name, 'ViewBackward0');
    assert.equal(x.unsqueeze(0).matmul(ones([3, 2])).gradFn!.name, 'MmBackward0');
    // A tensor that doesn't require grad is a leaf too.
    assert.equal(tensor([1]).add(1).isLeaf, true);
  });

  test('only leaves can change requiresGrad', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2);
    assert.throws(() => {
      y.requiresGrad = false;
    }, /requiresGrad: can only change the flag of leaf tensors; this one comes from MulBackward0/);
  });
});

describe('backward and .grad', () => {
  test('gradients of a simple expression, checked by hand', () => {
    // f = Σ (x·w + x²), df/dx = w + 2x, df/dw = x
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const w = tensor([0.5, 4, -1], { requiresGrad: true });
    x.mul(w).add(x.mul(x)).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [2.5, 0, 5]);
    assert.deepEqual(w.grad!.toArray(), [1, -2, 3]);
  });

  test('a first .grad never aliases another tensor: shared gradients are copied, a rule\'s own output taken', () => {
    // add's rule hands the same gradient to both inputs; a view's rule hands back a view of its
    // output gradient; mul's rule makes a gradient of its own per input (taken without a copy).
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    a.add(b).sum().backward();
    assert.notEqual(a.grad!.storage, b.grad!.storage);
    a.grad!.mul_(2);
    assert.deepEqual(b.grad!.toArray(), [1, 1, 1]);
    const c = tensor([1, 2, 3, 4], { requiresGrad: true });
    const d = tensor([5, 6, 7, 8], { requiresGrad: true });
    const cv = c.reshape([2, 2]);
    cv.mul(d.reshape([2, 2])).sum().backward();
    assert.deepEqual(c.grad!.toArray(), [5, 6, 7, 8]);
    assert.deepEqual(d.grad!.toArray(), [1, 2, 3, 4]);
    assert.notEqual(c.grad!.storage, d.grad!.storage);
    // x·x: one leaf, two gradients from one rule; the second is added, never in place.
    const x = tensor([3], { requiresGrad: true });
    x.mul(x).backward();
    assert.deepEqual(x.grad!.toArray(), [6]);
    // An explicit gradient passed to backward is the caller's: .grad is a copy of it.
    const r = tensor([1, 2], { requiresGrad: true });
    const seed = tensor([7, 8]);
    r.backward(seed);
    seed.mul_(0);
    assert.deepEqual(r.grad!.toArray(), [7, 8]);
    const s = tensor([1, 2], { requiresGrad: true });
    const g = tensor([3, 4]);
    s.mul(1).backward(g);
    g.mul_(0);
    assert.deepEqual(s.grad!.toArray(), [3, 4]);
  });

  test('.grad accumulates over two backward calls into leaves', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [3, 3]);
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [5, 7]);
  });

  test('a tensor used twice gets the sum of both gradients', () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(5);
    // z = y + y·x = 5x + 5x², dz/dx = 5 + 10x = 25
    y.add(y.mul(x)).backward();
    assert.deepEqual(x.grad!.toArray(), [25]);
  });

  test('zeroing gradients: x.grad = null and x.grad.zero_()', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(2).sum().backward();
    x.grad = null;
    x.mul(3).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [3, 3]);
    x.grad!.zero_();
    assert.deepEqual(x.grad!.toArray(), [0, 0]);
    x.mul(4).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [4, 4]);
  });

  test('.grad does not require grad and does not alias the incoming gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const g = tensor([10, 20]);
    x.mul(1).backward(g);
    assert.equal(x.grad!.requiresGrad, false);
    assert.notEqual(x.grad!.storage, g.storage);
    g.fill_(0);
    assert.deepEqual(x.grad!.toArray(), [10, 20]);
  });

  test('backward on a leaf seeds its own grad', () => {
    const x = tensor(3, { requiresGrad: true });
    x.backward();
    assert.equal(x.grad!.item(), 1);
  });

  test('backward on a non-scalar without a gradient throws naming the shape', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), /backward: .*implicitly only for one-element outputs.*shape \[2,3\]/);
  });

  test('backward with an explicit gradient (vector-Jacobian product)', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x); // dy/dx = 2x
    y.backward(tensor([[1, 0.5], [-1, 2]]));
    assert.deepEqual(x.grad!.toArray(), [[2, 2], [-6, 16]]);
  });

  test('explicit gradient of the wrong shape throws naming both shapes', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(tensor([1, 2, 3])), /backward: gradient has shape \[3\], the output has \[2\]/);
  });

  test('backward on a tensor that does not require grad throws', () => {
    assert.throws(() => tensor([1]).sum().backward(), /backward: the tensor does not require grad/);
  });

  test('intermediate tensors keep no .grad unless retainGrad()', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const z = x.mul(3).retainGrad();
    y.sum().backward();
    assert.equal(y.grad, null);
    z.mul(z).sum().backward();
    assert.equal(z.retainsGrad, true);
    assert.deepEqual(z.grad!.toArray(), [6, 12]);
    assert.deepEqual(x.grad!.toArray(), [3 + 18, 3 + 36]);
  });

  test('retainGrad on a tensor that does not require grad throws', () => {
    assert.throws(() => tensor([1]).retainGrad(), /retainGrad: /);
  });

  test('gradients of a leaf that is reached only through a non-differentiable path are null', () => {
    const x = tensor([1, -2], { requiresGrad: true });
    const w = tensor([1, 1], { requiresGrad: true });
    // gt() is not differentiable: x's only path to the loss goes through a bool mask.
    w.mul(x.gt(0)).sum().backward();
    assert.equal(x.grad, null);
    assert.deepEqual(w.grad!.toArray(), [1, 0]);
  });
});

describe('noGrad and detach', () => {
  test('noGrad records nothing and restores the mode, also after a throw', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => {
      assert.equal(isGradEnabled(), false);
      return x.mul(2).exp();
    });
    assert.equal(isGradEnabled(), true);
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
    assert.equal(isGradEnabled(), true);
  });

  test('enableGrad inside noGrad records again', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => enableGrad(() => x.mul(2)));
    assert.equal(y.requiresGrad, true);
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [2]);
  });

  test('detach stops gradients and shares storage', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(3).detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
    const x2 = x.detach();
    assert.equal(x2.storage, x.storage);
    assert.deepEqual(x2.toArray(), [1, 2]);
    // f = x·d, with d treated as a constant: df/dx = d = 3x.
    x.mul(d).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [3, 6]);
    // Writes through the detached tensor show in the original.
    noGrad(() => x2.add_(10));
    assert.deepEqual(x.toArray(), [11, 12]);
  });
});

describe('retainGraph', () => {
  test('without it, a second backward through the same graph throws mentioning retainGraph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), /backward: trying to backward through \w+ a second time.*retainGraph/);
  });

  test('with retainGraph: true, a second backward works and accumulates', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [4, 8]);
    assert.throws(() => y.backward(), /retainGraph/);
  });
});

describe('in-place operations and saved tensors', () => {
  test('changing a saved input in place (under noGrad) makes backward throw mentioning in-place', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    const y = x.mul(w).sum();
    noGrad(() => w.add_(1));
    assert.throws(() => y.backward(), /backward: a tensor of shape \[2\] needed by MulBackward0 was modified by an in-place operation/);
  });

  test('changing a saved non-grad input in place also makes backward throw', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4]);
    const y = x.mul(w).sum();
    w.mul_(2);
    assert.throws(() => y.backward(), /in-place/);
  });

  test('changing a saved output through a detached alias makes backward throw', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const e = x.exp();
    e.detach().zero_();
    assert.throws(() => e.sum().backward(), /ExpBackward0 was modified by an in-place operation/);
  });

  test('changing a tensor that no node saved is fine', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const b = tensor([5, 5]);
    const y = x.add(b).sum(); // add saves nothing: its gradient does not read b
    b.fill_(0);
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [1, 1]);
  });

  test('in-place ops on a leaf that requires grad throw outside noGrad, work inside', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => x.add_(1), /add_: in-place ops .*requires grad \[2\].*noGrad/);
    assert.throws(() => x.zero_(), /zero_: in-place/);
    assert.throws(() => x.select(0, 0).mul_(2), /in-place/);
    noGrad(() => x.sub_(tensor([0.5, 0.5])));
    assert.deepEqual(x.toArray(), [0.5, 1.5]);
    assert.equal(x.requiresGrad, true);
    assert.equal(x.isLeaf, true);
  });

  test('copying a tensor that requires grad into a plain one in place throws', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => zeros(2).copy_(x), /copy_: in-place/);
  });

  test('a manual SGD step (noGrad + sub_) keeps parameters as leaves and training works', () => {
    // Minimise (w - 3)² by gradient descent.
    const w = tensor([0], { requiresGrad: true });
    for (let i = 0; i < 50; i++) {
      const loss = w.sub(3).pow(2).sum();
      loss.backward();
      noGrad(() => w.sub_(w.grad!.mul(0.1)));
      w.grad = null;
    }
    assert.ok(Math.abs(w.item() - 3) < 1e-4, `w = ${w.item()}`);
    assert.equal(w.isLeaf, true);
  });
});

describe('deep graphs', () => {
  test('a chain of 5000 ops backpropagates without overflowing the stack', () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 5000; i++) y = y.mul(1.0001);
    y.sum().backward();
    assert.ok(Math.abs(x.grad!.item() - Math.pow(1.0001, 5000)) < 1e-3);
  });

  test('a chain of 20000 adds with a shared input', () => {
    const x = tensor([1], { dtype: 'float64', requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(x);
    y.sum().backward();
    assert.equal(x.grad!.item(), 20001);
  });

  test('a diamond graph: each path contributes once', () => {
    const x = randn([3], { dtype: 'float64', requiresGrad: true });
    const a = x.mul(2);
    const b = a.exp();
    const c = a.sin();
    b.add(c).sum().backward();
    const xv = x.dataSync();
    const g = x.grad!.dataSync();
    for (let i = 0; i < 3; i++) {
      const expected = 2 * Math.exp(2 * xv[i]) + 2 * Math.cos(2 * xv[i]);
      assert.ok(Math.abs(g[i] - expected) < 1e-12, `element ${i}: ${g[i]} vs ${expected}`);
    }
  });
});

describe('gradients only where needed', () => {
  test('backward through matmul and mul skips the products for inputs that need no gradient', () => {
    const x = randn([4, 3]);
    const w = randn([3, 2], { requiresGrad: true });
    const be = w.backend;
    const original = be.matmul.bind(be);
    let calls = 0;
    be.matmul = (...args: Parameters<typeof be.matmul>) => {
      calls++;
      return original(...args);
    };
    try {
      const y = x.matmul(w).mul(x.sum(1, true));
      calls = 0;
      y.sum().backward();
      // Only w's gradient, xᵀ·g: the input's g·wᵀ is never formed.
      assert.equal(calls, 1);
    } finally {
      be.matmul = original;
    }
    assert.deepEqual(w.grad?.shape, [3, 2]);
    assert.equal(x.grad, null);
  });
});

test("a product with a transposed weight view (Linear's x·Wᵀ) gives the weight a contiguous gradient, equal to gᵀ·x", () => {
  const x = randn([5, 3]);
  const w = randn([4, 3], { requiresGrad: true });
  const g = randn([5, 4]);
  x.matmul(w.t()).backward(g);
  assert.ok(w.grad?.isContiguous(), 'no strided gradient left to copy');
  const expected = g.t().matmul(x).dataSync();
  const got = w.grad!.dataSync();
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(got[i] - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])), `element ${i}`);
  // The gradient is taken as made (no copy) and is the weight's alone: a second pass accumulates
  // into a new tensor, leaving the first one's values where another holder would see them.
  const first = w.grad!;
  const before = first.toArray();
  x.matmul(w.t()).backward(g);
  assert.notEqual(w.grad!.storage, first.storage);
  assert.deepEqual(first.toArray(), before);
  const twice = w.grad!.dataSync();
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(twice[i] - 2 * expected[i]) <= 2e-5 * (1 + Math.abs(expected[i])), `element ${i} after two passes`);
});
