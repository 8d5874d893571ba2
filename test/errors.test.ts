/**
 * Misuse fails at the call, with an Error naming the op and the offending shapes, dtypes or
 * arguments (STYLE.md: "validate early, say exactly what is wrong").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  add, arange, bmm, cat, chunk, clamp, expand, flatten, gather, indexSelect, logSoftmax, maskedFill, matmul, mean,
  mm, mul, narrow, permute, reshape, scatterAdd, select, slice, softmax, split, squeeze, stack, sum, t, tensor,
  transpose, unsqueeze, view, where, zeros,
} from '../src/index.js';

const int = (data: number[] | number[][]) => tensor(data, { dtype: 'int32' });

/** Asserts that `fn` throws an Error whose message matches every pattern. */
function throwsAll(fn: () => unknown, ...patterns: RegExp[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, 'expected an Error to be thrown');
  for (const p of patterns) assert.match(caught.message, p);
}

describe('matrix products', () => {
  test('matmul with mismatched inner dims names both shapes and sizes', () => {
    assert.throws(() => matmul(zeros(2, 3), zeros(4, 5)), /^Error: matmul: shapes \[2,3\] and \[4,5\] cannot be multiplied \(3 != 4\)$/);
    assert.throws(() => matmul(zeros(3), zeros(4)), /matmul: shapes \[3\] and \[4\] cannot be multiplied \(3 != 4\)/);
    assert.throws(() => zeros(2, 2, 3).matmul(zeros(2, 4)), /matmul: shapes \[2,2,3\] and \[2,4\] cannot be multiplied \(3 != 2\)/);
  });
  test('matmul with batch dims that do not broadcast names the full shapes', () => {
    throwsAll(() => matmul(zeros(2, 2, 3), zeros(3, 3, 2)), /^matmul: /, /\[2,2,3\]/, /\[3,3,2\]/, /broadcast/);
  });
  test('matmul of a 0-d tensor', () => {
    assert.throws(() => matmul(tensor(1), zeros(2)), /matmul: both arguments need at least 1 dim, got \[\] and \[2\]/);
  });
  test('mm and bmm check their ranks', () => {
    assert.throws(() => mm(zeros(3), zeros(3, 2)), /mm: expects two matrices, got \[3\] and \[3,2\]/);
    assert.throws(() => bmm(zeros(2, 2, 3), zeros(3, 3, 2)), /bmm: expects \[B,M,K\] and \[B,K,N\] with the same B, got \[2,2,3\] and \[3,3,2\]/);
    assert.throws(() => mm(zeros(2, 3), zeros(2, 3)), /matmul: shapes \[2,3\] and \[2,3\] cannot be multiplied \(3 != 2\)/);
  });
});

