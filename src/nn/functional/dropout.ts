/**
 * Dropout, inverted (PyTorch's) or classic (the original paper's).
 * @module
 */
import { rand } from '../../core/creation.js';
import type { Tensor } from '../../core/tensor.js';
import { ge, mul, to, where } from '../../ops/elementwise.js';

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /**
   * 'inverted' (default, PyTorch's): scale kept units by 1/(1−p) while training, identity at
   * evaluation. 'classic': keep units unscaled while training, multiply by (1−p) at evaluation.
   */
  mode?: 'inverted' | 'classic';
}

/** Throws unless `p` is a probability. */
export function checkDropoutP(op: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${op}: dropout probability p must be in [0, 1], got ${p}`);
}

/**
 * Zeroes each element independently with probability `p` (the DROP probability, as in PyTorch),
 * with a mask m ~ Bernoulli(1 − p) drawn from the default generator:
 * - inverted (default): training y = m ⊙ x / (1 − p), evaluation y = x — E[y] = x in both;
 * - classic: training y = m ⊙ x, evaluation y = (1 − p)·x — the expectation is matched at test time.
 * `training` defaults to true, as in `F.dropout`.
 */
export function dropout(input: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  checkDropoutP('dropout', p);
  const mode = options.mode ?? 'inverted';
  if (mode !== 'inverted' && mode !== 'classic') throw new Error(`dropout: mode must be 'inverted' or 'classic', got '${String(mode)}'`);
  if (!training) return mode === 'classic' && p > 0 ? mul(input, 1 - p) : input;
  if (p === 0) return input;
  if (p === 1) return mul(input, 0);
  // u ~ U[0, 1) kept where u ≥ p: P(keep) = 1 − p.
  const keep = ge(rand([...input.shape]), p);
  const scale = mode === 'inverted' ? 1 / (1 - p) : 1;
  return mul(input, to(where(keep, scale, 0), input.dtype));
}
