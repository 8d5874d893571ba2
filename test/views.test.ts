/**
 * Views: which shape ops share storage with their input (and see writes through it), which copy,
 * and how split/chunk size their pieces (as PyTorch does).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { arange, chunk, noGrad, split, tensor, zeros, type Tensor } from '../src/index.js';

/** A fresh [2,3,4] float tensor 0…23 that requires grad (so writes must go through noGrad). */
function base(): Tensor {
  return arange(24, undefined, 1, { dtype: 'float32' }).reshape(2, 3, 4).detach().requiresGrad_();
}

describe('view ops share storage with their input', () => {
  const viewOps: [string, (x: Tensor) => Tensor][] = [
    ['reshape', (x) => x.reshape(6, 4)],
    ['reshape with -1', (x) => x.reshape(-1)],
    ['view', (x) => x.view(4, 6)],
    ['flatten', (x) => x.flatten(1)],
    ['transpose', (x) => x.transpose(0, 2)],
    ['permute', (x) => x.permute(1, 2, 0)],
    ['t of a matrix', (x) => x.select(0, 1).t()],
    ['slice', (x) => x.slice(2, 1, 3)],
    ['slice with step', (x) => x.slice(2, 0, 4, 2)],
    ['select', (x) => x.select(1, 2)],
    ['narrow', (x) => x.narrow(1, 1, 2)],
    ['expand', (x) => x.slice(0, 0, 1).expand(5, 3, 4)],
    ['unsqueeze', (x) => x.unsqueeze(1)],
    ['squeeze', (x) => x.slice(1, 0, 1).squeeze(1)],
    ['split', (x) => x.split(2, 2)[1]],
    ['chunk', (x) => x.chunk(3, 1)[2]],
    ['detach', (x) => x.detach()],
  ];

  for (const [name, op] of viewOps) {
    test(`${name}: same storage, and writes through the base are visible`, () => {
      const x = base();
      const v = op(x);
      assert.equal(v.storage, x.storage, 'shares storage');
      const before = Array.from(v.dataSync());
      noGrad(() => x.add_(100));
      const after = Array.from(v.dataSync());
      assert.deepEqual(after, before.map((b) => b + 100));
    });
  }

  test('writes through a view are visible in the base', () => {
    const x = zeros(3, 4);
    x.select(0, 1).fill_(7);
    x.slice(1, 0, 4, 3).add_(1);
    x.t().select(0, 2).mul_(0).add_(-1);
    assert.deepEqual(x.toArray(), [
      [1, 0, -1, 1],
      [8, 7, -1, 8],
      [1, 0, -1, 1],
    ]);
  });

  test('view strides and offsets are as in PyTorch', () => {
    const x = base();
    assert.deepEqual(x.strides, [12, 4, 1]);
    assert.deepEqual(x.transpose(0, 2).strides, [1, 4, 12]);
    assert.deepEqual(x.permute(2, 0, 1).strides, [1, 12, 4]);
    const s = x.slice(2, 1, 4, 2);
    assert.deepEqual([s.shape, s.strides, s.offset], [[2, 3, 2], [12, 4, 2], 1]);
    const e = x.select(0, 1).slice(0, 1, 2).expand(2, 3, 4);
    assert.deepEqual([e.shape, e.strides, e.offset], [[2, 3, 4], [0, 0, 1], 16]);
    assert.deepEqual(x.select(1, -1).offset, 8);
    assert.deepEqual(x.narrow(2, 2, 2).toArray(), [
      [[2, 3], [6, 7], [10, 11]],
      [[14, 15], [18, 19], [22, 23]],
    ]);
  });

  test('reshape of a transposed tensor that can still be viewed shares storage', () => {
    const x = base();
    // Merging dims 1 and 2 of a tensor whose dim 0 is permuted keeps a viewable layout.
    const y = x.permute(1, 2, 0).reshape(12, 2);
    assert.equal(y.storage, x.storage);
    assert.deepEqual(y.strides, [1, 12]);
  });
});

