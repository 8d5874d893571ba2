/**
 * The two primitives behind every convolution: im2col (PyTorch's `unfold`) and its adjoint
 * col2im (`fold`). Each one's gradient is the other, so convolutions composed from them and
 * matmul differentiate to any order.
 * @module
 */
import {
  convGeometry, convOutSize, expandSize, resolveConvPadding, type Conv2dGeometry, type SizeArg,
} from '../core/conv_shape.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkTensor, record, wrap } from './helpers.js';
import { batched, checkFloating } from './spatial.js';
import { permute, reshape, squeeze, unsqueeze } from './view.js';

/** x [N, C, H, W] → columns [N, C·kH·kW, outH·outW] (see `Backend.im2col`). */
export function im2col(x: Tensor, g: Conv2dGeometry): Tensor {
  const [N, C] = x.shape;
  const out = wrap(x.backend.im2col(x, g), [N, C * g.kernelH * g.kernelW, g.outH * g.outW]);
  return record('Im2ColBackward0', out, [x], (grad) => [col2im(grad, g)]);
}

/** Columns [N, C·kH·kW, outH·outW] → image [N, C, H, W], summing overlaps (see `Backend.col2im`). */
export function col2im(cols: Tensor, g: Conv2dGeometry): Tensor {
  const [N, CK] = cols.shape;
  const C = CK / (g.kernelH * g.kernelW);
  const out = wrap(cols.backend.col2im(cols, g), [N, C, g.height, g.width]);
  return record('Col2ImBackward0', out, [cols], (grad) => [im2col(grad, g)]);
}

/**
 * im2col with the batch folded into the columns: x [N, C, H, W] → [C·kH·kW, N·outH·outW], so that a
 * convolution of the whole batch is one matmul (see `Backend.im2colBatched`; backends without it
 * get im2col and a permuted copy).
 */
export function im2colBatched(x: Tensor, g: Conv2dGeometry): Tensor {
  const [N, C] = x.shape;
  const R = C * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  if (x.backend.im2colBatched === undefined) return reshape(permute(im2col(x, g), [1, 0, 2]), [R, N * L]);
  const out = wrap(x.backend.im2colBatched(x, g), [R, N * L]);
  return record('Im2ColBackward0', out, [x], (grad) => [col2imBatched(grad, g, N)]);
}

/** The adjoint of {@link im2colBatched}: cols [C·kH·kW, N·outH·outW] → image [N, C, H, W]. */
export function col2imBatched(cols: Tensor, g: Conv2dGeometry, batch: number): Tensor {
  const R = cols.shape[0];
  const L = g.outH * g.outW;
  const C = R / (g.kernelH * g.kernelW);
  if (cols.backend.col2imBatched === undefined) return col2im(permute(reshape(cols, [R, batch, L]), [1, 0, 2]), g);
  const out = wrap(cols.backend.col2imBatched(cols, g, batch), [batch, C, g.height, g.width]);
  return record('Col2ImBackward0', out, [cols], (grad) => [im2colBatched(grad, g)]);
}

/** Options of {@link unfold} and {@link fold}. */
export interface UnfoldOptions {
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Zero padding on both sides of each spatial dim (default 0). */
  padding?: SizeArg;
  /** Step between windows (default 1). */
  stride?: SizeArg;
}

function geometryArgs(op: string, kernelSize: SizeArg, options: UnfoldOptions) {
  return {
    kernel: expandSize(op, 'kernelSize', kernelSize, 2, 1),
    dilation: expandSize(op, 'dilation', options.dilation ?? 1, 2, 1),
    padding: expandSize(op, 'padding', options.padding ?? 0, 2, 0),
    stride: expandSize(op, 'stride', options.stride ?? 1, 2, 1),
  };
}

/**
 * Extracts sliding blocks, like `torch.nn.functional.unfold`: [N, C, H, W] → [N, C·kH·kW, L], where
 * L = Π_d (⌊(size_d + 2·p_d − d_d·(k_d − 1) − 1)/s_d⌋ + 1) is the number of blocks.
 * A convolution is `weight.view(O, -1) @ unfold(x)`.
 */
export function unfold(input: Tensor, kernelSize: SizeArg, options: UnfoldOptions = {}): Tensor {
  const { x, unbatch } = batched('unfold', input, 2);
  checkFloating('unfold', 'input', x);
  const a = geometryArgs('unfold', kernelSize, options);
  const g = convGeometry('unfold', () => `input ${fmtShape(input.shape)}`, [x.shape[2], x.shape[3]], a.kernel, a.stride,
    resolveConvPadding('unfold', a.padding, a.kernel, a.stride, a.dilation), a.dilation);
  return unbatch(im2col(x, g));
}

/**
 * Combines sliding blocks into an image, summing overlaps, like `torch.nn.functional.fold`:
 * [N, C·kH·kW, L] → [N, C, outputSize[0], outputSize[1]]; the adjoint of {@link unfold}.
 */
export function fold(input: Tensor, outputSize: SizeArg, kernelSize: SizeArg, options: UnfoldOptions = {}): Tensor {
  const x = checkTensor('fold', 'input', input);
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(`fold: expected a 2-d (unbatched [C·kH·kW,L]) or 3-d (batched [N,C·kH·kW,L]) input, got ${fmtShape(x.shape)}`);
  }
  checkFloating('fold', 'input', x);
  const cols = x.ndim === 2 ? unsqueeze(x, 0) : x;
  const size = expandSize('fold', 'outputSize', outputSize, 2, 1);
  const a = geometryArgs('fold', kernelSize, options);
  const K = a.kernel[0] * a.kernel[1];
  if (cols.shape[1] % K !== 0) {
    throw new Error(`fold: input ${fmtShape(x.shape)} has ${cols.shape[1]} rows, not a multiple of the kernel's ${a.kernel[0]}x${a.kernel[1]} = ${K} taps`);
  }
  const blocks = [0, 1].map((d) => convOutSize(size[d], a.kernel[d], a.stride[d], a.padding[d], a.padding[d], a.dilation[d]));
  if (blocks[0] < 1 || blocks[1] < 1 || blocks[0] * blocks[1] !== cols.shape[2]) {
    throw new Error(
      `fold: input ${fmtShape(x.shape)} has ${cols.shape[2]} blocks, but output size ${fmtShape(size)} with kernel ${fmtShape(a.kernel)}, ` +
        `stride ${fmtShape(a.stride)}, padding ${fmtShape(a.padding)} and dilation ${fmtShape(a.dilation)} gives ${blocks[0]}x${blocks[1]}`,
    );
  }
  const g: Conv2dGeometry = {
    height: size[0], width: size[1], kernelH: a.kernel[0], kernelW: a.kernel[1], strideH: a.stride[0], strideW: a.stride[1],
    padTop: a.padding[0], padLeft: a.padding[1], dilationH: a.dilation[0], dilationW: a.dilation[1], outH: blocks[0], outW: blocks[1],
  };
  const out = col2im(cols, g);
  return x.ndim === 2 ? squeeze(out, 0) : out;
}
