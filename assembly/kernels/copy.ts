/**
 * Strided copy and fill, by element size (1, 4 or 8 bytes): these only move bits, so one kernel
 * serves every dtype of that width. Descriptor operands: 0 = source, 1 = destination.
 */
import { offsetOf, shapeAt, strideAt } from './strided';

@inline function copyRow(esize: i32, src: usize, ss: i32, dst: usize, ds: i32, n: i32): void {
  if (ss == 1 && ds == 1) {
    memory.copy(dst, src, <usize>(n * esize));
    return;
  }
  const sb = <usize>(ss * esize);
  const db = <usize>(ds * esize);
  if (esize == 4) {
    for (let i = 0; i < n; i++) { store<u32>(dst, load<u32>(src)); src += sb; dst += db; }
  } else if (esize == 8) {
    for (let i = 0; i < n; i++) { store<u64>(dst, load<u64>(src)); src += sb; dst += db; }
  } else {
    for (let i = 0; i < n; i++) { store<u8>(dst, load<u8>(src)); src += sb; dst += db; }
  }
}

/** dst[idx] = src[idx] for flat indices [start, end) of the descriptor's shape. */
export function copyStrided(esize: i32, src: usize, dst: usize, desc: usize, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const ss = strideAt(desc, rank, 0, rank - 1);
  const ds = strideAt(desc, rank, 1, rank - 1);
  // Rows of the second-last dim follow each other by a fixed step: the offsets (a few divisions
  // each) are recomputed only when that dim wraps, which matters for short rows.
  const m = rank >= 2 ? shapeAt(desc, rank - 2) : 1;
  const ss2 = rank >= 2 ? strideAt(desc, rank, 0, rank - 2) : 0;
  const ds2 = rank >= 2 ? strideAt(desc, rank, 1, rank - 2) : 0;
  let i = start;
  let row = i / n;
  let k = m;
  let os = 0;
  let od = 0;
  while (i < end) {
    const j = i - row * n;
    const len = min(n - j, end - i);
    if (k >= m || j != 0) {
      os = offsetOf(desc, rank, 0, row, rank - 1);
      od = offsetOf(desc, rank, 1, row, rank - 1);
      k = row % m;
    }
    const ps = src + <usize>((os + j * ss) * esize);
    const pd = dst + <usize>((od + j * ds) * esize);
    copyRow(esize, ps, ss, pd, ds, len);
    i += len;
    row++;
    k++;
    os += ss2;
    od += ds2;
  }
}

/** Sets the 4-byte elements of the strided region (operand 0) to the bit pattern `bits`. */
export function fill4(dst: usize, desc: usize, bits: i32, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const ds = strideAt(desc, rank, 0, rank - 1);
  const v = i32x4.splat(bits);
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    let p = dst + <usize>((offsetOf(desc, rank, 0, row, rank - 1) + j * ds) * 4);
    if (ds == 1) {
      let q = 0;
      for (; q + 4 <= len; q += 4) { v128.store(p, v); p += 16; }
      for (; q < len; q++) { store<i32>(p, bits); p += 4; }
    } else {
      const step = <usize>(ds * 4);
      for (let q = 0; q < len; q++) { store<i32>(p, bits); p += step; }
    }
    i += len;
  }
}

/** Sets the 8-byte elements of the strided region to `value` (float64). */
export function fill8(dst: usize, desc: usize, value: f64, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const ds = strideAt(desc, rank, 0, rank - 1);
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    let p = dst + <usize>((offsetOf(desc, rank, 0, row, rank - 1) + j * ds) * 8);
    const step = <usize>(ds * 8);
    for (let q = 0; q < len; q++) { store<f64>(p, value); p += step; }
    i += len;
  }
}

/** Sets the 1-byte elements of the strided region to `value`. */
export function fill1(dst: usize, desc: usize, value: i32, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const ds = strideAt(desc, rank, 0, rank - 1);
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    let p = dst + <usize>(offsetOf(desc, rank, 0, row, rank - 1) + j * ds);
    if (ds == 1) memory.fill(p, <u8>value, <usize>len);
    else for (let q = 0; q < len; q++) { store<u8>(p, <u8>value); p += <usize>ds; }
    i += len;
  }
}

/** Zeroes `n` bytes at `dst` (a JS `fill` on shared memory is many times slower). */
export function zeroBytes(dst: usize, n: usize): void {
  memory.fill(dst, 0, n);
}

// Dtype codes of convertStrided (keep in step with src/backends/wasm/elementwise.ts).
const T_F32: i32 = 0;
const T_F64: i32 = 1;
const T_I32: i32 = 2;
const T_BOOL: i32 = 3;

@inline function loadAs(from: i32, p: usize): f64 {
  if (from == T_F32) return <f64>load<f32>(p);
  if (from == T_F64) return load<f64>(p);
  if (from == T_I32) return <f64>load<i32>(p);
  return <f64>load<u8>(p);
}

@inline function esizeOf(t: i32): i32 {
  return t == T_F64 ? 8 : t == T_BOOL ? 1 : 4;
}

/**
 * dst[idx] = src[idx] converted from dtype `from` to `to` (float32 / float64 by IEEE rounding, bool
 * as x ≠ 0, so NaN → true), as a typed-array store converts; int32 targets are left to the host.
 * Descriptor operands: 0 = source, 1 = destination.
 */
export function convertStrided(from: i32, to: i32, src: usize, dst: usize, desc: usize, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const ss = strideAt(desc, rank, 0, rank - 1);
  const ds = strideAt(desc, rank, 1, rank - 1);
  const se = esizeOf(from);
  const de = esizeOf(to);
  const sb = <usize>(ss * se);
  const db = <usize>(ds * de);
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    let ps = src + <usize>((offsetOf(desc, rank, 0, row, rank - 1) + j * ss) * se);
    let pd = dst + <usize>((offsetOf(desc, rank, 1, row, rank - 1) + j * ds) * de);
    if (to == T_F32) {
      for (let q = 0; q < len; q++) { store<f32>(pd, <f32>loadAs(from, ps)); ps += sb; pd += db; }
    } else if (to == T_F64) {
      for (let q = 0; q < len; q++) { store<f64>(pd, loadAs(from, ps)); ps += sb; pd += db; }
    } else {
      for (let q = 0; q < len; q++) { store<u8>(pd, loadAs(from, ps) != 0 ? 1 : 0); ps += sb; pd += db; }
    }
    i += len;
  }
}
