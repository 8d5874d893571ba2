/**
 * Bad arguments to the convolution, pooling, padding and resizing ops: each fails with a message
 * naming the op and the offending shapes or values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functional as F, tensor, zeros } from '../src/index.js';

const x4 = zeros([8, 3, 32, 32]);

function throwsWith(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: Error) => {
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('conv2d: channel mismatch names both shapes', () => {
  throwsWith(() => F.conv2d(x4, zeros([16, 1, 5, 5])), 'conv2d: input [8,3,32,32] has 3 channels, weight [16,1,5,5] expects 1');
  throwsWith(() => F.conv2d(zeros([1, 4, 8, 8]), zeros([6, 1, 3, 3]), null, { groups: 2 }),
    'conv2d: input [1,4,8,8] has 4 channels, weight [6,1,3,3] expects 2 (1 per group × groups=2)');
  throwsWith(() => F.conv1d(zeros([2, 3, 10]), zeros([4, 2, 3])), 'conv1d: input [2,3,10] has 3 channels, weight [4,2,3] expects 2');
  throwsWith(() => F.convTranspose2d(zeros([1, 3, 4, 4]), zeros([2, 3, 2, 2])),
    'convTranspose2d: input [1,3,4,4] has 3 channels, weight [2,3,2,2] expects 2');
});

test('conv2d: groups must divide input and output channels', () => {
  throwsWith(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([4, 1, 3, 3]), null, { groups: 2 }),
    'conv2d: groups=2 does not divide the 3 channels of input [1,3,8,8]');
  throwsWith(() => F.conv2d(zeros([1, 4, 8, 8]), zeros([3, 2, 3, 3]), null, { groups: 2 }),
    'conv2d: groups=2 does not divide the 3 output channels of weight [3,2,3,3]');
  throwsWith(() => F.conv2d(zeros([1, 4, 8, 8]), zeros([4, 4, 3, 3]), null, { groups: 0 }), 'conv2d: groups must be a positive integer, got 0');
});

test('conv2d: a kernel larger than the padded input', () => {
  throwsWith(() => F.conv2d(zeros([1, 2, 5, 5]), zeros([3, 2, 7, 7])),
    'conv2d: kernel size (7x7, dilated 7x7) is larger than the padded input (5x5) for input [1,2,5,5] and weight [3,2,7,7]');
  throwsWith(() => F.conv2d(zeros([1, 2, 5, 5]), zeros([3, 2, 3, 3]), null, { dilation: 3, padding: [1, 0] }),
    /conv2d: kernel size \(3x3, dilated 7x7\) is larger than the padded input \(7x5\)/);
  throwsWith(() => F.unfold(zeros([1, 1, 2, 2]), 3), /unfold: kernel size \(3x3, dilated 3x3\) is larger than the padded input \(2x2\) for input \[1,1,2,2\]/);
});

test('conv2d: non-positive stride or dilation, bad padding', () => {
  const w = zeros([4, 3, 3, 3]);
  throwsWith(() => F.conv2d(x4, w, null, { stride: 0 }), 'conv2d: stride must be positive integers, got [0,0]');
  throwsWith(() => F.conv2d(x4, w, null, { stride: [1, -2] }), 'conv2d: stride must be positive integers, got [1,-2]');
  throwsWith(() => F.conv2d(x4, w, null, { dilation: 0 }), 'conv2d: dilation must be positive integers, got [0,0]');
  throwsWith(() => F.conv2d(x4, w, null, { padding: -1 }), 'conv2d: padding must be non-negative integers, got [-1,-1]');
  throwsWith(() => F.conv2d(x4, w, null, { padding: [1, 2, 3] }), 'conv2d: padding must be one number or 2 numbers, got [1,2,3]');
  throwsWith(() => F.conv2d(x4, w, null, { padding: 'same', stride: 2 }),
    "conv2d: padding='same' is not supported for strided convolutions (stride [2,2])");
  throwsWith(() => F.convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }),
    'convTranspose2d: outputPadding [2,2] must be smaller than either stride [2,2] or dilation [1,1]');
  throwsWith(() => F.convTranspose2d(zeros([1, 3, 1, 1]), zeros([3, 2, 1, 1]), null, { padding: 1 }),
    'convTranspose2d: output size [-1,-1] is too small for input [1,3,1,1] and weight [3,2,1,1] (padding [1,1])');
});

test('conv2d: wrong input or weight rank, bias shape, dtypes', () => {
  throwsWith(() => F.conv2d(zeros([3, 32]), zeros([4, 3, 3, 3])),
    'conv2d: expected a 3-d (unbatched [C,H,W]) or 4-d (batched [N,C,H,W]) input, got [3,32]');
  throwsWith(() => F.conv2d(zeros([1, 1, 3, 32, 32]), zeros([4, 3, 3, 3])),
    'conv2d: expected a 3-d (unbatched [C,H,W]) or 4-d (batched [N,C,H,W]) input, got [1,1,3,32,32]');
  throwsWith(() => F.conv1d(zeros([2, 3, 4, 5]), zeros([4, 3, 3])),
    'conv1d: expected a 2-d (unbatched [C,L]) or 3-d (batched [N,C,L]) input, got [2,3,4,5]');
  throwsWith(() => F.conv2d(x4, zeros([4, 3, 3])), 'conv2d: weight must be 4-d [channels,channels/groups,kH,kW], got [4,3,3]');
  throwsWith(() => F.conv2d(x4, zeros([4, 3, 3, 3]), zeros([5])), 'conv2d: bias must be [4] for weight [4,3,3,3], got [5]');
  throwsWith(() => F.conv2d(x4, zeros([4, 3, 3, 3], { dtype: 'float64' })),
    'conv2d: input [8,3,32,32] is float32 but weight [4,3,3,3] is float64');
  throwsWith(() => F.conv2d(zeros([1, 3, 4, 4], { dtype: 'int32' }), zeros([4, 3, 3, 3], { dtype: 'int32' })),
    'conv2d: input must be a floating-point tensor, got int32 [1,3,4,4]');
  throwsWith(() => F.conv2d(null as never, zeros([4, 3, 3, 3])), "conv2d: argument 'input' must be a Tensor, got null");
});

test('pooling: bad kernel, stride, padding, output size and rank', () => {
  const x = zeros([1, 2, 5, 5]);
  throwsWith(() => F.maxPool2d(x, 3, { padding: 2 }), 'maxPool2d: padding [2,2] must be at most half the kernel size [3,3]');
  throwsWith(() => F.avgPool2d(x, 3, { padding: 2 }), 'avgPool2d: padding [2,2] must be at most half the kernel size [3,3]');
  throwsWith(() => F.maxPool2d(x, 7), 'maxPool2d: output size [0,0] is too small for input [1,2,5,5] (kernel [7,7], stride [7,7], padding [0,0], dilation [1,1])');
  throwsWith(() => F.maxPool1d(zeros([2, 3]), 4), 'maxPool1d: output size [0] is too small for input [2,3] (kernel [4], stride [4], padding [0], dilation [1])');
  throwsWith(() => F.maxPool2d(x, 3, { stride: 0 }), 'maxPool2d: stride must be positive integers, got [0,0]');
  throwsWith(() => F.maxPool2d(x, 0), 'maxPool2d: kernelSize must be positive integers, got [0,0]');
  throwsWith(() => F.maxPool2d(x, 2, { dilation: 0 }), 'maxPool2d: dilation must be positive integers, got [0,0]');
  throwsWith(() => F.avgPool2d(x, 2, { divisorOverride: 0 }), 'avgPool2d: divisorOverride must be a non-zero number, got 0');
  throwsWith(() => F.maxPool2d(zeros([5, 5]), 2), 'maxPool2d: expected a 3-d (unbatched [C,H,W]) or 4-d (batched [N,C,H,W]) input, got [5,5]');
  throwsWith(() => F.adaptiveAvgPool2d(x, [0, 2]), 'adaptiveAvgPool2d: outputSize must hold positive integers (or null), got [0,2]');
  throwsWith(() => F.adaptiveMaxPool2d(x, [1, 2, 3]), 'adaptiveMaxPool2d: outputSize must be one number or 2 numbers, got [1,2,3]');
});

test('maxUnpool2d: bad indices and output size', () => {
  const x = zeros([1, 1, 2, 2]);
  throwsWith(() => F.maxUnpool2d(x, tensor([[[[0, 1], [2, 16]]]], { dtype: 'int32' }), 2),
    'maxUnpool2d: index 16 is out of range for an output plane of 4x4 (input [1,1,2,2])');
  throwsWith(() => F.maxUnpool2d(x, zeros([1, 1, 2, 2]), 2), 'maxUnpool2d: indices must be int32 and shaped like the input [1,1,2,2], got float32 [1,1,2,2]');
  throwsWith(() => F.maxUnpool2d(x, zeros([1, 1, 2, 2], { dtype: 'int32' }), 2, { outputSize: [6, 4] }),
    'maxUnpool2d: invalid outputSize [6,4] (dim 0 must be between 2 and 6, exclusive)');
});

test('pad: reflect wider than the input, bad lengths, modes and dims', () => {
  const x = zeros([1, 2, 3, 4]);
  throwsWith(() => F.pad(x, [4, 1], 'reflect'), /pad: mode 'reflect' pads 1 to 3 dims/);
  throwsWith(() => F.pad(x, [4, 1, 0, 0], 'reflect'), 'pad: reflect padding (4, 1) must be smaller than the size 4 of dim 3 of input [1,2,3,4]');
  throwsWith(() => F.pad(x, [0, 0, 1, 3], 'reflect'), 'pad: reflect padding (1, 3) must be smaller than the size 3 of dim 2 of input [1,2,3,4]');
  throwsWith(() => F.pad(x, [5, 0, 0, 0], 'circular'), 'pad: circular padding (5, 0) wraps around more than once (size 4 of dim 3 of input [1,2,3,4])');
  throwsWith(() => F.pad(zeros([2, 4]), [1, 1], 'circular'),
    "pad: mode 'circular' pads 1 to 3 dims of a [C, …] or [N, C, …] input; padding [1,1] needs a 3-d input, got [2,4]");
  throwsWith(() => F.pad(x, [1, 2, 3]), 'pad: padding must be integer [before, after] pairs from the last dim backwards, got [1,2,3]');
  throwsWith(() => F.pad(zeros([4]), [1, 1, 1, 1]), 'pad: padding [1,1,1,1] pads 2 dims but input [4] has 1');
  throwsWith(() => F.pad(x, [-3, -2]), 'pad: padding (-3, -2) of dim 3 (size 4) of input [1,2,3,4] gives a negative size');
  throwsWith(() => F.pad(x, [1, 1], 'wrap' as never), "pad: unknown mode 'wrap', expected one of constant, reflect, replicate, circular");
  throwsWith(() => F.pad(x, [1, 1, 1, 1], 'replicate', 2), "pad: mode 'replicate' takes no value (got 2)");
});

test('interpolate and pixelShuffle: bad arguments', () => {
  const x = zeros([1, 2, 4, 4]);
  throwsWith(() => F.interpolate(x, { size: 3, scaleFactor: 2 }), 'interpolate: give exactly one of size and scaleFactor');
  throwsWith(() => F.interpolate(x, {}), 'interpolate: give exactly one of size and scaleFactor');
  throwsWith(() => F.interpolate(x, { size: 8, alignCorners: true }),
    "interpolate: alignCorners can only be set with the linear modes (linear, bilinear), not 'nearest'");
  throwsWith(() => F.interpolate(x, { size: 8, mode: 'linear' }), "interpolate: mode 'linear' needs a 3-d [N,C,L] input, got [1,2,4,4]");
  throwsWith(() => F.interpolate(zeros([2, 4]), { size: 8 }), 'interpolate: expects a 3-d [N,C,L] or 4-d [N,C,H,W] input, got [2,4]');
  throwsWith(() => F.interpolate(x, { scaleFactor: 0.1 }), 'interpolate: scaleFactor 0.1 gives output size [0,0] for input [1,2,4,4]');
  throwsWith(() => F.interpolate(x, { size: [2, 3, 4] }), 'interpolate: size must be one number or 2 numbers, got [2,3,4]');
  throwsWith(() => F.pixelShuffle(zeros([1, 6, 2, 2]), 2), 'pixelShuffle: the 6 channels of input [1,6,2,2] are not divisible by upscaleFactor² = 4');
  throwsWith(() => F.pixelUnshuffle(zeros([1, 1, 3, 4]), 2), 'pixelUnshuffle: the spatial size 3x4 of input [1,1,3,4] is not divisible by downscaleFactor 2');
  throwsWith(() => F.pixelShuffle(zeros([4, 2]), 2), 'pixelShuffle: expects an input of at least 3 dims [*, C, H, W], got [4,2]');
});
