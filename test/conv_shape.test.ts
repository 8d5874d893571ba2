/**
 * The shared shape arithmetic of src/core/conv_shape.ts, and hand-computed behaviour of the
 * convolution and pooling ops (PyTorch's values, worked out by hand).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAxis, avgPoolDivisors, convOutSize, convTransposeOutSize, poolAxis, poolOutSize, resolveConvPadding,
} from '../src/core/conv_shape.js';
import { arange, functional as F, randn, tensor, zeros } from '../src/index.js';

test('convOutSize: ⌊(in + 2p − d(k − 1) − 1)/s⌋ + 1', () => {
  assert.equal(convOutSize(32, 3, 1, 1, 1, 1), 32);
  assert.equal(convOutSize(7, 3, 2, 1, 1, 1), 4);
  assert.equal(convOutSize(9, 3, 1, 0, 0, 3), 3);
  assert.equal(convOutSize(8, 2, 3, 0, 0, 1), 3);
  assert.equal(convTransposeOutSize(4, 3, 2, 1, 1, 1), 8);
});

test("poolOutSize: ceilMode keeps a last window only if it starts inside the input or left padding", () => {
  assert.equal(poolOutSize(5, 2, 2, 0, 1, false), 2);
  assert.equal(poolOutSize(5, 2, 2, 0, 1, true), 3);
  // ⌈(4 + 2 − 2)/3⌉ + 1 = 3 windows, but the third would start at 6 − 1 = 5 ≥ 4 + 1: dropped.
  assert.equal(poolOutSize(4, 2, 3, 1, 1, true), 2);
  assert.equal(poolOutSize(12, 3, 2, 1, 2, true), 6);
});

test("resolveConvPadding: 'same' puts the odd extra at the end, 'valid' is none", () => {
  assert.deepEqual(resolveConvPadding('conv2d', 'same', [4, 3], [1, 1], [1, 2]), { before: [1, 2], after: [2, 2] });
  assert.deepEqual(resolveConvPadding('conv1d', 'same', [2], [1], [3]), { before: [1], after: [2] });
  assert.deepEqual(resolveConvPadding('conv2d', 'valid', [3, 3], [2, 2], [1, 1]), { before: [0, 0], after: [0, 0] });
  assert.deepEqual(resolveConvPadding('conv2d', [1, 2], [3, 3], [2, 2], [1, 1]), { before: [1, 2], after: [1, 2] });
});

test('pooling windows: regular (clipped end) and adaptive (floor start, ceil end)', () => {
  assert.deepEqual(poolAxis(5, 3, 2, 1, 1, 3), { start: [-1, 1, 3], end: [2, 4, 5], step: 1 });
  assert.deepEqual(adaptiveAxis(5, 3), { start: [0, 1, 3], end: [2, 4, 5], step: 1 });
  assert.deepEqual(adaptiveAxis(4, 6), { start: [0, 0, 1, 2, 2, 3], end: [1, 2, 2, 3, 4, 4], step: 1 });
});

test('avgPoolDivisors: window clipped to the padded input, or to the input', () => {
  // 5x5, kernel 3, stride 2, padding 1, ceilMode → 3x3 outputs.
  assert.deepEqual([...avgPoolDivisors([5, 5], [3, 3], [2, 2], [1, 1], [3, 3], true)], new Array(9).fill(9));
  assert.deepEqual([...avgPoolDivisors([5, 5], [3, 3], [2, 2], [1, 1], [3, 3], false)], [4, 6, 4, 6, 9, 6, 4, 6, 4]);
  assert.deepEqual([...avgPoolDivisors([5, 5], [3, 3], [2, 2], [1, 1], [3, 3], false, 7)], new Array(9).fill(7));
});

test('conv2d by hand: a 2x2 difference kernel, stride 2, bias', () => {
  const x = arange(16, undefined, 1, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
  const w = tensor([[[[1, 0], [0, -1]]]]);
  assert.deepEqual(F.conv2d(x, w, tensor([0.5]), { stride: 2 }).toArray(), [[[[-4.5, -4.5], [-4.5, -4.5]]]]);
});

test("conv2d 'same' keeps the size for every kernel and dilation; unbatched input stays unbatched", () => {
  for (const [k, d] of [[3, 1], [4, 1], [2, 3], [5, 2]]) {
    assert.deepEqual(F.conv2d(zeros([1, 2, 6, 7]), zeros([3, 2, k, k]), null, { padding: 'same', dilation: d }).shape, [1, 3, 6, 7]);
  }
  assert.deepEqual(F.conv2d(zeros([2, 5, 5]), zeros([4, 2, 3, 3]), null, { padding: 1 }).shape, [4, 5, 5]);
  assert.deepEqual(F.conv1d(zeros([3, 9]), zeros([2, 3, 4]), null, { padding: 'same' }).shape, [2, 9]);
  assert.deepEqual(F.convTranspose2d(zeros([3, 4, 4]), zeros([3, 2, 2, 2]), null, { stride: 2 }).shape, [2, 8, 8]);
});

test('avgPool2d by hand: ceilMode with and without counting padding', () => {
  const ones = zeros([1, 1, 5, 5]).add(1);
  const withPad = F.avgPool2d(ones, 3, { stride: 2, padding: 1, ceilMode: true }).dataSync();
  assert.deepEqual([...withPad].map((v) => Math.round(v * 1e4) / 1e4), [0.4444, 0.6667, 0.4444, 0.6667, 1, 0.6667, 0.4444, 0.6667, 0.4444]);
  assert.deepEqual([...F.avgPool2d(ones, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).dataSync()], new Array(9).fill(1));
});

test('maxPool2d: indices are flat within each plane; NaN wins; padding never does', () => {
  const x = tensor([[[[1, 5, 2], [NaN, 0, 3], [4, 8, -1]]]]);
  const [v, i] = F.maxPool2d(x, 2, { stride: 1, returnIndices: true });
  assert.deepEqual(i.toArray(), [[[[3, 1], [3, 7]]]]);
  const vs = v.dataSync();
  assert.ok(Number.isNaN(vs[0]) && vs[1] === 5 && Number.isNaN(vs[2]) && vs[3] === 8);
  const neg = tensor([[[[-3, -2], [-5, -4]]]]);
  assert.deepEqual(F.maxPool2d(neg, 3, { stride: 2, padding: 1 }).toArray(), [[[[-2]]]]);
});

test('maxPool backward scatters to the argmax; overlapping windows add up', () => {
  const x = tensor([[[1, 9, 2, 0]]], { requiresGrad: true });
  F.maxPool1d(x, 2, { stride: 1 }).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[[0, 2, 1, 0]]]);
});

test('maxUnpool2d: zeros elsewhere; with duplicate indices the last write wins, as in PyTorch', () => {
  const x = tensor([[[[1, 2], [3, 4]]]], { requiresGrad: true });
  const idx = tensor([[[[5, 5], [10, 0]]]], { dtype: 'int32' });
  const out = F.maxUnpool2d(x, idx, 2);
  assert.deepEqual(out.toArray(), [[[[4, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 0]]]]);
  out.backward(arange(16, undefined, 1, { dtype: 'float32' }).reshape([1, 1, 4, 4]));
  assert.deepEqual(x.grad!.toArray(), [[[[5, 5], [10, 0]]]]);
});

test('maxPool2d → maxUnpool2d round trip puts each max back in place', () => {
  const x = randn([2, 3, 6, 8]).abs().add(0.1); // positive, so the zeros of the unpooled image never win
  const [v, i] = F.maxPool2d(x, 2, { returnIndices: true });
  const back = F.maxUnpool2d(v, i, 2);
  assert.deepEqual(F.maxPool2d(back, 2).dataSync(), v.dataSync());
});

test('pad returns a copy that does not share memory with its input', () => {
  const x = zeros([2, 3]);
  for (const p of [[0, 0], [-1, 0]]) {
    const y = F.pad(x, p);
    assert.notEqual(y.storage, x.storage);
  }
  assert.deepEqual(F.pad(tensor([[1, 2, 3]]), [1, -1], 'constant', 9).toArray(), [[9, 1, 2]]);
});

test('pixelShuffle then pixelUnshuffle is the identity; interpolate nearest ×2 repeats pixels', () => {
  const x = randn([2, 8, 3, 5]);
  assert.deepEqual(F.pixelUnshuffle(F.pixelShuffle(x, 2), 2).dataSync(), x.dataSync());
  const y = tensor([[[[1, 2], [3, 4]]], [[[5, 6], [7, 8]]]]);
  assert.deepEqual((F.interpolate(y, { scaleFactor: 2 }).toArray() as number[][][][])[0], [[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]);
});
