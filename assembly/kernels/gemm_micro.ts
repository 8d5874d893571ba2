/**
 * The 6×8 GEMM micro-kernel of the relaxed build, the packing of A into the micro-panels it reads,
 * and the store of its tile: shared by the packed GEMM (gemm.ts) and the direct path for few rows
 * (gemm_small.ts).
 */

// Tile: 6×8 in the relaxed build, whose fused multiply-add needs no temporary: 12 accumulators, 2 B
// vectors and one A splat fill 15 of V8's 16 xmm registers, and a k-step's 12 FMAs amortise its loop
// overhead better than 4×8's 8 (about 10% faster). With mul + add, 6×8 spills, so 4×8 there.
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * The 6×8 micro-kernel of the relaxed build: tile t (6 rows of 8, contiguous) = Ap · Bp over kc
 * steps, Ap packed k-major (6 floats per step), Bp's 8-float rows `ldb` bytes apart (a packed panel
 * or a direct-GEMM slab); {@link storeTile} then adds or copies the tile into C.
 *
 * Writing a fixed scratch tile instead of C is deliberate: with C's row stride and the accumulate
 * flag in this function, V8 scheduled all six splat loads ahead of the FMAs and spilled
 * accumulators (half speed); in this form it interleaves them. It is also exported (assembly/
 * index.ts) so that Binaryen does not inline it into a caller, where the same happened.
 */
export function micro6x8(kc: i32, ap: usize, bp: usize, ldb: usize, t: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(ap, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    ap += 24;
    bp += ldb;
  }
  v128.store(t, c00); v128.store(t, c01, 16); v128.store(t, c10, 32); v128.store(t, c11, 48);
  v128.store(t, c20, 64); v128.store(t, c21, 80); v128.store(t, c30, 96); v128.store(t, c31, 112);
  v128.store(t, c40, 128); v128.store(t, c41, 144); v128.store(t, c50, 160); v128.store(t, c51, 176);
}

/** C[rows×cols] (row stride ldc) = (accumulate ? C : 0) + the top-left part of tile t (rows of 8). */
export function storeTile(t: usize, c: usize, ldc: i32, rows: i32, cols: i32, accumulate: bool): void {
  const ld = <usize>ldc * 4;
  if (rows == 6 && cols == 8 && !accumulate) {
    // The common case, straight-line (with K as small as 16 this store is an eighth of the work).
    const c1 = c + ld, c2 = c1 + ld, c3 = c2 + ld, c4 = c3 + ld, c5 = c4 + ld;
    v128.store(c, v128.load(t)); v128.store(c, v128.load(t, 16), 16);
    v128.store(c1, v128.load(t, 32)); v128.store(c1, v128.load(t, 48), 16);
    v128.store(c2, v128.load(t, 64)); v128.store(c2, v128.load(t, 80), 16);
    v128.store(c3, v128.load(t, 96)); v128.store(c3, v128.load(t, 112), 16);
    v128.store(c4, v128.load(t, 128)); v128.store(c4, v128.load(t, 144), 16);
    v128.store(c5, v128.load(t, 160)); v128.store(c5, v128.load(t, 176), 16);
    return;
  }
  if (cols == 8) {
    for (let r = 0; r < rows; r++) {
      const d = c + <usize>r * ld;
      const s = t + <usize>(r * 8) * 4;
      let x0 = v128.load(s), x1 = v128.load(s, 16);
      if (accumulate) {
        x0 = f32x4.add(x0, v128.load(d));
        x1 = f32x4.add(x1, v128.load(d, 16));
      }
      v128.store(d, x0);
      v128.store(d, x1, 16);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const d = c + <usize>r * ld + (<usize>q << 2);
      const v = load<f32>(t + (<usize>(r * 8 + q)) * 4);
      store<f32>(d, accumulate ? load<f32>(d) + v : v);
    }
  }
}

/** Stores the 4×4 transpose of rows x0…x3 as four vectors `step` bytes apart, from `dst`. */
@inline export function storeTransposed(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize, step: usize): void {
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
  v128.store(dst + step, i64x2.shuffle(t0, t1, 1, 3));
  v128.store(dst + 2 * step, i64x2.shuffle(t2, t3, 0, 2));
  v128.store(dst + 3 * step, i64x2.shuffle(t2, t3, 1, 3));
}

/** Packs rows [0,mc) × k [0,kc) of A into MR-row micro-panels, k-major, zero-padding the last. */
export function packA(a: usize, rs: i32, cs: i32, mc: i32, kc: i32, dst: usize): void {
  const step = <usize>MR * 4;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    if (cs == 1) {
      // Missing rows of the last micro-panel read row 0 and are zeroed by the masks below.
      const row = <usize>rs * 4;
      const r0 = a + <usize>(i * rs) * 4;
      const r1 = rows > 1 ? r0 + row : r0;
      const r2 = rows > 2 ? r1 + row : r0;
      const r3 = rows > 3 ? r2 + row : r0;
      const r4 = rows > 4 ? r3 + row : r0;
      const r5 = rows > 5 ? r4 + row : r0;
      const on = i32x4.splat(-1);
      const off = i32x4.splat(0);
      const m1 = rows > 1 ? on : off, m2 = rows > 2 ? on : off, m3 = rows > 3 ? on : off;
      const m4 = rows > 4 ? on : off, m5 = rows > 5 ? on : off;
      let k = 0;
      // 4×4 transposes: four rows of 4 k-values become four k-steps of 4 rows; with MR = 6, rows 4
      // and 5 are interleaved into pairs that fill bytes 16–23 of each k-step.
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k * 4;
        const x0 = v128.load(r0 + o);
        const x1 = v128.and(v128.load(r1 + o), m1);
        const x2 = v128.and(v128.load(r2 + o), m2);
        const x3 = v128.and(v128.load(r3 + o), m3);
        storeTransposed(x0, x1, x2, x3, dst, step);
        if (MR == 6) {
          const y4 = v128.and(v128.load(r4 + o), m4);
          const y5 = v128.and(v128.load(r5 + o), m5);
          const lo = i32x4.shuffle(y4, y5, 0, 4, 1, 5);
          const hi = i32x4.shuffle(y4, y5, 2, 6, 3, 7);
          store<i64>(dst, i64x2.extract_lane(lo, 0), 16);
          store<i64>(dst + step, i64x2.extract_lane(lo, 1), 16);
          store<i64>(dst + 2 * step, i64x2.extract_lane(hi, 0), 16);
          store<i64>(dst + 3 * step, i64x2.extract_lane(hi, 1), 16);
        }
        dst += 4 * step;
      }
      for (; k < kc; k++) {
        const o = <usize>k * 4;
        store<f32>(dst, load<f32>(r0 + o));
        for (let r = 1; r < MR; r++) store<f32>(dst + <usize>r * 4, r < rows ? load<f32>(r0 + <usize>r * row + o) : 0);
        dst += step;
      }
    } else if (rows == MR && rs == 1) {
      // Column-major A (a transposed operand): each k-step's rows are adjacent.
      let p = a + <usize>i * 4;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(p));
        if (MR == 6) store<i64>(dst, load<i64>(p, 16), 16);
        p += <usize>cs * 4;
        dst += step;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + <usize>r * 4, r < rows ? load<f32>(a + (<usize>((i + r) * rs + k * cs)) * 4) : 0);
        }
        dst += step;
      }
    }
  }
}
