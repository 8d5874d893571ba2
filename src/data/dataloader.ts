/**
 * The DataLoader: batches of a dataset, optionally shuffled, one pass per iteration.
 * @module
 */
import { defaultGenerator, Generator } from '../core/random.js';
import { defaultCollate, type Collated } from './collate.js';
import { permutation, type Dataset } from './dataset.js';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions<T, B> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** Draw a new order of the items each epoch (default false). */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Generator for shuffling; its state carries over from epoch to epoch. */
  generator?: Generator;
  /** Shorthand for `generator: new Generator(seed)`. */
  seed?: number;
  /** Builds a batch from a list of items ({@link defaultCollate} otherwise). */
  collate?: (items: T[]) => B;
}

/**
 * Iterates over a dataset in batches, like `torch.utils.data.DataLoader`. Each `for … of` is one
 * epoch, in which every item appears exactly once (except the short last batch with `dropLast`).
 *
 * Shuffling draws from `generator` (or `seed`) when given; save `loader.generator.getState()` in a
 * checkpoint to resume the same sequence of orders. Otherwise, as PyTorch does, each epoch draws
 * one 32-bit seed from the default generator, so `manualSeed` fixes the order and a checkpoint's
 * `getRngState()` taken between epochs resumes the same sequence of orders.
 *
 * A dataset with `getBatch` (a {@link TensorDataset}, or a {@link Subset} of one) builds each batch
 * with one copy per row instead of collating item by item, unless a custom `collate` is given.
 * Each batch is a new tensor: in a long synchronous loop, wrap each step in `tidy` (or dispose the
 * batch) so that backends with memory outside the JavaScript heap free it promptly.
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) { … } // xb [64,…], yb [64]
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  /** The dataset the batches are drawn from. */
  readonly dataset: Dataset<T>;
  /** Items per batch (default 1). */
  readonly batchSize: number;
  /** Whether each epoch draws a new order of the items (default false). */
  readonly shuffle: boolean;
  /** Whether the last batch is left out when it is smaller than `batchSize` (default false). */
  readonly dropLast: boolean;
  /** The shuffling generator, when one was given (null: epochs draw from the default generator). */
  readonly generator: Generator | null;
  readonly #collate: ((items: T[]) => B) | null;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (options.generator && options.seed !== undefined) {
      throw new Error('DataLoader: give either generator or seed, not both');
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? (options.seed !== undefined ? new Generator(options.seed) : null);
    this.#collate = options.collate ?? null;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The item order of a new epoch (draws from the generator when shuffling). */
  #order(): number[] {
    const n = this.dataset.length;
    if (!this.shuffle) return Array.from({ length: n }, (_, i) => i);
    const g = this.generator ?? new Generator(defaultGenerator.nextUint32());
    return permutation(n, g);
  }

  #batch(indices: number[]): B {
    if (this.#collate) return this.#collate(indices.map((i) => this.dataset.getItem(i)));
    if (this.dataset.getBatch) return this.dataset.getBatch(indices) as B;
    return defaultCollate(indices.map((i) => this.dataset.getItem(i))) as B;
  }

  /** One epoch. The order is drawn when the iteration starts. */
  *[Symbol.iterator](): Iterator<B> {
    const order = this.#order();
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      yield this.#batch(order.slice(b * this.batchSize, (b + 1) * this.batchSize));
    }
  }
}
