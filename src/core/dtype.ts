/**
 * Element types a tensor can hold, and the rules for mixing them.
 * @module
 */

/** The element type of a tensor, named as in PyTorch. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that stores one dtype's elements. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Maps a dtype to the typed array that holds it. */
export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** All dtypes, for validation. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** Creates a zero-filled typed array for `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

/** The dtype of a typed array (Uint8Array is read as bool). */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

/** True for float32 and float64. */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's promotion for two tensors: the wider category wins (bool < int32 < float32 < float64). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion of a tensor with a JavaScript number, as PyTorch does for a Python scalar:
 * the scalar never widens a float tensor; a fractional scalar turns an integer tensor into float32.
 */
export function promoteWithScalar(dtype: DType, scalar: number): DType {
  if (isFloating(dtype)) return dtype;
  if (!Number.isInteger(scalar)) return 'float32';
  return dtype === 'bool' ? 'int32' : dtype;
}

/** Throws unless `d` is a known dtype. */
export function checkDType(op: string, d: string): DType {
  if (!(DTYPES as readonly string[]).includes(d)) {
    throw new Error(`${op}: unknown dtype '${d}', expected one of ${DTYPES.join(', ')}`);
  }
  return d as DType;
}
