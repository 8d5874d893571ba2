/**
 * Convolutions as PyTorch computes them (cross-correlation), composed from im2col/col2im and
 * matmul, so their gradients w.r.t. input, weight and bias come from those ops' rules:
 * conv = weight @ im2col(x); its input gradient = col2im(weightᵀ @ grad); its weight gradient
 * = grad @ im2col(x)ᵀ. A transposed convolution is the same pair run the other way.
 * @module
 */
import {
  convGeometry, convTransposeOutSize, expandSize, resolveConvPadding,
  type Conv2dGeometry, type ConvPadding, type SizeArg,
} from '../core/conv_shape.js';
import { fmtShape, numel } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { add } from './elementwise.js';
import { checkSameBackend, checkTensor, composite, record, wrap } from './helpers.js';
import { isGradEnabled } from '../core/grad_mode.js';
import { addmm, matmul } from './linalg.js';
import { sum } from './reduce.js';
import { batched, checkFloating } from './spatial.js';
import { col2im, col2imBatched, im2col, im2colBatched } from './unfold.js';
import { contiguous, permute, reshape, squeeze, transpose, unsqueeze } from './view.js';

/** Options of {@link conv1d} and {@link conv2d}. */
export interface ConvOptions {
  /** Step between windows, one number or one per spatial dim (default 1). */
  stride?: SizeArg;
  /**
   * Zero padding: a number or one per spatial dim (both sides), `'valid'` (none) or `'same'`
   * (output size = input size; stride 1 only; an odd total puts the extra zero at the end).
   */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Split channels into this many independent groups (default 1; = channels for depthwise). */
  groups?: number;
}

/** Options of {@link convTranspose1d} and {@link convTranspose2d}. */
export interface ConvTransposeOptions {
  /** Upsampling step (default 1). */
  stride?: SizeArg;
  /** The padding of the convolution this one transposes: trims this many rows/cols off each side of the full output (default 0). */
  padding?: SizeArg;
  /** Extra size added on one side of the output, smaller than stride or dilation (default 0). */
  outputPadding?: SizeArg;
  /** Channel groups (default 1). */
  groups?: number;
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
}

interface ConvOperands {
  x: Tensor;
  weight: Tensor;
  bias: Tensor | null;
  groups: number;
  unbatch: (t: Tensor) => Tensor;
}

/** Validates what both convolution directions share; `spatial` is 1 or 2. */
function operands(op: string, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, groups: number | undefined, spatial: number): ConvOperands {
  const { x, unbatch } = batched(op, input, spatial);
  checkTensor(op, 'weight', weight);
  const kdims = spatial === 1 ? 'k' : 'kH,kW';
  if (weight.ndim !== spatial + 2) {
    throw new Error(`${op}: weight must be ${spatial + 2}-d [channels,channels/groups,${kdims}], got ${fmtShape(weight.shape)}`);
  }
  checkFloating(op, 'input', x);
  if (weight.dtype !== x.dtype) {
    throw new Error(`${op}: input ${fmtShape(input.shape)} is ${x.dtype} but weight ${fmtShape(weight.shape)} is ${weight.dtype}`);
  }
  const g = groups ?? 1;
  if (!Number.isInteger(g) || g < 1) throw new Error(`${op}: groups must be a positive integer, got ${g}`);
  if (x.shape[1] % g !== 0) {
    throw new Error(`${op}: groups=${g} does not divide the ${x.shape[1]} channels of input ${fmtShape(input.shape)}`);
  }
  const tensors = [x, weight];
  if (bias !== null && bias !== undefined) {
    checkTensor(op, 'bias', bias);
    if (bias.dtype !== x.dtype) throw new Error(`${op}: bias ${fmtShape(bias.shape)} is ${bias.dtype} but input is ${x.dtype}`);
    tensors.push(bias);
  }
  checkSameBackend(op, tensors);
  return { x, weight, bias: bias ?? null, groups: g, unbatch };
}

