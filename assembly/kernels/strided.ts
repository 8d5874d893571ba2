/**
 * Reading the strided-layout descriptors the host writes into linear memory.
 *
 * A descriptor is an i32 array: `[rank, shape[0..rank), strides of operand 0 [0..rank), strides of
 * operand 1, …]`, strides in elements. The host coalesces dims first, so most descriptors have rank
 * 1 or 2. Kernels walk the iteration space row by row: the last dim is the inner loop, and the
 * offset of a row is recomputed from its index (a few divisions per row, no per-thread state), which
 * lets any thread start at any flat position.
 */

/** Size of dim `d`. */
@inline export function shapeAt(desc: usize, d: i32): i32 {
  return load<i32>(desc + 4 + (<usize>d << 2));
}

/** Stride of operand `k` along dim `d`. */
@inline export function strideAt(desc: usize, rank: i32, k: i32, d: i32): i32 {
  return load<i32>(desc + 4 + (<usize>((k + 1) * rank + d) << 2));
}

/** Element offset of operand `k` at flat index `idx` of the first `dims` dims (row-major). */
export function offsetOf(desc: usize, rank: i32, k: i32, idx: i32, dims: i32): i32 {
  let off = 0;
  for (let d = dims - 1; d >= 0; d--) {
    const s = shapeAt(desc, d);
    const q = idx / s;
    off += (idx - q * s) * strideAt(desc, rank, k, d);
    idx = q;
  }
  return off;
}
