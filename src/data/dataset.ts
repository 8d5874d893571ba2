/**
 * Datasets, as in `torch.utils.data`: anything with a length and items by index.
 * @module
 */
import type { View } from '../core/backend.js';
import { defaultGenerator, type Generator } from '../core/random.js';
import { contiguousStrides, fmtShape, numel } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { select } from '../ops/view.js';
import type { Collated } from './collate.js';

/**
 * A map-style dataset: `length` items, item `i` by `getItem(i)` (PyTorch's `__len__` and
 * `__getitem__`). A dataset that can build a whole batch at once offers `getBatch`, which
 * {@link DataLoader} then prefers to collating items one by one.
 */
export interface Dataset<T> {
  /** Number of items. */
  readonly length: number;
  /** Item `index`, 0 ≤ index < length. */
  getItem(index: number): T;
  /** The batch of items `indices`, already collated (optional fast path). */
  getBatch?(indices: readonly number[]): Collated<T>;
}

function checkIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${op}: index ${index} is out of range for a dataset of length ${length}`);
  }
}

/**
 * A dataset over tensors that share their first dim: item `i` is `[t0[i], t1[i], …]`,
 * like `torch.utils.data.TensorDataset`.
 * @example
 * const ds = new TensorDataset(images, labels); // images [N,1,28,28], labels [N]
 * const [x, y] = ds.getItem(0);                 // [1,28,28], []
 */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The tensors, each with `length` rows. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: needs at least one tensor');
    for (const t of tensors) {
      if (t.ndim === 0) throw new Error('TensorDataset: tensors need a first dim to index, got a 0-d tensor');
    }
    const n = tensors[0].shape[0];
    const bad = tensors.find((t) => t.shape[0] !== n);
    if (bad) {
      throw new Error(`TensorDataset: size mismatch between tensors: ${tensors.map((t) => fmtShape(t.shape)).join(' vs ')} (first dims differ)`);
    }
    this.tensors = tensors;
  }

  /** Number of items: the tensors' common first dim. */
  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** `[t0[index], t1[index], …]`: row `index` of each tensor, as views (no copy). */
  getItem(index: number): Tensor[] {
    checkIndex('TensorDataset.getItem', index, this.length);
    return this.tensors.map((t) => select(t, 0, index));
  }

  /**
   * Rows `indices` of every tensor, copied into new contiguous tensors on the tensor's backend:
   * one row copy per item, no per-item tensors and no stack.
   */
  getBatch(indices: readonly number[]): Tensor[] {
    const n = this.length;
    for (const i of indices) checkIndex('TensorDataset.getBatch', i, n);
    return this.tensors.map((t) => {
      const rowShape = t.shape.slice(1);
      const rowStrides = t.strides.slice(1);
      const out = new Tensor(t.backend.alloc(t.dtype, indices.length * numel(rowShape)), [indices.length, ...rowShape]);
      const outRow = contiguousStrides(rowShape);
      const rowSize = numel(rowShape);
      for (let b = 0; b < indices.length; b++) {
        const src: View = { storage: t.storage, shape: rowShape, strides: rowStrides, offset: t.offset + indices[b] * t.strides[0] };
        const dst: View = { storage: out.storage, shape: rowShape, strides: outRow, offset: b * rowSize };
        t.backend.copy(src, dst);
      }
      return out;
    });
  }
}

/** The items `indices` of another dataset, like `torch.utils.data.Subset`. */
export class Subset<T> implements Dataset<T> {
  /** The underlying dataset. */
  readonly dataset: Dataset<T>;
  /** Indices into `dataset` of this subset's items, in order. */
  readonly indices: readonly number[];

  constructor(dataset: Dataset<T>, indices: readonly number[]) {
    for (const i of indices) checkIndex('Subset', i, dataset.length);
    this.dataset = dataset;
    this.indices = [...indices];
    if (dataset.getBatch) {
      const base = dataset.getBatch.bind(dataset);
      this.getBatch = (idx: readonly number[]): Collated<T> => {
        for (const i of idx) checkIndex('Subset.getBatch', i, this.indices.length);
        return base(idx.map((i) => this.indices[i]));
      };
    }
  }

  /** Number of items (`indices.length`). */
  get length(): number {
    return this.indices.length;
  }

  /** Item `indices[index]` of the underlying dataset. */
  getItem(index: number): T {
    checkIndex('Subset.getItem', index, this.indices.length);
    return this.dataset.getItem(this.indices[index]);
  }

  /** The batch of items `indices` built by the underlying dataset's `getBatch`; undefined when it has none. */
  getBatch?: (indices: readonly number[]) => Collated<T>;
}

/** Options of {@link randomSplit}. */
export interface RandomSplitOptions {
  /** Generator for the permutation (the default generator otherwise). */
  generator?: Generator;
}

/** A random permutation of 0…n-1 by Fisher–Yates (the same draws as `randperm`). */
export function permutation(n: number, generator: Generator = defaultGenerator): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = generator.randint(0, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Splits a dataset into non-overlapping random subsets, like `torch.utils.data.random_split`.
 * `lengths` are counts summing to the dataset's length, or fractions summing to 1 (the remainder
 * of flooring goes round-robin to the first subsets, as in PyTorch).
 * @example
 * const [train, val] = randomSplit(ds, [55000, 5000], { generator: new Generator(0) });
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Subset<T>[] {
  const n = dataset.length;
  let counts = [...lengths];
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`randomSplit: lengths must be non-negative, got [${lengths.join(', ')}]`);
  if (Math.abs(total - 1) < 1e-9 && counts.some((v) => !Number.isInteger(v))) {
    counts = counts.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  }
  if (counts.some((v) => !Number.isInteger(v)) || counts.reduce((a, b) => a + b, 0) !== n) {
    throw new Error(`randomSplit: lengths [${lengths.join(', ')}] must be integers summing to the dataset length ${n}, or fractions summing to 1`);
  }
  const perm = permutation(n, options.generator ?? defaultGenerator);
  const out: Subset<T>[] = [];
  let start = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.slice(start, start + c)));
    start += c;
  }
  return out;
}