function checkBias(op: string, bias: Tensor | null, channels: number, weight: Tensor): void {
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== channels)) {
    throw new Error(`${op}: bias must be [${channels}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
}

function addBias(out: Tensor, bias: Tensor | null): Tensor {
  return bias === null ? out : add(out, reshape(bias, [1, bias.shape[0], 1, 1]));
}

/** Output sizes (outH·outW) below which the batch is folded into the GEMM's columns. */
const FOLD_BELOW = 1024;

/**
 * x [N, C, H, W] ⋆ weight [O, C/g, kH, kW] with geometry g → [N, O, outH, outW], possibly a
 * non-contiguous view (the caller's bias add or {@link contiguous} lays it out).
 *
 * For small images the batch joins the GEMM's columns: weight [g, O/g, K] @ cols [g, K, N·L] is one product per
 * group instead of N small ones, and its gradients are single large products too (the weight
 * gradient sums over the batch inside the GEMM rather than in a separate reduction).
 */
function conv2dCore(x: Tensor, weight: Tensor, groups: number, g: Conv2dGeometry): Tensor {
  const [N, C] = x.shape;
  const O = weight.shape[0];
  const K = (C / groups) * g.kernelH * g.kernelW;
  const L = g.outH * g.outW;
  const w = reshape(weight, [groups, O / groups, K]);
  // Large images keep one product per image: their columns are long already.
  if (N === 1 || L >= FOLD_BELOW) return reshape(matmul(w, reshape(im2col(x, g), [N, groups, K, L])), [N, O, g.outH, g.outW]);
  const cols = reshape(im2colBatched(x, g), [groups, K, N * L]);
  return permute(reshape(matmul(w, cols), [O, N, g.outH, g.outW]), [1, 0, 2, 3]);
}

/**
 * The batch-folded product weight [O, K] @ im2colBatched(x) [K, N·L] (+ bias) as the backend's
 * implicit GEMM (the columns built slab by slab in cache, never read back from memory), laid out
 * [N, O, outH, outW] with the bias added by the backend, or null where it has no kernel for it. The
 * columns are stored only when the weight gradient will need them and the backend cannot rebuild
 * them in cache itself. The gradient rules are the composed ones': input gradient
 * col2im(weightᵀ @ grad), weight gradient grad @ columnsᵀ (with grad mode on in backward, for double
 * backward, built from differentiable ops), bias gradient the sum of grad per channel.
 */
function implicitConv(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry): Tensor | null {
  const folded = x.backend.conv2dFolded?.(x, weight, g, bias, isGradEnabled() && weight.requiresGrad) ?? null;
  if (folded === null) return null;
  const N = x.shape[0];
  const O = weight.shape[0];
  const K = numel(weight.shape) / O;
  const NL = N * g.outH * g.outW;
  const columns = folded.columns === null ? null : wrap(folded.columns, [K, NL]);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record('ConvolutionBackward0', wrap(folded.output, [N, O, g.outH, g.outW]), inputs, (grad, [sx, sw, kept], needs) => {
    const flat = foldedGrad(grad);
    const dx = needs[0] ? foldedInputGrad(sw, flat(), g, N) : null;
    // Row sums of the folded gradient: contiguous rows, where the sum over [0, 2, 3] strides.
    const db = bias !== null && needs[2] ? sum(flat(), [1]) : null;
    let dw: Tensor | null = null;
    if (needs[1]) {
      if (isGradEnabled()) dw = foldedWeightGrad(flat(), im2colBatched(sx, g));
      else if (kept !== undefined) dw = foldedWeightGrad(flat(), kept);
      else {
        const direct = sx.backend.conv2dFoldedWeightGrad?.(flat(), sx, g) ?? null;
        dw = direct === null ? foldedWeightGrad(flat(), im2colBatched(sx, g)) : wrap(direct, [O, K]);
      }
      dw = reshape(dw, sw.shape);
    }
    return bias === null ? [dx, dw] : [dx, dw, db];
  }, columns === null ? [x, weight] : [x, weight, columns]);
}

/**
 * Large images (the branch of {@link conv2dCore} that keeps one product per image) by the backend's
 * one-image-at-a-time kernels: each image's columns built and used in cache, never stored
 * for the batch, and rebuilt for the weight gradient. Null where the backend has no kernel for it.
 * Gradient rules as composed: input gradient col2im(weightᵀ @ grad), weight gradient Σₙ grad[n] @
 * im2col(x)[n]ᵀ (built from differentiable ops with grad mode on in backward, for double backward),
 * bias gradient the sum of grad per channel.
 */
function imageConv(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry): Tensor | null {
  const [N] = x.shape;
  const L = g.outH * g.outW;
  if (L < FOLD_BELOW) return null;
  const storage = x.backend.conv2dImages?.(x, weight, g, bias) ?? null;
  if (storage === null) return null;
  const O = weight.shape[0];
  const K = numel(weight.shape) / O;
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record('ConvolutionBackward0', wrap(storage, [N, O, g.outH, g.outW]), inputs, (upstream, [sx, sw], needs) => {
    const be = upstream.backend;
    const direct = !isGradEnabled();
    // One contiguous copy for both kernels where needed (sum().backward() hands over a broadcast view).
    const grad = direct && needs[0] && needs[1] ? contiguous(upstream) : upstream;
    const perImage = (): Tensor => reshape(grad, [N, O, L]);
    let dx: Tensor | null = null;
    if (needs[0]) {
      const storage = direct ? be.conv2dImagesInputGrad?.(grad, sw, g) ?? null : null;
      dx = storage !== null ? wrap(storage, sx.shape) : col2im(matmul(transpose(reshape(sw, [O, K]), 0, 1), perImage()), g);
    }
    let dw: Tensor | null = null;
    if (needs[1]) {
      const storage = direct ? be.conv2dImagesWeightGrad?.(grad, sx, g) ?? null : null;
      dw = reshape(storage !== null ? wrap(storage, [O, K]) : sum(matmul(perImage(), transpose(im2col(sx, g), 1, 2)), [0]), sw.shape);
    }
    const db = bias !== null && needs[2] ? sum(grad, [0, 2, 3]) : null;
    // The copy is this rule's own and nothing returned refers to it: free it now, not at collection.
    if (grad !== upstream) grad.dispose();
    return bias === null ? [dx, dw] : [dx, dw, db];
  }, [x, weight]);
}

/**
 * The gradient grad [N, O, outH, outW] in the batch-folded layout [O, N·outH·outW] the composed rules
 * take, made on first use (a copy unless N is 1).
 */
function foldedGrad(grad: Tensor): () => Tensor {
  const [N, O, H, W] = grad.shape;
  let flat: Tensor | null = null;
  return () => (flat ??= reshape(permute(grad, [1, 0, 2, 3]), [O, N * H * W]));
}

/**
 * A convolution of single-channel images straight from the image (the backend's direct kernels; a
 * first layer on grayscale input, LeNet's C1), [N, O, outH, outW] with the bias added, or null where
 * the backend has no kernel for it. Gradient rules as composed: input gradient col2im(weightᵀ @ grad);
 * weight and bias gradients from the backend's one pass over grad unless grad mode is on in backward
 * (then grad @ im2col(x)ᵀ and a sum over batch and positions, differentiable).
 */
function singleChannelConv(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry): Tensor | null {
  const be = x.backend;
  const storage = be.conv2dSingleChannel?.(x, weight, g, bias) ?? null;
  if (storage === null) return null;
  const [N] = x.shape;
  const O = weight.shape[0];
  const out = wrap(storage, [N, O, g.outH, g.outW]);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record('ConvolutionBackward0', out, inputs, (grad, [sx, sw], needs) => {
    const folded = foldedGrad(grad);
    const dx = needs[0] ? foldedInputGrad(sw, folded(), g, N) : null;
    const needBias = bias !== null && needs[2];
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    const direct = !needs[1] || isGradEnabled() ? null : be.conv2dSingleChannelWeightGrad?.(grad, sx, g, needBias) ?? null;
    if (direct !== null) {
      dw = wrap(direct.weight, sw.shape);
      db = direct.bias === null ? null : wrap(direct.bias, [O]);
    } else if (needs[1]) {
      dw = reshape(foldedWeightGrad(folded(), im2colBatched(sx, g)), sw.shape);
    }
    if (needBias && db === null) db = sum(grad, [0, 2, 3]);
    return bias === null ? [dx, dw] : [dx, dw, db];
  }, [x, weight]);
}

/**
 * The input gradient of weight @ im2colBatched(x) from the folded gradient [O, N·L]: col2im(weightᵀ @ grad),
 * by the backend's direct kernel where it has one (not with grad mode on: that must be differentiable).
 */
function foldedInputGrad(weight: Tensor, grad: Tensor, g: Conv2dGeometry, N: number): Tensor {
  const direct = isGradEnabled() ? null : grad.backend.conv2dInputGrad?.(grad, weight, g, N) ?? null;
  if (direct !== null) return wrap(direct, [N, weight.shape[1], g.height, g.width]);
  const O = weight.shape[0];
  return col2imBatched(matmul(transpose(reshape(weight, [O, numel(weight.shape) / O]), 0, 1), grad), g, N);
}

/** The weight gradient of weight @ columns from the folded gradient [O, N·L]: grad @ columnsᵀ, [O, K]. */
function foldedWeightGrad(grad: Tensor, columns: Tensor): Tensor {
  return matmul(grad, transpose(columns, 0, 1));
}

/** Shared by conv1d and conv2d: `spatial` 1 views the input as height 1. */
function convNd(op: string, spatial: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvOptions): Tensor {
  const o = operands(op, input, weight, bias, options.groups, spatial);
  const { x, groups } = o;
  const C = x.shape[1];
  const O = weight.shape[0];
  if (O % groups !== 0) {
    throw new Error(`${op}: groups=${groups} does not divide the ${O} output channels of weight ${fmtShape(weight.shape)}`);
  }
  if (C !== weight.shape[1] * groups) {
    const expects = groups === 1 ? `${weight.shape[1]}` : `${weight.shape[1] * groups} (${weight.shape[1]} per group × groups=${groups})`;
    throw new Error(`${op}: input ${fmtShape(input.shape)} has ${C} channels, weight ${fmtShape(weight.shape)} expects ${expects}`);
  }
  checkBias(op, o.bias, O, weight);
  const kernel = weight.shape.slice(2);
  const stride = expandSize(op, 'stride', options.stride ?? 1, spatial, 1);
  const dilation = expandSize(op, 'dilation', options.dilation ?? 1, spatial, 1);
  const pad = resolveConvPadding(op, options.padding ?? 0, kernel, stride, dilation);
  // 1-d runs as 2-d over a height-1 image with a height-1 kernel.
  const lift = (v: readonly number[], h: number): number[] => (spatial === 1 ? [h, ...v] : [...v]);
  const x4 = spatial === 1 ? unsqueeze(x, 2) : x;
  const w4 = spatial === 1 ? unsqueeze(weight, 2) : weight;
  const g = convGeometry(op, () => `input ${fmtShape(input.shape)} and weight ${fmtShape(weight.shape)}`, [x4.shape[2], x4.shape[3]],
    lift(kernel, 1), lift(stride, 1), { before: lift(pad.before, 0), after: lift(pad.after, 0) }, lift(dilation, 1));
  const out = composite([x4, w4, o.bias], () => coversWholeInput(g) && groups === 1 ? wholeInputConv(x4, w4, o.bias)
    : (groups === 1 ? singleChannelConv(x4, w4, o.bias, g) ?? implicitConv(x4, w4, o.bias, g) ?? imageConv(x4, w4, o.bias, g) : null) ?? contiguous(addBias(conv2dCore(x4, w4, groups, g), o.bias)));
  return o.unbatch(spatial === 1 ? squeeze(out, 2) : out);
}

/** True when the only window is the whole unpadded image (one output position, every tap inside). */
function coversWholeInput(g: Conv2dGeometry): boolean {
  return g.outH === 1 && g.outW === 1 && g.padTop === 0 && g.padLeft === 0 && g.kernelH === g.height && g.kernelW === g.width &&
    g.dilationH === 1 && g.dilationW === 1;
}

/**
 * A convolution whose kernel covers the whole image is a Linear layer: x [N, K] @ weight [O, K]ᵀ
 * (+ bias), K = C·kH·kW in the same order as im2col's rows. It skips im2col and col2im, which
 * for LeNet-5's C5 moved 25,600 one-float rows each way (0.65 ms of a 11 ms training step).
 */
function wholeInputConv(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const [N] = x.shape;
  const O = weight.shape[0];
  const K = numel(weight.shape) / O;
  const rows = reshape(x, [N, K]);
  const w = transpose(reshape(weight, [O, K]), 0, 1);
  const out = bias === null ? matmul(rows, w) : addmm(bias, rows, w);
  return reshape(out, [N, O, 1, 1]);
}

/**
 * 2-d convolution (cross-correlation), like `torch.nn.functional.conv2d`:
 * out[n, o, i, j] = bias[o] + Σ_{c ∈ group(o), a, b} weight[o, c, a, b] · x[n, c, i·s + a·d − p, j·s + b·d − p].
 * Input [N, C, H, W] or [C, H, W]; weight [O, C/groups, kH, kW]; bias [O] or null;
 * output size ⌊(H + 2p − d·(kH − 1) − 1)/s⌋ + 1 per dim.
 * @example conv2d(x, w, b, { stride: 2, padding: 1 })
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return convNd('conv2d', 2, input, weight, bias, options);
}

/**
 * 1-d convolution, like `torch.nn.functional.conv1d`: input [N, C, L] or [C, L], weight
 * [O, C/groups, k], bias [O] or null; the 2-d formula with height 1.
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return convNd('conv1d', 1, input, weight, bias, options);
}

/** Shared by convTranspose1d and convTranspose2d. */
function convTransposeNd(op: string, spatial: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvTransposeOptions): Tensor {
  const o = operands(op, input, weight, bias, options.groups, spatial);
  const { x, groups } = o;
  const [N, Cin] = x.shape;
  if (Cin !== weight.shape[0]) {
    throw new Error(`${op}: input ${fmtShape(input.shape)} has ${Cin} channels, weight ${fmtShape(weight.shape)} expects ${weight.shape[0]}`);
  }
  const Cout = weight.shape[1] * groups;
  checkBias(op, o.bias, Cout, weight);
  const kernel = weight.shape.slice(2);
  const stride = expandSize(op, 'stride', options.stride ?? 1, spatial, 1);
  const dilation = expandSize(op, 'dilation', options.dilation ?? 1, spatial, 1);
  const padding = expandSize(op, 'padding', options.padding ?? 0, spatial, 0);
  const outPad = expandSize(op, 'outputPadding', options.outputPadding ?? 0, spatial, 0);
  outPad.forEach((p, d) => {
    if (p >= stride[d] && p >= dilation[d]) {
      throw new Error(`${op}: outputPadding ${fmtShape(outPad)} must be smaller than either stride ${fmtShape(stride)} or dilation ${fmtShape(dilation)}`);
    }
  });
  const inSize = x.shape.slice(2);
  const outSize = inSize.map((s, d) => convTransposeOutSize(s, kernel[d], stride[d], padding[d], dilation[d], outPad[d]));
  if (outSize.some((s) => s < 1)) {
    throw new Error(`${op}: output size ${fmtShape(outSize)} is too small for input ${fmtShape(input.shape)} and weight ${fmtShape(weight.shape)} (padding ${fmtShape(padding)})`);
  }
  const lift = (v: readonly number[], h: number): number[] => (spatial === 1 ? [h, ...v] : [...v]);
  const [kH, kW] = lift(kernel, 1);
  const [sH, sW] = lift(stride, 1);
  const [pH, pW] = lift(padding, 0);
  const [dH, dW] = lift(dilation, 1);
  const [oH, oW] = lift(outSize, 1);
  const [H, W] = lift(inSize, 1);
  // The transposed conv's output is the image col2im writes; its input positions are the blocks.
  const g: Conv2dGeometry = {
    height: oH, width: oW, kernelH: kH, kernelW: kW, strideH: sH, strideW: sW,
    padTop: pH, padLeft: pW, dilationH: dH, dilationW: dW, outH: H, outW: W,
  };
  const K = (Cout / groups) * kH * kW;
  const out = composite([x, weight, o.bias], () => {
    const xs = reshape(x, [N, groups, Cin / groups, H * W]);
    const w = transpose(reshape(weight, [groups, Cin / groups, K]), 1, 2);
    const cols = reshape(matmul(w, xs), [N, Cout * kH * kW, H * W]);
    return addBias(col2im(cols, g), o.bias);
  });
  return o.unbatch(spatial === 1 ? squeeze(out, 2) : out);
}

/**
 * 2-d transposed convolution ("up-convolution", the gradient of conv2d w.r.t. its input), like
 * `torch.nn.functional.conv_transpose2d`. Input [N, Cin, H, W] or [Cin, H, W]; weight
 * [Cin, Cout/groups, kH, kW]; bias [Cout] or null; output size
 * (H − 1)·s − 2p + d·(kH − 1) + outputPadding + 1 per dim.
 * @example convTranspose2d(x, w, null, { stride: 2 }) // doubles H and W with a 2×2 kernel
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose2d', 2, input, weight, bias, options);
}

/** 1-d transposed convolution, like `torch.nn.functional.conv_transpose1d`: weight [Cin, Cout/groups, k]. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose1d', 1, input, weight, bias, options);
}
