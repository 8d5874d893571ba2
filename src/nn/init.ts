/**
 * `nn.init`: filling weights in place, like `torch.nn.init`. Every initialiser runs under noGrad,
 * draws from glubina's default generator (so `manualSeed` fixes it) and returns its tensor.
 *
 * Fans are PyTorch's: for a weight [out, in, k1, k2, …] the receptive field is k1·k2·…, and
 * fan_in = in·receptive, fan_out = out·receptive (a Linear weight [out, in] has receptive 1).
 * @module
 */
import { rand, randn } from '../core/creation.js';
import { isFloating } from '../core/dtype.js';
import { noGrad } from '../core/grad_mode.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul } from '../ops/elementwise.js';
import { copy_, fill_ } from '../ops/inplace.js';

/** Nonlinearities known to {@link calculateGain} (PyTorch's names). */
export type Nonlinearity =
  | 'linear' | 'identity' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** Which fan Kaiming initialisation preserves: the forward pass's (`fan_in`) or the backward pass's (`fan_out`). */
export type FanMode = 'fan_in' | 'fan_out';

/** Options of the Kaiming initialisers (the same as their positional arguments). */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (default 0; only used with 'leaky_relu'). */
  a?: number;
  /** 'fan_in' (default) keeps the forward variance, 'fan_out' the backward one. */
  mode?: FanMode;
  /** The nonlinearity that follows (default 'leaky_relu', which with a = 0 is ReLU). */
  nonlinearity?: Nonlinearity;
}

function checkFloat(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new Error(`init.${op}: needs a floating-point tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
}

function assign(t: Tensor, values: Tensor): Tensor {
  noGrad(() => copy_(t, values));
  return t;
}

/**
 * The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for ReLU,
 * √(2 / (1 + slope²)) for leaky ReLU (`param` is the slope, default 0.01), 3/4 for SELU.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'identity': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new Error(`init.calculateGain: negative slope ${param} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`init.calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * `[fanIn, fanOut]` of a weight, PyTorch's `_calculate_fan_in_and_fan_out`: dim 1 is the inputs,
 * dim 0 the outputs, and any further dims (a conv kernel [out, in, kh, kw]) multiply both.
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new Error(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dims (got ${fmtShape(t.shape)})`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Fills with 0. */
export function zeros_(t: Tensor): Tensor {
  noGrad(() => fill_(t, 0));
  return t;
}

/** Fills with 1. */
export function ones_(t: Tensor): Tensor {
  noGrad(() => fill_(t, 1));
  return t;
}

/** Fills with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => fill_(t, value));
  return t;
}

/** Draws from U(a, b) (default U(0, 1)). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  checkFloat('uniform_', t);
  if (!(a <= b)) throw new Error(`init.uniform_: expected a <= b, got a=${a}, b=${b}`);
  return assign(t, noGrad(() => add(mul(rand([...t.shape], { dtype: t.dtype }), b - a), a)));
}

/** Draws from N(mean, std²) (default N(0, 1)). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  checkFloat('normal_', t);
  if (!(std >= 0)) throw new Error(`init.normal_: std must be non-negative, got ${std}`);
  return assign(t, noGrad(() => add(mul(randn([...t.shape], { dtype: t.dtype }), std), mean)));
}

/**
 * Glorot/Xavier uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)), which keeps the
 * variance of activations and of gradients roughly equal across layers for tanh-like units.
 */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

function kaimingStd(op: string, t: Tensor, a: number | KaimingOptions | undefined, mode?: FanMode, nonlinearity?: Nonlinearity): number {
  const o: KaimingOptions = typeof a === 'object' ? a : { a, mode, nonlinearity };
  const m = o.mode ?? 'fan_in';
  if (m !== 'fan_in' && m !== 'fan_out') throw new Error(`init.${op}: mode must be 'fan_in' or 'fan_out', got '${String(m)}'`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = m === 'fan_in' ? fanIn : fanOut;
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(−b, b) with b = gain·√(3 / fan), gain from the nonlinearity (√2 for ReLU),
 * so each ReLU layer keeps the variance of its pre-activations: Var(w) = 2 / fan_in.
 * Takes PyTorch's positional `(a, mode, nonlinearity)` or an options object.
 * @example kaimingUniform_(w, { nonlinearity: 'relu' })
 */
export function kaimingUniform_(t: Tensor, a?: number | KaimingOptions, mode?: FanMode, nonlinearity?: Nonlinearity): Tensor {
  if (t.numel() === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, a, mode, nonlinearity);
  return uniform_(t, -bound, bound);
}

/**
 * He/Kaiming normal: N(0, σ²) with σ = gain / √fan (σ² = 2 / fan_in for ReLU with mode 'fan_in').
 * @example kaimingNormal_(w, 0, 'fan_in', 'relu')
 */
export function kaimingNormal_(t: Tensor, a?: number | KaimingOptions, mode?: FanMode, nonlinearity?: Nonlinearity): Tensor {
  if (t.numel() === 0) return t;
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, a, mode, nonlinearity));
}
