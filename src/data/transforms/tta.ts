/**
 * Test-time augmentation.
 * @module
 */
import { noGrad } from '../../core/grad_mode.js';
import { tidy } from '../../core/memory.js';
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { softmax } from '../../ops/activation.js';
import { add, div } from '../../ops/elementwise.js';
import { applyTransform, type TransformLike } from './transform.js';

/** Options of {@link tta}. */
export interface TtaOptions {
  /** Count the un-augmented input as one of the n copies (default true). */
  includeOriginal?: boolean;
}

/**
 * Test-time augmentation: the mean of `softmax(predict(x'))` over `n` copies x' of the batch
 * (the original, if `includeOriginal`, and augmented ones), without recording a graph.
 * `predict` maps a batch [N,…] to logits [N,K]; the result is probabilities [N,K].
 * @example const probs = tta((x) => model.forward(x), xb, new RandomAffine({ degrees: 8 }), 8);
 */
export function tta(predict: (x: Tensor) => Tensor, x: Tensor, transform: TransformLike, n: number, options: TtaOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 1) throw new Error(`tta: n must be a positive integer, got ${n}`);
  const includeOriginal = options.includeOriginal ?? true;
  // One tidy per copy frees that copy's activations before the next forward pass (wasm backend
  // memory: the peak is one pass, not n); the outer tidy frees the running sums.
  return tidy(() => noGrad(() => {
    let total: Tensor | null = null;
    for (let i = 0; i < n; i++) {
      const sum: Tensor | null = total;
      total = tidy(() => {
        const input = i === 0 && includeOriginal ? x : applyTransform(transform, x);
        const logits = predict(input);
        if (logits.ndim !== 2) throw new Error(`tta: predict must return logits [N,K], got ${fmtShape(logits.shape)}`);
        const probs = softmax(logits, 1);
        return sum ? add(sum, probs) : probs;
      });
    }
    return div(total as Tensor, n);
  }));
}