describe('broadcasting', () => {
  test('add, mul and methods name both shapes and the dim', () => {
    assert.throws(() => add(zeros(2, 3), zeros(4)), /^Error: add: shapes \[2,3\] and \[4\] cannot be broadcast \(dim -1: 3 vs 4\)$/);
    assert.throws(() => mul(zeros(2, 3), zeros(3, 3)), /mul: shapes \[2,3\] and \[3,3\] cannot be broadcast \(dim -2: 2 vs 3\)/);
    assert.throws(() => zeros(5).sub(zeros(2, 4)), /sub: shapes \[5\] and \[2,4\] cannot be broadcast/);
  });
  test('expand to an incompatible size', () => {
    assert.throws(() => expand(zeros(2, 3), [2, 4]), /expand: the input's size 3 at dim 1 cannot be expanded to 4 \(input \[2,3\], target \[2,4\]\)/);
    assert.throws(() => zeros(2, 3).expand(3), /expand: target \[3\] has fewer dims than the input \[2,3\]/);
    assert.throws(() => zeros(3).expand(-1, 3), /expand: -1 is not allowed for the new leading dim 0 in \[-1,3\]/);
  });
  test('in-place ops cannot grow their destination', () => {
    assert.throws(() => zeros(3).add_(zeros(2, 3)), /add_: source \[2,3\] does not broadcast to the destination \[3\]/);
    assert.throws(() => zeros(2, 3).copy_(zeros(4)), /copy_: shapes \[4\] and \[2,3\] cannot be broadcast/);
  });
});

describe('dims out of range', () => {
  const x = zeros(2, 3);
  test('reductions', () => {
    assert.throws(() => sum(x, 2), /^Error: sum: dim 2 is out of range for a tensor of shape \[2,3\] \(expected -2\.\.1\)$/);
    assert.throws(() => x.sum(-3), /sum: dim -3 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => mean(x, [0, 5]), /mean: dim 5 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => x.amax(2), /amax: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => x.max(2), /max: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => x.argmin(7), /argmin: dim 7 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => x.var(3), /var: dim 3 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => x.logsumexp(2), /logsumexp: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => sum(x, [1, -1]), /sum: dim \[1,-1\] repeats a dim/);
    assert.throws(() => sum(x, 0.5), /sum: dim 0\.5 is out of range/);
  });
  test('softmax and logSoftmax', () => {
    assert.throws(() => softmax(x, 2), /softmax: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => logSoftmax(x, -3), /logSoftmax: dim -3 is out of range for a tensor of shape \[2,3\]/);
  });
  test('permute, transpose, squeeze, unsqueeze, flatten, select, slice, narrow', () => {
    assert.throws(() => permute(x, 0, 2), /permute: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => permute(x, 0), /permute: dims \[0\] are not a permutation of the 2 dims of \[2,3\]/);
    assert.throws(() => permute(x, 1, 1), /permute: dims \[1,1\] are not a permutation of the 2 dims of \[2,3\]/);
    assert.throws(() => transpose(x, 0, 2), /transpose: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => squeeze(x, 2), /squeeze: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => unsqueeze(x, 3), /unsqueeze: dim 3 is out of range for a tensor of rank 3 \(expected -3\.\.2\)/);
    assert.throws(() => flatten(zeros(2, 3, 4), 2, 1), /flatten: startDim 2 comes after endDim 1 \(shape \[2,3,4\]\)/);
    assert.throws(() => select(x, 2, 0), /select: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => slice(x, -3), /slice: dim -3 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => narrow(x, 5, 0, 1), /narrow: dim 5 is out of range for a tensor of shape \[2,3\]/);
  });
  test('cat, stack, split, chunk', () => {
    assert.throws(() => cat([x, x], 2), /cat: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => stack([x, x], 3), /stack: dim 3 is out of range for a tensor of rank 3/);
    assert.throws(() => split(x, 1, 2), /split: dim 2 is out of range for a tensor of shape \[2,3\]/);
    assert.throws(() => chunk(x, 2, -3), /chunk: dim -3 is out of range for a tensor of shape \[2,3\]/);
  });
});

describe('shapes and sizes', () => {
  test('reshape and view to a wrong size', () => {
    assert.throws(() => reshape(zeros(2, 3), [4, 2]), /^Error: reshape: shape \[4,2\] is invalid for input of size 6 \(shape \[2,3\]\)$/);
    assert.throws(() => zeros(2, 3).view(4, -1), /view: shape \[4,-1\] is invalid for input of size 6 \(shape \[2,3\]\)/);
    assert.throws(() => view(zeros(2, 3), 7), /view: shape \[7\] is invalid for input of size 6/);
    assert.throws(() => zeros(2, 3).reshape(-1, -1), /reshape: only one dim can be -1, got \[-1,-1\]/);
    assert.throws(() => zeros(2, 3).reshape(-2, 3), /reshape: invalid size in \[-2,3\]/);
  });
  test('t of more than 2 dims', () => {
    assert.throws(() => t(zeros(2, 3, 4)), /t: expects a tensor with <= 2 dims, got \[2,3,4\]/);
  });
  test('select, narrow and slice arguments out of range', () => {
    const x = zeros(2, 3);
    assert.throws(() => select(x, 1, 3), /select: index 3 is out of range for dim 1 of size 3 \(shape \[2,3\]\)/);
    assert.throws(() => select(x, 0, -3), /select: index -3 is out of range for dim 0 of size 2 \(shape \[2,3\]\)/);
    assert.throws(() => narrow(x, 1, 2, 2), /narrow: start 2 and length 2 are out of range for dim 1 of size 3 \(shape \[2,3\]\)/);
    assert.throws(() => slice(x, 1, 0, 3, 0), /^Error: slice: step must be a positive integer, got 0 \(dim 1 of \[2,3\]\)$/);
    assert.throws(() => x.slice(0, 0, 2, -1), /slice: step must be a positive integer, got -1 \(dim 0 of \[2,3\]\)/);
  });
  test('split with bad sections or size, chunk with bad count', () => {
    const x = zeros(3, 2);
    assert.throws(() => split(x, [1, 1]), /^Error: split: sections \[1,1\] must be non-negative and sum to 3 \(dim 0 of \[3,2\]\)$/);
    assert.throws(() => split(x, [4, -1]), /split: sections \[4,-1\] must be non-negative and sum to 3 \(dim 0 of \[3,2\]\)/);
    assert.throws(() => split(x, 0), /split: splitSize must be a positive integer, got 0 \(dim 0 of \[3,2\]\)/);
    assert.throws(() => chunk(x, 0, 1), /chunk: chunks must be a positive integer, got 0 \(dim 1 of \[3,2\]\)/);
  });
  test('cat and stack with mismatched shapes', () => {
    assert.throws(() => cat([zeros(2, 3), zeros(2, 4)]), /^Error: cat: tensor 1 has shape \[2,4\], which does not match tensor 0 \[2,3\] outside dim 0$/);
    assert.throws(() => cat([zeros(2, 3), zeros(3)], 1), /cat: tensor 1 has shape \[3\], which does not match tensor 0 \[2,3\] outside dim 1/);
    assert.throws(() => cat([]), /cat: expected a non-empty list of tensors/);
    assert.throws(() => stack([zeros(2), zeros(3)]), /stack: tensor 1 has shape \[3\], tensor 0 has \[2\]; all must be equal/);
  });
  test('creation with bad shapes', () => {
    assert.throws(() => zeros(2, -3), /zeros: invalid shape \[2,-3\]/);
    assert.throws(() => tensor([[1], [2, 3]]), /tensor: ragged nested array: data\[1\] has shape \[2\], data\[0\] has \[1\]/);
  });
});

describe('indexing', () => {
  const x = zeros(2, 3);
  test('gather: index out of range, negative, wrong dtype, wrong rank', () => {
    assert.throws(() => gather(x, 1, int([[0, 3]])), /^Error: gather: index 3 is out of bounds for dim 1 with size 3 \(input \[2,3\]\)$/);
    assert.throws(() => gather(x, 0, int([[0, -1]])), /gather: index -1 is out of bounds for dim 0 with size 2 \(input \[2,3\]\)/);
    assert.throws(() => gather(x, 1, tensor([[0, 1]])), /gather: index must be an int32 tensor, got float32 \[1,2\] \(input \[2,3\]\)/);
    assert.throws(() => gather(x, 1, int([0, 1])), /gather: index \[2\] must have as many dims as the input \[2,3\]/);
    assert.throws(() => gather(x, 1, int([[0], [1], [1]])), /gather: index \[3,1\] is larger than the input \[2,3\] at dim 0/);
  });
  test('indexSelect: errors name indexSelect, not the op it is built on', () => {
    assert.throws(() => indexSelect(x, 0, int([0, 2])), /^Error: indexSelect: index 2 is out of bounds for dim 0 with size 2 \(input \[2,3\]\)$/);
    assert.throws(() => x.indexSelect(1, tensor([0, 1])), /indexSelect: index must be an int32 tensor, got float32 \[2\] \(input \[2,3\]\)/);
    assert.throws(() => indexSelect(x, 0, int([[0]])), /indexSelect: index must be 1-d, got \[1,1\]/);
    assert.throws(() => indexSelect(x, 2, int([0])), /indexSelect: dim 2 is out of range for a tensor of shape \[2,3\]/);
  });
  test('scatterAdd: index out of range, dtype mismatch', () => {
    assert.throws(() => scatterAdd(x, 1, int([[5]]), zeros(1, 1)), /scatterAdd: index 5 is out of bounds for dim 1 with size 3 \(input \[2,3\]\)/);
    assert.throws(
      () => scatterAdd(x, 1, int([[0]]), zeros([1, 1], { dtype: 'float64' })),
      /scatterAdd: src is float64 \[1,1\] but the input is float32 \[2,3\]/,
    );
    assert.throws(() => scatterAdd(x, 1, int([[0, 1]]), zeros(1, 1)), /scatterAdd: index \[1,2\] is larger than src \[1,1\] at dim 1/);
  });
  test('maskedFill: non-bool mask, mask that does not broadcast', () => {
    assert.throws(() => maskedFill(x, zeros(3), 1), /maskedFill: mask must be bool, got float32 \[3\]/);
    assert.throws(() => maskedFill(x, tensor([true, false]), 1), /maskedFill: shapes \[2\] and \[2,3\] cannot be broadcast/);
    assert.throws(() => maskedFill(zeros(3), tensor([[true], [false]]), 1), /maskedFill: mask \[2,1\] does not broadcast to the input \[3\]/);
  });
});

describe('dtypes and values', () => {
  test('item on a multi-element tensor', () => {
    assert.throws(() => zeros(2, 3).item(), /^Error: item: a tensor with 6 elements \(shape \[2,3\]\) cannot be converted to a number$/);
  });
  test('requiresGrad on integer and bool tensors', () => {
    assert.throws(() => zeros([2], { dtype: 'int32', requiresGrad: true }), /^Error: requiresGrad: only floating-point tensors can require gradients, this one is int32 \[2\]$/);
    assert.throws(() => tensor([[true]]).requiresGrad_(), /requiresGrad: .*this one is bool \[1,1\]/);
  });
  test('where with a non-bool condition', () => {
    assert.throws(() => where(zeros(3), zeros(3), zeros(3)), /^Error: where: condition must be a bool tensor, got float32 \[3\]$/);
    assert.throws(() => where(arange(3), 1, 0), /where: condition must be a bool tensor, got int32 \[3\]/);
    assert.throws(() => where(tensor([true, false]), zeros(3), 0), /where: shapes \[2\] and \[3\] cannot be broadcast/);
  });
  test('float-only reductions on integer tensors', () => {
    assert.throws(() => mean(arange(3)), /mean: needs a floating-point input, got int32 \[3\]/);
    assert.throws(() => arange(3).std(), /var: needs a floating-point input, got int32 \[3\]/);
  });
  test('clamp without bounds, unknown dtype', () => {
    assert.throws(() => clamp(zeros(2)), /clamp: at least one of min or max must be given/);
    assert.throws(() => zeros(2).to('half' as 'float32'), /to: unknown dtype 'half'/);
  });
  test('backward misuse', () => {
    assert.throws(() => zeros([2, 2], { requiresGrad: true }).mul(2).backward(), /backward: .*one-element outputs.*shape \[2,2\]/);
    assert.throws(() => zeros(2).sum().backward(), /backward: the tensor does not require grad/);
  });
  test('a non-tensor where a tensor is needed', () => {
    assert.throws(() => matmul(zeros(2), [1, 2] as unknown as ReturnType<typeof zeros>), /matmul: argument 'other' must be a Tensor, got object/);
    assert.throws(() => gather(zeros(2), 0, null as unknown as ReturnType<typeof zeros>), /gather: argument 'index' must be a Tensor, got null/);
  });
});