describe('copies', () => {
  test('reshape of a non-contiguous tensor copies, with the right values', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const y = x.t().reshape(-1);
    assert.notEqual(y.storage, x.storage);
    assert.deepEqual(y.toArray(), [1, 4, 2, 5, 3, 6]);
    x.fill_(0);
    assert.deepEqual(y.toArray(), [1, 4, 2, 5, 3, 6]);
  });

  test('view of a non-viewable layout throws naming shapes and strides; reshape works', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.throws(() => x.t().view(6), /view: shape \[6\] is not compatible with the input's size \[3,2\] and strides \[1,3\]; use reshape\(\)/);
    assert.throws(() => x.slice(1, 0, 3, 2).view(-1), /view: shape \[4\] is not compatible/);
    assert.deepEqual(x.t().reshape(6).toArray(), [1, 4, 2, 5, 3, 6]);
  });

  test('contiguous() returns the tensor itself when contiguous, a copy otherwise', () => {
    const x = tensor([[1, 2], [3, 4]]);
    assert.equal(x.contiguous(), x);
    assert.equal(x.isContiguous(), true);
    const t = x.t();
    assert.equal(t.isContiguous(), false);
    const c = t.contiguous();
    assert.notEqual(c.storage, x.storage);
    assert.equal(c.isContiguous(), true);
    assert.deepEqual(c.strides, [2, 1]);
    assert.deepEqual(c.toArray(), [[1, 3], [2, 4]]);
    // Size-1 dims do not break contiguity, whatever their stride.
    assert.equal(x.slice(0, 0, 1).isContiguous(), true);
    assert.equal(x.unsqueeze(1).contiguous().storage, x.storage);
  });

  test('clone always copies', () => {
    const x = tensor([1, 2]);
    const c = x.clone();
    assert.notEqual(c.storage, x.storage);
    x.fill_(9);
    assert.deepEqual(c.toArray(), [1, 2]);
  });

  test('elementwise results own fresh storage', () => {
    const x = tensor([1, 2]);
    assert.notEqual(x.add(0).storage, x.storage);
  });
});

describe('split and chunk sizes match PyTorch', () => {
  const sizes = (parts: Tensor[], dim = 0): number[] => parts.map((p) => p.shape[dim]);

  test('chunk', () => {
    // torch.arange(n).chunk(k) sizes
    assert.deepEqual(sizes(chunk(arange(5), 3)), [2, 2, 1]);
    assert.deepEqual(sizes(chunk(arange(6), 4)), [2, 2, 2]);
    assert.deepEqual(sizes(chunk(arange(6), 3)), [2, 2, 2]);
    assert.deepEqual(sizes(chunk(arange(10), 4)), [3, 3, 3, 1]);
    assert.deepEqual(sizes(chunk(arange(3), 5)), [1, 1, 1]);
    assert.deepEqual(sizes(chunk(arange(17), 5)), [4, 4, 4, 4, 1]);
    assert.deepEqual(sizes(zeros(2, 7).chunk(2, 1), 1), [4, 3]);
  });

  test('split by size and by sections', () => {
    assert.deepEqual(sizes(split(arange(5), 2)), [2, 2, 1]);
    assert.deepEqual(sizes(split(arange(6), 3)), [3, 3]);
    assert.deepEqual(sizes(split(arange(3), 5)), [3]);
    assert.deepEqual(sizes(split(arange(6), [1, 0, 5])), [1, 0, 5]);
    assert.deepEqual(sizes(zeros(2, 5).split([2, 3], -1), 1), [2, 3]);
  });

  test('pieces hold the right values', () => {
    const parts = arange(7).split(3);
    assert.deepEqual(parts.map((p) => p.toArray()), [[0, 1, 2], [3, 4, 5], [6]]);
    const cols = tensor([[1, 2, 3], [4, 5, 6]]).chunk(3, 1);
    assert.deepEqual(cols.map((p) => p.toArray()), [[[1], [4]], [[2], [5]], [[3], [6]]]);
  });
});
