/**
 * Strided layouts as the kernels want them: dims of size 1 dropped and neighbouring dims merged
 * wherever every operand steps through them as one (so a contiguous tensor of any shape is one
 * dim, and [M,N] + [N] is two), then written as an i32 descriptor (see assembly/kernels/strided.ts).
 * @module
 */

/** A shape and each operand's strides over it, rank ≥ 1. */
export interface Layout {
  shape: number[];
  strides: number[][];
}

/**
 * Merges dims of `shape` that all operands traverse contiguously relative to each other and drops
 * size-1 dims, preserving row-major order of the elements. A scalar becomes shape [1].
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Layout {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const s = shape[d];
    if (s === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    for (let k = 0; merge && k < strides.length; k++) {
      if (outStrides[k][last] !== strides[k][d] * s) merge = false;
    }
    if (merge) {
      outShape[last] *= s;
      for (let k = 0; k < strides.length; k++) outStrides[k][last] = strides[k][d];
    } else {
      outShape.push(s);
      for (let k = 0; k < strides.length; k++) outStrides[k].push(strides[k][d]);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const st of outStrides) st.push(0);
  }
  return { shape: outShape, strides: outStrides };
}

/** Writes `[rank, shape…, strides of each operand…]` at element `at` of `i32`; returns the slots used. */
export function writeDescriptor(i32: Int32Array, at: number, layout: Layout): number {
  const r = layout.shape.length;
  i32[at] = r;
  for (let d = 0; d < r; d++) i32[at + 1 + d] = layout.shape[d];
  for (let k = 0; k < layout.strides.length; k++) {
    const st = layout.strides[k];
    for (let d = 0; d < r; d++) i32[at + 1 + (k + 1) * r + d] = st[d];
  }
  return 1 + (layout.strides.length + 1) * r;
}

/** True when the view is a gap-free row-major run of its storage. */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}
