/**
 * gradcheck (float64 finite differences) of every differentiable convolution, pooling, padding and
 * resizing op on small inputs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functional as F, gradcheck, manualSeed, randn, tensor, type Tensor } from '../src/index.js';

const f64 = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true });

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  test(`gradcheck: ${name}`, () => {
    assert.equal(gradcheck(fn, inputs), true);
  });
}

manualSeed(7);

check('conv2d stride 2, padding 1, bias', (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), [f64(2, 2, 4, 5), f64(3, 2, 3, 2), f64(3)]);
check("conv2d 'same' even kernel, dilation 2, groups 2", (x, w) => F.conv2d(x, w, null, { padding: 'same', dilation: [2, 1], groups: 2 }),
  [f64(1, 4, 4, 4), f64(2, 2, 2, 2)]);
check('conv2d of single-channel images, padding 2 (direct kernels on wasm float32; composed in float64)', (x, w, b) => F.conv2d(x, w, b, { padding: 2 }), [f64(2, 1, 6, 7), f64(3, 1, 3, 3), f64(3)]);
check('conv2d kernel covering the whole input (computed as a Linear layer)', (x, w, b) => F.conv2d(x, w, b), [f64(2, 3, 3, 2), f64(4, 3, 3, 2), f64(4)]);
check('conv2d depthwise, stride (1,2)', (x, w, b) => F.conv2d(x, w, b, { groups: 2, stride: [1, 2] }), [f64(1, 2, 4, 5), f64(4, 1, 2, 2), f64(4)]);
check('conv1d dilation 2, padding 2', (x, w, b) => F.conv1d(x, w, b, { dilation: 2, padding: 2 }), [f64(2, 2, 6), f64(3, 2, 3), f64(3)]);
check('convTranspose2d stride 2, padding 1, outputPadding 1', (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
  [f64(1, 2, 3, 3), f64(2, 2, 3, 3), f64(2)]);
check('convTranspose2d groups 2, dilation 2', (x, w) => F.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }), [f64(1, 4, 2, 3), f64(4, 1, 2, 2)]);
check('convTranspose1d stride 3', (x, w, b) => F.convTranspose1d(x, w, b, { stride: 3 }), [f64(2, 2, 3), f64(2, 3, 2), f64(3)]);
check('unfold', (x) => F.unfold(x, [2, 3], { padding: 1, stride: [2, 1], dilation: [1, 2] }), [f64(1, 2, 4, 4)]);
check('fold', (x) => F.fold(x, [3, 4], 2, { stride: 1 }), [f64(1, 2 * 4, 2 * 3)]);

check('maxPool2d k3 s2 p1 dilation (1,2) ceilMode', (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }), [f64(1, 2, 5, 6)]);
check('maxPool1d k2 s1', (x) => F.maxPool1d(x, 2, { stride: 1 }), [f64(2, 2, 5)]);
check('avgPool2d k3 s2 p1 ceilMode, padding excluded', (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  [f64(1, 2, 5, 6)]);
check('avgPool2d divisorOverride 3', (x) => F.avgPool2d(x, 2, { stride: 1, divisorOverride: 3 }), [f64(1, 1, 3, 4)]);
check('avgPool1d k3 s2 p1', (x) => F.avgPool1d(x, 3, { stride: 2, padding: 1 }), [f64(2, 1, 7)]);
check('adaptiveAvgPool2d 5x7 → 3x2', (x) => F.adaptiveAvgPool2d(x, [3, 2]), [f64(1, 2, 5, 7)]);
check('adaptiveAvgPool1d 5 → 3', (x) => F.adaptiveAvgPool1d(x, 3), [f64(2, 1, 5)]);
check('adaptiveMaxPool2d 5x5 → 3x2 (overlapping windows)', (x) => F.adaptiveMaxPool2d(x, [3, 2]), [f64(1, 2, 5, 5)]);
check('adaptiveMaxPool1d 7 → 3', (x) => F.adaptiveMaxPool1d(x, 3), [f64(1, 2, 7)]);

{
  const idx = tensor([[[[0, 3], [9, 14]]]], { dtype: 'int32' });
  check('maxUnpool2d', (x) => F.maxUnpool2d(x, idx, 2), [f64(1, 1, 2, 2)]);
  // Duplicate indices are left out: PyTorch's rule then gives an overwritten input a gradient its
  // output does not have (the golden fixture checks that case against PyTorch).
  const idx1 = tensor([[[1, 2, 4]]], { dtype: 'int32' });
  check('maxUnpool1d', (x) => F.maxUnpool1d(x, idx1, 2), [f64(1, 1, 3)]);
}

for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
  check(`pad ${mode} with a negative amount`, (x) => F.pad(x, [2, -1, 1, 3], mode), [f64(1, 2, 4, 3)]);
}
check('interpolate nearest scaleFactor 1.2 (size kept, indices not)', (x) => F.interpolate(x, { scaleFactor: 1.2 }), [f64(1, 2, 3, 3)]);
check('interpolate nearest-exact size (5,3)', (x) => F.interpolate(x, { size: [5, 3], mode: 'nearest-exact' }), [f64(1, 2, 3, 4)]);
check('interpolate bilinear scaleFactor 1.5', (x) => F.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear' }), [f64(1, 2, 3, 4)]);
check('interpolate bilinear alignCorners size (4,2)', (x) => F.interpolate(x, { size: [4, 2], mode: 'bilinear', alignCorners: true }), [f64(1, 1, 3, 4)]);
check('interpolate linear size 7', (x) => F.interpolate(x, { size: 7, mode: 'linear' }), [f64(2, 1, 4)]);
check('interpolate area', (x) => F.interpolate(x, { size: [2, 3], mode: 'area' }), [f64(1, 2, 5, 4)]);
check('pixelShuffle', (x) => F.pixelShuffle(x, 2), [f64(1, 8, 2, 3)]);
check('pixelUnshuffle', (x) => F.pixelUnshuffle(x, 2), [f64(1, 2, 4, 2)]);
