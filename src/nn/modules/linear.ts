/**
 * Affine layers: `Linear`, `Maxout`, and the shape helpers `Identity` and `Flatten`.
 * @module
 */
import { zeros } from '../../core/creation.js';
import type { Tensor } from '../../core/tensor.js';
import { amax } from '../../ops/reduce.js';
import { flatten, reshape } from '../../ops/view.js';
import { checkLinearInput, linear } from '../functional/linear.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of {@link Linear} and {@link Maxout}. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

function checkSize(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${op}: ${name} must be a positive integer, got ${v}`);
}

/**
 * y = x Wᵀ + b, x [..., inFeatures] → y [..., outFeatures]; weight [out, in], bias [out].
 * Init (PyTorch's): W ~ U(−1/√in, 1/√in) — kaimingUniform_ with a = √5 — and b ~ U(−1/√in, 1/√in).
 * @example const fc = new nn.Linear(4, 3); fc.call(randn(8, 4)) // [8, 3]
 */
export class Linear extends Module {
  /** Size of each input sample (the last dim of x). */
  readonly inFeatures: number;
  /** Size of each output sample (the last dim of y). */
  readonly outFeatures: number;
  /** Learnable W [outFeatures, inFeatures], initially U(−1/√in, 1/√in). */
  weight: Parameter;
  /** Learnable b [outFeatures], initially U(−1/√in, 1/√in); null with `bias: false`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : new Parameter(zeros([outFeatures]));
    if (this.bias === null) this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Redraws W and b from PyTorch's default distribution (weight first, then bias). */
  resetParameters(): void {
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override forward(x: Tensor): Tensor {
    checkLinearInput('Linear', x, this.weight);
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Maxout (Goodfellow et al., 2013): k affine maps, keep the largest, yᵢ = max_j (W_j x + b_j)ᵢ.
 * weight [pieces, out, in] holds W_j = weight[j], bias [pieces, out] holds b_j.
 * x [..., inFeatures] → y [..., outFeatures]. Init as Linear: U(−1/√in, 1/√in) for both.
 * The gradient goes to the winning piece (shared evenly on exact ties).
 * @example new nn.Maxout(4, 3, 2) // 2 pieces per output unit
 */
export class Maxout extends Module {
  /** Size of each input sample (the last dim of x). */
  readonly inFeatures: number;
  /** Size of each output sample (the last dim of y). */
  readonly outFeatures: number;
  /** Number k of affine pieces per output unit. */
  readonly pieces: number;
  /** Learnable weights [pieces, outFeatures, inFeatures], initially U(−1/√in, 1/√in). */
  weight: Parameter;
  /** Learnable biases [pieces, outFeatures], initially U(−1/√in, 1/√in); null with `bias: false`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, pieces: number, options: LinearOptions = {}) {
    super();
    checkSize('Maxout', 'inFeatures', inFeatures);
    checkSize('Maxout', 'outFeatures', outFeatures);
    checkSize('Maxout', 'pieces', pieces);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.pieces = pieces;
    this.weight = new Parameter(zeros([pieces, outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : new Parameter(zeros([pieces, outFeatures]));
    if (this.bias === null) this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Redraws W and b from U(−1/√in, 1/√in). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.inFeatures);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  override forward(x: Tensor): Tensor {
    checkLinearInput('Maxout', x, this.weight);
    const k = this.pieces * this.outFeatures;
    const z = linear(x, reshape(this.weight, [k, this.inFeatures]), this.bias && reshape(this.bias, [k]));
    return amax(reshape(z, [...x.shape.slice(0, -1), this.pieces, this.outFeatures]), -2);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, pieces=${this.pieces}, bias=${this.bias !== null}`;
  }
}

/** Returns its input unchanged (a placeholder, e.g. to switch a layer off). */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/** Merges dims startDim…endDim into one (default 1…−1: [N, C, H, W] → [N, C·H·W]). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
