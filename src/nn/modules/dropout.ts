/**
 * `Dropout`: random zeroing while training, for regularisation.
 * @module
 */
import type { Tensor } from '../../core/tensor.js';
import { checkDropoutP, dropout, type DropoutOptions } from '../functional/dropout.js';
import { Module } from '../module.js';

/**
 * Zeroes each element with probability p (the DROP probability, PyTorch's convention) while
 * training; see {@link dropout} for the two modes:
 * - inverted (default): training y = m ⊙ x / (1 − p), eval y = x;
 * - classic (`{ mode: 'classic' }`, Srivastava et al.): training y = m ⊙ x, eval y = (1 − p)·x,
 * with m ~ Bernoulli(1 − p). Either way E[y] matches between training and evaluation.
 */
export class Dropout extends Module {
  /** `'inverted'` (default) scales by 1/(1 − p) while training; `'classic'` scales by (1 − p) in evaluation. */
  readonly mode: 'inverted' | 'classic';

  constructor(readonly p = 0.5, options: DropoutOptions = {}) {
    super();
    checkDropoutP('Dropout', p);
    this.mode = options.mode ?? 'inverted';
    if (this.mode !== 'inverted' && this.mode !== 'classic') throw new Error(`Dropout: mode must be 'inverted' or 'classic', got '${String(this.mode)}'`);
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, { mode: this.mode });
  }

  override extraRepr(): string {
    return this.mode === 'classic' ? `p=${this.p}, mode=classic` : `p=${this.p}`;
  }
}
