import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arange, manualSeed, randn, tensor, zeros } from '../src/index.js';

test('the quick-start example: x·x summed has gradient 2x', () => {
  const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[2, 4], [6, 8]]);
});

test('manualSeed makes random draws reproducible bit for bit', () => {
  manualSeed(42);
  const a = randn(100).dataSync();
  manualSeed(42);
  const b = randn(100).dataSync();
  assert.deepEqual(a, b);
  manualSeed(43);
  assert.notDeepEqual(randn(100).dataSync(), a);
});

test('printing follows PyTorch', () => {
  assert.equal(String(tensor([[1, 2], [3, 4]])), 'tensor([[1., 2.],\n        [3., 4.]])');
  assert.equal(String(tensor([0.5, -1.25])), 'tensor([ 0.5000, -1.2500])');
  assert.equal(String(arange(3)), 'tensor([0, 1, 2], dtype=glubina.int32)');
  assert.equal(String(zeros(2).add(1)), 'tensor([1., 1.])');
});
