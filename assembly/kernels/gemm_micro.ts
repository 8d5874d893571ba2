/**
 * The 6×8 GEMM micro-kernel of the relaxed build and the store of its tile, shared by the packed
 * GEMM (gemm.ts) and the direct paths for few rows (gemm_small.ts).
 */

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
