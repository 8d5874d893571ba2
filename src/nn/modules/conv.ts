/**
 * Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d`, thin like PyTorch's
 * `torch/nn/modules/conv.py`: the constructor validates every argument once, makes the parameters
 * and calls `resetParameters()`; `forward` calls the functional op.
 *
 * A convolution with C input channels, T filters and a kernel of (2d+1)×(2d+1) has
 * (2d+1)²·C·T weights (divided by `groups`) and T biases: weight [T, C/groups, kH, kW], bias [T].
 * @module
 */
import { zeros } from '../../core/creation.js';
import { expandSize, resolveConvPadding, convTransposeOutSize, type ConvPadding, type SizeArg } from '../../core/conv_shape.js';
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../ops/conv.js';
import { pad } from '../../ops/pad.js';
import { squeeze, unsqueeze } from '../../ops/view.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** How a convolution fills its border: PyTorch's `padding_mode`. */
export type ConvPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

const PADDING_MODES: readonly ConvPaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** Options of {@link Conv1d} and {@link Conv2d} (PyTorch's keyword arguments). */
export interface ConvLayerOptions {
  /** Step between windows, one number or one per spatial dim (default 1). */
  stride?: SizeArg;
  /**
   * Padding on both sides: a number, one per spatial dim, `'valid'` (none) or `'same'` (output size =
   * input size; stride 1 only; an odd total puts the extra row/column at the bottom/right). Default 0.
   */
  padding?: ConvPadding;
  /** Spacing between kernel taps, the "dilated convolution" (default 1). */
  dilation?: SizeArg;
  /** Split the channels into this many independent groups; must divide both channel counts (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** What the padding holds: zeros (default), a mirror image, the edge value repeated, or the opposite edge. */
  paddingMode?: ConvPaddingMode;
}

/** Options of {@link ConvTranspose1d} and {@link ConvTranspose2d}. */
export interface ConvTransposeLayerOptions {
  /** Upsampling step (default 1). */
  stride?: SizeArg;
  /** The padding of the convolution this one transposes: trims this many rows/columns off each side of the output (default 0). */
  padding?: SizeArg;
  /** Extra rows/columns on the bottom/right of the output, smaller than stride or dilation (default 0). */
  outputPadding?: SizeArg;
  /** Channel groups; must divide both channel counts (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Only 'zeros' exists for transposed convolutions, as in PyTorch. */
  paddingMode?: 'zeros';
}

function checkCount(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${op}: ${name} must be a positive integer, got ${v}`);
}

function checkGroups(op: string, inChannels: number, outChannels: number, groups: number): void {
  checkCount(op, 'groups', groups);
  if (inChannels % groups !== 0) throw new Error(`${op}: inChannels=${inChannels} must be divisible by groups=${groups}`);
  if (outChannels % groups !== 0) throw new Error(`${op}: outChannels=${outChannels} must be divisible by groups=${groups}`);
}

/** PyTorch's `reset_parameters` of every conv: W ~ kaiming_uniform(a = √5), i.e. U(−1/√fan_in, 1/√fan_in), and b from the same range. */
function resetConv(weight: Parameter, bias: Parameter | null): void {
  kaimingUniform_(weight, Math.sqrt(5));
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}

function fmtTuple(v: readonly number[]): string {
  return `(${v.join(', ')})`;
}

/**
 * What {@link Conv1d} and {@link Conv2d} share (PyTorch's `_ConvNd`). `spatial` is 1 or 2.
 */
export abstract class ConvNd extends Module {
  /** Channels C of the input. */
  readonly inChannels: number;
  /** Channels T of the output (the number of filters). */
  readonly outChannels: number;
  /** Kernel size per spatial dim, e.g. (kH, kW). */
  readonly kernelSize: readonly number[];
  /** Step between windows per spatial dim (default 1). */
  readonly stride: readonly number[];
  /** Per spatial dim, or 'same' / 'valid' as given. */
  readonly padding: readonly number[] | 'same' | 'valid';
  /** Spacing between kernel taps per spatial dim (default 1). */
  readonly dilation: readonly number[];
  /** Number of channel groups (default 1): each output channel sees inChannels/groups input channels. */
  readonly groups: number;
  /** What the padding holds: `'zeros'` (default), `'reflect'`, `'replicate'` or `'circular'`. */
  readonly paddingMode: ConvPaddingMode;
  /** Padding actually applied before and after each spatial dim (resolves 'same'). */
  readonly paddingBefore: readonly number[];
  /** Padding actually applied after each spatial dim (gets the extra row/column of an odd 'same' total). */
  readonly paddingAfter: readonly number[];
  /** Learnable filters [T, C/groups, ...kernelSize], initially U(−1/√fan_in, 1/√fan_in) with fan_in = C/groups·∏k. */
  weight: Parameter;
  /** Learnable bias [T] (same initial range as the weight), or null with `bias: false`. */
  bias: Parameter | null;

  protected constructor(
    readonly op: string,
    readonly spatial: 1 | 2,
    inChannels: number,
    outChannels: number,
    kernelSize: SizeArg,
    options: ConvLayerOptions,
  ) {
    super();
    checkCount(op, 'inChannels', inChannels);
    checkCount(op, 'outChannels', outChannels);
    const groups = options.groups ?? 1;
    checkGroups(op, inChannels, outChannels, groups);
    this.kernelSize = expandSize(op, 'kernelSize', kernelSize, spatial, 1);
    this.stride = expandSize(op, 'stride', options.stride ?? 1, spatial, 1);
    this.dilation = expandSize(op, 'dilation', options.dilation ?? 1, spatial, 1);
    const padding = options.padding ?? 0;
    if (typeof padding === 'string' && padding !== 'same' && padding !== 'valid') {
      throw new Error(`${op}: padding must be a number, a list of numbers, 'valid' or 'same', got '${padding as string}'`);
    }
    // resolveConvPadding refuses 'same' with a stride > 1 and checks numeric padding.
    const resolved = resolveConvPadding(op, padding, this.kernelSize, this.stride, this.dilation);
    this.padding = typeof padding === 'string' ? padding : expandSize(op, 'padding', padding, spatial, 0);
    this.paddingBefore = resolved.before;
    this.paddingAfter = resolved.after;
    const mode = options.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(mode)) {
      throw new Error(`${op}: paddingMode must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}, got '${String(mode)}'`);
    }
    this.paddingMode = mode;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = options.bias === false ? null : new Parameter(zeros([outChannels]));
    if (this.bias === null) this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Redraws the weight from kaiming_uniform(a = √5) = U(−1/√fan_in, 1/√fan_in) and the bias from U(−1/√fan_in, 1/√fan_in), fan_in = C/groups·∏k. */
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }

  /** The functional convolution with explicit padding. */
  protected abstract convolve(x: Tensor, padding: ConvPadding): Tensor;

  override forward(x: Tensor): Tensor {
    if (this.paddingMode === 'zeros') return this.convolve(x, this.padding === 'same' || this.padding === 'valid' ? this.padding : [...this.padding]);
    // As PyTorch: pad with F.pad in the chosen mode (amounts from the last dim backwards), then convolve without padding.
    const amounts: number[] = [];
    for (let d = this.spatial - 1; d >= 0; d--) amounts.push(this.paddingBefore[d], this.paddingAfter[d]);
    // F.pad's circular mode needs a batch dim; add one to an unbatched input.
    const unbatched = x.ndim === this.spatial + 1;
    const padded = pad(unbatched ? unsqueeze(x, 0) : x, amounts, this.paddingMode);
    const out = this.convolve(padded, 0);
    return unbatched ? squeeze(out, 0) : out;
  }

  /** PyTorch's repr: only the options that differ from their defaults. */
  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=${fmtTuple(this.kernelSize)}, stride=${fmtTuple(this.stride)}`];
    if (typeof this.padding === 'string') parts.push(`padding=${this.padding}`);
    else if (this.padding.some((p) => p !== 0)) parts.push(`padding=${fmtTuple(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${fmtTuple(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push('bias=false');
    if (this.paddingMode !== 'zeros') parts.push(`paddingMode=${this.paddingMode}`);
    return parts.join(', ');
  }
}

/**
 * 2-d convolution (cross-correlation) over [N, C, H, W] (or [C, H, W]), like `torch.nn.Conv2d`:
 * out[n, t] = bias[t] + Σ_c weight[t, c] ⋆ x[n, c], output size
 * ⌊(H + 2p − d·(k − 1) − 1)/s⌋ + 1 per dim. weight [T, C/groups, kH, kW], bias [T].
 * Init (PyTorch's): W ~ U(−1/√fan_in, 1/√fan_in) via kaiming_uniform(a = √5), b ~ U(−1/√fan_in, 1/√fan_in),
 * fan_in = C/groups·kH·kW.
 * @example
 * const conv = new nn.Conv2d(1, 8, 3, { padding: 'same', paddingMode: 'reflect' });
 * conv.call(randn(4, 1, 28, 28)); // [4, 8, 28, 28]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }

  protected convolve(x: Tensor, padding: ConvPadding): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/**
 * 1-d convolution over [N, C, L] (or [C, L]), like `torch.nn.Conv1d`; weight [T, C/groups, k], bias [T].
 * Options and init as {@link Conv2d}.
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }

  protected convolve(x: Tensor, padding: ConvPadding): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/**
 * What {@link ConvTranspose1d} and {@link ConvTranspose2d} share (PyTorch's `_ConvTransposeNd`).
 * The weight is [Cin, Cout/groups, ...kernel], so PyTorch's init takes fan_in = Cout/groups·∏k.
 */
export abstract class ConvTransposeNd extends Module<[Tensor, (readonly number[])?], Tensor> {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** Kernel size per spatial dim, e.g. (kH, kW). */
  readonly kernelSize: readonly number[];
  /** Upsampling step per spatial dim (default 1). */
  readonly stride: readonly number[];
  /** Padding of the convolution this one transposes, per spatial dim: trims that many rows/columns off each side of the output (default 0). */
  readonly padding: readonly number[];
  /** Extra rows/columns on the bottom/right of the output, per spatial dim (default 0). */
  readonly outputPadding: readonly number[];
  /** Spacing between kernel taps per spatial dim (default 1). */
  readonly dilation: readonly number[];
  /** Number of channel groups (default 1). */
  readonly groups: number;
  /** Always `'zeros'`, as in PyTorch. */
  readonly paddingMode = 'zeros' as const;
  /** Learnable weight [Cin, Cout/groups, ...kernelSize], initially U(−1/√fan_in, 1/√fan_in) with fan_in = Cout/groups·∏k. */
  weight: Parameter;
  /** Learnable bias [Cout] (same initial range as the weight), or null with `bias: false`. */
  bias: Parameter | null;

  protected constructor(
    readonly op: string,
    readonly spatial: 1 | 2,
    inChannels: number,
    outChannels: number,
    kernelSize: SizeArg,
    options: ConvTransposeLayerOptions,
  ) {
    super();
    checkCount(op, 'inChannels', inChannels);
    checkCount(op, 'outChannels', outChannels);
    const groups = options.groups ?? 1;
    checkGroups(op, inChannels, outChannels, groups);
    if ((options.paddingMode ?? 'zeros') !== 'zeros') {
      throw new Error(`${op}: only paddingMode 'zeros' is supported, got '${String(options.paddingMode)}'`);
    }
    this.kernelSize = expandSize(op, 'kernelSize', kernelSize, spatial, 1);
    this.stride = expandSize(op, 'stride', options.stride ?? 1, spatial, 1);
    this.padding = expandSize(op, 'padding', options.padding ?? 0, spatial, 0);
    this.dilation = expandSize(op, 'dilation', options.dilation ?? 1, spatial, 1);
    this.outputPadding = expandSize(op, 'outputPadding', options.outputPadding ?? 0, spatial, 0);
    this.outputPadding.forEach((p, d) => {
      if (p >= this.stride[d] && p >= this.dilation[d]) {
        throw new Error(`${op}: outputPadding ${fmtTuple(this.outputPadding)} must be smaller than either stride ${fmtTuple(this.stride)} or dilation ${fmtTuple(this.dilation)}`);
      }
    });
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.weight = new Parameter(zeros([inChannels, outChannels / groups, ...this.kernelSize]));
    this.bias = options.bias === false ? null : new Parameter(zeros([outChannels]));
    if (this.bias === null) this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** As for convolutions (PyTorch's quirk: fan_in is read from the weight's dim 1, i.e. Cout/groups·∏k). */
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }

  /**
   * The outputPadding that yields `outputSize` (its last `spatial` entries), PyTorch's `_output_padding`:
   * each size must lie in [min, min + max(stride, dilation) − 1], min = (in − 1)·s − 2p + d·(k − 1) + 1.
   */
  protected resolveOutputPadding(x: Tensor, outputSize: readonly number[] | undefined): number[] {
    if (outputSize === undefined) return [...this.outputPadding];
    const want = outputSize.slice(-this.spatial);
    if (want.length !== this.spatial || (outputSize.length !== this.spatial && outputSize.length !== this.spatial + 2 && outputSize.length !== this.spatial + 1)) {
      throw new Error(`${this.op}: outputSize must have ${this.spatial} (or ${this.spatial + 2}) entries, got ${fmtShape(outputSize)}`);
    }
    const inSize = x.shape.slice(-this.spatial);
    return want.map((size, d) => {
      const min = convTransposeOutSize(inSize[d], this.kernelSize[d], this.stride[d], this.padding[d], this.dilation[d], 0);
      const max = min + Math.max(this.stride[d], this.dilation[d]) - 1;
      if (!Number.isInteger(size) || size < min || size > max) {
        throw new Error(`${this.op}: requested outputSize ${fmtShape(want)} is not reachable from input ${fmtShape(x.shape)}: dim ${d} must be between ${min} and ${max}`);
      }
      return size - min;
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=${fmtTuple(this.kernelSize)}, stride=${fmtTuple(this.stride)}`];
    if (this.padding.some((p) => p !== 0)) parts.push(`padding=${fmtTuple(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${fmtTuple(this.dilation)}`);
    if (this.outputPadding.some((p) => p !== 0)) parts.push(`outputPadding=${fmtTuple(this.outputPadding)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push('bias=false');
    return parts.join(', ');
  }
}

/**
 * 2-d transposed convolution, the "up-convolution" of U-Net, like `torch.nn.ConvTranspose2d`: the
 * gradient of a Conv2d w.r.t. its input. Output size (H − 1)·s − 2p + d·(k − 1) + outputPadding + 1
 * per dim; `call(x, outputSize)` picks the outputPadding that reaches `outputSize`.
 * weight [Cin, Cout/groups, kH, kW], bias [Cout]. Init: PyTorch's (see {@link ConvTransposeNd.resetParameters}).
 * @example new nn.ConvTranspose2d(16, 8, 2, { stride: 2 }).call(randn(1, 16, 7, 7)) // [1, 8, 14, 14]
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, options);
  }

  override forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.resolveOutputPadding(x, outputSize),
      groups: this.groups, dilation: this.dilation,
    });
  }
}

/** 1-d transposed convolution, like `torch.nn.ConvTranspose1d`: weight [Cin, Cout/groups, k]. */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose1d', 1, inChannels, outChannels, kernelSize, options);
  }

  override forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.resolveOutputPadding(x, outputSize),
      groups: this.groups, dilation: this.dilation,
    });
  }
}
