/**
 * The reference backend's memory: a plain typed array per storage, and strided read/write helpers
 * every kernel of this backend builds on.
 * @module
 */
import { nextStorageSerial, type Backend, type Storage, type View } from '../../core/backend.js';
import { allocArray, dtypeOfArray, type DType, type TypedArray } from '../../core/dtype.js';
import { numel } from '../../core/shape.js';

/** A storage backed by a JavaScript typed array. */
export class JsStorage implements Storage {
  /** {@inheritDoc Storage.version} */
  version = 0;
  /** {@inheritDoc Storage.serial} */
  readonly serial = nextStorageSerial();

  constructor(readonly backend: Backend, readonly data: TypedArray) {}
  /** Element type, read off the typed array. */
  get dtype(): DType {
    return dtypeOfArray(this.data);
  }
  /** Number of elements: the typed array's length. */
  get size(): number {
    return this.data.length;
  }
}

/** The typed array behind a view of this backend. */
export function arrayOf(v: View): TypedArray {
  return (v.storage as JsStorage).data;
}

/** True when the view covers a gap-free, row-major run of its storage. */
export function isContiguousView(v: View): boolean {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i];
  }
  return true;
}

/**
 * Calls `visit(storageOffset, flatIndex)` for every element of a strided shape in row-major order.
 * An odometer over the outer dims with a tight loop over the last one.
 */
export function forEachOffset(shape: readonly number[], strides: readonly number[], offset: number, visit: (p: number, i: number) => void): void {
  const rank = shape.length;
  const n = numel(shape);
  if (n === 0) return;
  if (rank === 0) {
    visit(offset, 0);
    return;
  }
  const len = shape[rank - 1];
  const st = strides[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let base = offset;
  let i = 0;
  for (let r = n / len; r > 0; r--) {
    for (let j = 0, p = base; j < len; j++, p += st) visit(p, i++);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= idx[d] * strides[d];
      idx[d] = 0;
    }
  }
}

/** The view's elements row-major: the storage's own memory when contiguous (no copy), else a copy. */
export function contiguousData(v: View): TypedArray {
  const src = arrayOf(v);
  const n = numel(v.shape);
  if (isContiguousView(v)) return src.subarray(v.offset, v.offset + n);
  const out = allocArray(dtypeOfArray(src), n);
  forEachOffset(v.shape, v.strides, v.offset, (p, i) => {
    out[i] = src[p];
  });
  return out;
}

/** If every stride is 0 (a broadcast scalar), its single value; else undefined. */
export function broadcastScalar(v: View): number | undefined {
  if (v.strides.every((s) => s === 0) && numel(v.shape) > 0) return arrayOf(v)[v.offset];
  return undefined;
}

/** A new array of `dtype` holding `values` converted as a cast does (non-zero → true for bool). */
export function convert(values: TypedArray, dtype: DType): TypedArray {
  const out = allocArray(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  else out.set(values);
  return out;
}
