/**
 * Padding layers: `ZeroPad2d`, `ConstantPad1d/2d`, `ReflectionPad1d/2d`, `ReplicationPad1d/2d`,
 * `CircularPad1d/2d`, thin modules over `functional.pad` like PyTorch's `torch/nn/modules/padding.py`.
 * @module
 */
import type { Tensor } from '../../core/tensor.js';
import { pad, type PadMode } from '../../ops/pad.js';
import { Module } from '../module.js';

/**
 * Padding amounts: one number for every side, or PyTorch's tuple from the last dim backwards —
 * [left, right] for 1-d, [left, right, top, bottom] for 2-d.
 */
export type PaddingSize = number | readonly number[];

/** What every padding layer shares: the amounts, validated once, and the mode. */
export abstract class PadNd extends Module {
  /** Amounts from the last dim backwards: [left, right] (1-d) or [left, right, top, bottom] (2-d). */
  readonly padding: readonly number[];

  protected constructor(op: string, spatial: 1 | 2, padding: PaddingSize, readonly mode: PadMode, readonly value = 0) {
    super();
    const list = typeof padding === 'number' ? new Array<number>(2 * spatial).fill(padding) : [...padding];
    if (list.length !== 2 * spatial || list.some((p) => !Number.isInteger(p))) {
      throw new Error(`${op}: padding must be one integer or ${2 * spatial} integers (${spatial === 1 ? 'left, right' : 'left, right, top, bottom'}), got ${JSON.stringify(padding)}`);
    }
    if (mode !== 'constant' && list.some((p) => p < 0)) throw new Error(`${op}: padding must be non-negative, got ${JSON.stringify(padding)}`);
    this.padding = list;
  }

  override forward(x: Tensor): Tensor {
    return pad(x, this.padding, this.mode, this.value);
  }

  override extraRepr(): string {
    return `padding=(${this.padding.join(', ')})`;
  }
}

/** Pads the last two dims with zeros, like `torch.nn.ZeroPad2d` (negative amounts crop). */
export class ZeroPad2d extends PadNd {
  constructor(padding: PaddingSize) {
    super('ZeroPad2d', 2, padding, 'constant', 0);
  }
}

/** Pads the last dim with `value`, like `torch.nn.ConstantPad1d`. */
export class ConstantPad1d extends PadNd {
  constructor(padding: PaddingSize, value: number) {
    super('ConstantPad1d', 1, padding, 'constant', value);
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, value=${this.value}`;
  }
}

/** Pads the last two dims with `value`, like `torch.nn.ConstantPad2d`. */
export class ConstantPad2d extends PadNd {
  constructor(padding: PaddingSize, value: number) {
    super('ConstantPad2d', 2, padding, 'constant', value);
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, value=${this.value}`;
  }
}

/** Mirrors the last dim at its edges without repeating the edge, like `torch.nn.ReflectionPad1d` (amounts < size). */
export class ReflectionPad1d extends PadNd {
  constructor(padding: PaddingSize) {
    super('ReflectionPad1d', 1, padding, 'reflect');
  }
}

/** Mirrors the last two dims at their edges, like `torch.nn.ReflectionPad2d` (amounts < size). */
export class ReflectionPad2d extends PadNd {
  constructor(padding: PaddingSize) {
    super('ReflectionPad2d', 2, padding, 'reflect');
  }
}

/** Repeats the edge values of the last dim, like `torch.nn.ReplicationPad1d`. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: PaddingSize) {
    super('ReplicationPad1d', 1, padding, 'replicate');
  }
}

/** Repeats the edge values of the last two dims, like `torch.nn.ReplicationPad2d`. */
export class ReplicationPad2d extends PadNd {
  constructor(padding: PaddingSize) {
    super('ReplicationPad2d', 2, padding, 'replicate');
  }
}

/** Wraps the last dim around (periodic boundary), like `torch.nn.CircularPad1d` (PyTorch ≥ 2.1). */
export class CircularPad1d extends PadNd {
  constructor(padding: PaddingSize) {
    super('CircularPad1d', 1, padding, 'circular');
  }
}

/** Wraps the last two dims around (a torus), like `torch.nn.CircularPad2d` (PyTorch ≥ 2.1). */
export class CircularPad2d extends PadNd {
  constructor(padding: PaddingSize) {
    super('CircularPad2d', 2, padding, 'circular');
  }
}
