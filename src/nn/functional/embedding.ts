/**
 * Embedding lookup: rows of a weight matrix picked by integer indices.
 * @module
 */
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { ne, where } from '../../ops/elementwise.js';
import { checkTensor } from '../../ops/helpers.js';
import { indexSelect } from '../../ops/indexing.js';
import { detach, reshape, unsqueeze } from '../../ops/view.js';

/** Checks int32 indices in [0, num) and normalises a negative padding index; returns it (or null). */
export function checkEmbeddingInput(op: string, input: Tensor, weight: Tensor, paddingIdx: number | null): number | null {
  checkTensor(op, 'input', input);
  if (input.dtype !== 'int32') throw new Error(`${op}: indices must be an int32 tensor, got ${input.dtype} ${fmtShape(input.shape)}`);
  if (weight.ndim !== 2) throw new Error(`${op}: weight must be [numEmbeddings, embeddingDim], got ${fmtShape(weight.shape)}`);
  const num = weight.shape[0];
  const idx = input.dataSync();
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= num) throw new Error(`${op}: index ${idx[i]} is out of range for ${num} embeddings (input ${fmtShape(input.shape)})`);
  }
  return normalizePaddingIdx(op, paddingIdx, num);
}

/** A padding index in [−num, num) made non-negative (null stays null). */
export function normalizePaddingIdx(op: string, paddingIdx: number | null, num: number): number | null {
  if (paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
    throw new Error(`${op}: paddingIdx ${paddingIdx} must be within [${-num}, ${num - 1}]`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/**
 * `out[..., :] = weight[input[...], :]`: input of any shape (int32) → [...input.shape, dim].
 * Positions equal to `paddingIdx` send no gradient to the weight (their row stays as it is).
 */
export function embedding(input: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  const pad = checkEmbeddingInput('embedding', input, weight, paddingIdx);
  const rows = reshape(indexSelect(weight, 0, reshape(input, [-1])), [...input.shape, weight.shape[1]]);
  if (pad === null) return rows;
  // Same values either way; only the gradient path of the padding positions is cut.
  return where(unsqueeze(ne(input, pad), -1), rows, detach(rows));
}
