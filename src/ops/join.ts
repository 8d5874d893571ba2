/**
 * Joining and splitting: cat, stack, split, chunk.
 * @module
 */
import { allocForOverwrite } from '../core/backend.js';
import { promoteTypes } from '../core/dtype.js';
import { fmtShape, normalizeDim } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkSameBackend, record } from './helpers.js';
import { to } from './elementwise.js';
import { narrow, unsqueeze } from './view.js';

/** Concatenates tensors along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: expected a non-empty list of tensors');
  const first = tensors[0];
  const d = normalizeDim('cat', dim, first.shape);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => k !== d && s !== first.shape[k])) {
      throw new Error(`cat: tensor ${i} has shape ${fmtShape(t.shape)}, which does not match tensor 0 ${fmtShape(first.shape)} outside dim ${d}`);
    }
  });
  checkSameBackend('cat', tensors);
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const inputs = tensors.map((t) => to(t, dtype));
  const shape = [...first.shape];
  shape[d] = inputs.reduce((a, t) => a + t.shape[d], 0);
  const out = new Tensor(allocForOverwrite(first.backend, dtype, shape.reduce((a, b) => a * b, 1)), shape);
  const starts: number[] = [];
  let pos = 0;
  for (const t of inputs) {
    starts.push(pos);
    out.backend.copy(t, narrow(out, d, pos, t.shape[d]));
    pos += t.shape[d];
  }
  return record('CatBackward0', out, inputs, (g) => inputs.map((t, i) => narrow(g, d, starts[i], t.shape[d])));
}

/** Stacks same-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected a non-empty list of tensors');
  const first = tensors[0];
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new Error(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, tensor 0 has ${fmtShape(first.shape)}; all must be equal`);
    }
  });
  const d = normalizeDim('stack', dim, first.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Splits into pieces of `splitSize` (the last may be smaller), or of the listed sizes, along `dim`. Views. */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.shape);
  const size = x.shape[d];
  let sizes: number[];
  if (typeof splitSizeOrSections === 'number') {
    const s = splitSizeOrSections;
    if (!Number.isInteger(s) || s <= 0) throw new Error(`split: splitSize must be a positive integer, got ${s} (dim ${d} of ${fmtShape(x.shape)})`);
    sizes = [];
    for (let p = 0; p < size; p += s) sizes.push(Math.min(s, size - p));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = [...splitSizeOrSections];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new Error(`split: sections ${fmtShape(sizes)} must be non-negative and sum to ${size} (dim ${d} of ${fmtShape(x.shape)})`);
    }
  }
  const out: Tensor[] = [];
  let pos = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, pos, s));
    pos += s;
  }
  return out;
}

/** Splits into `chunks` nearly equal pieces along `dim` (PyTorch's sizing: ceil(size / chunks) each). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normalizeDim('chunk', dim, x.shape);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks} (dim ${d} of ${fmtShape(x.shape)})`);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}
