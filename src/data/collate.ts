/**
 * Collation: turning a list of dataset items into one batch, like PyTorch's `default_collate`.
 * @module
 */
import { fromTypedArray } from '../core/creation.js';
import { Tensor } from '../core/tensor.js';
import { stack } from '../ops/join.js';

/**
 * The batch type {@link defaultCollate} makes from items of type `T`: tensors are stacked along a
 * new first dim, numbers become a 1-d tensor, and tuples, arrays and objects are collated field by field.
 */
export type Collated<T> =
  T extends Tensor ? Tensor
  : T extends number | boolean ? Tensor
  : T extends readonly unknown[] ? { [K in keyof T]: Collated<T[K]> }
  : T extends object ? { [K in keyof T]: Collated<T[K]> }
  : never;

function collateAt(items: readonly unknown[], path: string): unknown {
  const first = items[0];
  if (first instanceof Tensor) {
    for (const it of items) {
      if (!(it instanceof Tensor)) throw new Error(`defaultCollate: item field ${path} mixes tensors and ${typeof it}`);
    }
    return stack(items as Tensor[], 0);
  }
  if (typeof first === 'number' || typeof first === 'boolean') {
    const kind = typeof first;
    if (items.some((it) => typeof it !== kind)) throw new Error(`defaultCollate: item field ${path} mixes ${kind} with other types`);
    if (kind === 'boolean') return fromTypedArray(Uint8Array.from(items as boolean[], (b) => (b ? 1 : 0)), [items.length]);
    // Integers give int32, as PyTorch gives int64 for Python ints; anything else float32.
    const nums = items as number[];
    const integral = nums.every((v) => Number.isInteger(v) && Math.abs(v) <= 0x7fffffff);
    return fromTypedArray(integral ? Int32Array.from(nums) : Float32Array.from(nums), [items.length]);
  }
  if (Array.isArray(first)) {
    const len = first.length;
    if (items.some((it) => !Array.isArray(it) || it.length !== len)) {
      throw new Error(`defaultCollate: item field ${path} is an array of length ${len} in the first item but not in every item`);
    }
    return first.map((_, k) => collateAt(items.map((it) => (it as unknown[])[k]), `${path}[${k}]`));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = collateAt(items.map((it) => (it as Record<string, unknown>)[key]), `${path}.${key}`);
    }
    return out;
  }
  throw new Error(`defaultCollate: cannot batch item field ${path} of type ${first === null ? 'null' : typeof first}`);
}

/**
 * Batches items: `[[x0, y0], [x1, y1]]` → `[stack([x0, x1]), stack([y0, y1])]`.
 * @example defaultCollate([{ x: a, y: 1 }, { x: b, y: 2 }]) // { x: [2,…] tensor, y: int32 [2] }
 */
export function defaultCollate<T>(items: readonly T[]): Collated<T> {
  if (items.length === 0) throw new Error('defaultCollate: cannot collate an empty batch');
  return collateAt(items, 'item') as Collated<T>;
}
