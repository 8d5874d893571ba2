/**
 * Receptive-field descriptions of glubina's built-in layers (see `receptive_field.ts`):
 * convolutions and poolings are windows, transposed convolutions and max-unpooling are
 * transposes, adaptive pooling is adaptive, padding layers pad, `Upsample` and `PixelShuffle`
 * resize, `PixelUnshuffle` is a k = s = r window, `Flatten` flattens, `Linear`/`Maxout` after a
 * Flatten see everything, and pointwise layers (activations, BatchNorm, Dropout, Identity) change
 * nothing. `Sequential` is its children in order.
 * @module
 */
import { ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from '../nn/modules/activation.js';
import { BatchNorm } from '../nn/modules/batchnorm.js';
import { Sequential } from '../nn/modules/container.js';
import { ConvNd, ConvTransposeNd } from '../nn/modules/conv.js';
import { Dropout } from '../nn/modules/dropout.js';
import { Flatten, Identity, Linear, Maxout } from '../nn/modules/linear.js';
import { PadNd } from '../nn/modules/padding.js';
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPoolNd, MaxPoolNd, MaxUnpoolNd,
} from '../nn/modules/pooling.js';
import { PixelShuffle, PixelUnshuffle, Upsample } from '../nn/modules/upsampling.js';
import type { AnyModule } from '../nn/module.js';
import { registerReceptiveField, type RFNode } from './rf_registry.js';

const identity = (): RFNode => ({ kind: 'identity' });
for (const cls of [ReLU, LeakyReLU, Sigmoid, Tanh, ELU, Softmax, LogSoftmax, Dropout, BatchNorm, Identity]) {
  registerReceptiveField(cls, identity);
}

registerReceptiveField(Sequential, (m) => [...m] as AnyModule[]);
registerReceptiveField(Flatten, () => ({ kind: 'flatten' }));
registerReceptiveField(Linear, () => ({ kind: 'global' }));
registerReceptiveField(Maxout, () => ({ kind: 'global' }));

registerReceptiveField(ConvNd, (m) => ({
  kind: 'window', kernel: m.kernelSize, stride: m.stride, padding: m.paddingBefore, paddingAfter: m.paddingAfter, dilation: m.dilation,
}));
registerReceptiveField(ConvTransposeNd, (m) => ({
  kind: 'transpose', kernel: m.kernelSize, stride: m.stride, padding: m.padding, dilation: m.dilation, outputPadding: m.outputPadding,
}));
registerReceptiveField(MaxPoolNd, (m) => ({
  kind: 'window', kernel: m.kernelSize, stride: m.stride, padding: m.padding, dilation: m.dilation, ceilMode: m.ceilMode,
}));
registerReceptiveField(AvgPoolNd, (m) => ({ kind: 'window', kernel: m.kernelSize, stride: m.stride, padding: m.padding, ceilMode: m.ceilMode }));
registerReceptiveField(MaxUnpoolNd, (m) => ({ kind: 'transpose', kernel: m.kernelSize, stride: m.stride, padding: m.padding }));
const adaptive = (m: { outputSize: number | readonly (number | null)[] }): RFNode => ({ kind: 'adaptive', outputSize: m.outputSize });
registerReceptiveField(AdaptiveAvgPool1d, adaptive);
registerReceptiveField(AdaptiveAvgPool2d, adaptive);
registerReceptiveField(AdaptiveMaxPool1d, adaptive);
registerReceptiveField(AdaptiveMaxPool2d, adaptive);

// Padding amounts are listed from the last dim backwards: [left, right, top, bottom].
registerReceptiveField(PadNd, (m) => {
  const dims = m.padding.length / 2;
  const before: number[] = [];
  const after: number[] = [];
  for (let d = dims - 1; d >= 0; d--) {
    before.push(m.padding[2 * d]);
    after.push(m.padding[2 * d + 1]);
  }
  return { kind: 'pad', before, after };
});

registerReceptiveField(Upsample, (m) => {
  if (m.mode === 'area') {
    if (m.size === undefined) throw new Error("receptiveField: Upsample mode 'area' is described with an explicit size only");
    return { kind: 'adaptive', outputSize: m.size };
  }
  const mode = m.mode === 'linear' || m.mode === 'bilinear' ? 'linear' : m.mode;
  return { kind: 'resize', size: m.size, scaleFactor: m.scaleFactor, mode, alignCorners: m.alignCorners };
});
registerReceptiveField(PixelShuffle, (m) => ({ kind: 'resize', scaleFactor: m.upscaleFactor, mode: 'nearest' }));
registerReceptiveField(PixelUnshuffle, (m) => ({ kind: 'window', kernel: m.downscaleFactor, stride: m.downscaleFactor }));
