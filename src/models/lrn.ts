/**
 * Local response normalisation across channels (Krizhevsky et al. 2012, §3.3), the "brightness
 * normalisation" of AlexNet's first two layers, like `torch.nn.LocalResponseNorm`.
 * @module
 */
import type { RFNode } from '../analysis/rf_registry.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, mul, pow } from '../ops/elementwise.js';
import { pad } from '../ops/pad.js';
import { narrow } from '../ops/view.js';
import { Module } from '../nn/module.js';

/**
 * Functional LRN over dim 1 of [N, C, …]:
 * b_c = a_c / (k + α/n · Σ_{c' = c − ⌊n/2⌋}^{c + ⌈n/2⌉ − 1} a_{c'}²)^β, channels outside [0, C) counting as 0.
 * α is divided by the window size n as in PyTorch and Caffe (the paper writes α Σ without 1/n).
 * A composite of differentiable ops: the window sum is n shifted slices of the zero-padded squares.
 */
export function localResponseNorm(x: Tensor, size: number, alpha = 1e-4, beta = 0.75, k = 1): Tensor {
  if (!Number.isInteger(size) || size < 1) throw new Error(`localResponseNorm: size must be a positive integer, got ${size}`);
  if (x.ndim < 3) throw new Error(`localResponseNorm: expected an input [N, C, …] with at least 3 dims, got ${fmtShape(x.shape)}`);
  const C = x.shape[1];
  // pad() lists amounts from the last dim backwards; only dim 1 (channels) is padded.
  const amounts = new Array<number>(2 * (x.ndim - 2)).fill(0);
  amounts.push(Math.floor(size / 2), Math.floor((size - 1) / 2));
  const sq = pad(mul(x, x), amounts);
  let sum = narrow(sq, 1, 0, C);
  for (let j = 1; j < size; j++) sum = add(sum, narrow(sq, 1, j, C));
  return div(x, pow(add(mul(sum, alpha / size), k), beta));
}

/**
 * Local response normalisation module (see {@link localResponseNorm}); no parameters.
 * AlexNet's setting: `new LocalResponseNorm(5, 1e-4, 0.75, 2)`.
 */
export class LocalResponseNorm extends Module {
  constructor(readonly size: number, readonly alpha = 1e-4, readonly beta = 0.75, readonly k = 1) {
    super();
    if (!Number.isInteger(size) || size < 1) throw new Error(`LocalResponseNorm: size must be a positive integer, got ${size}`);
  }

  override forward(x: Tensor): Tensor {
    return localResponseNorm(x, this.size, this.alpha, this.beta, this.k);
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${this.alpha}, beta=${this.beta}, k=${this.k}`;
  }

  /** Pointwise in space (it mixes channels only). */
  receptiveFieldGraph(): RFNode {
    return { kind: 'identity' };
  }
}
