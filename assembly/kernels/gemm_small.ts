/**
 * GEMM paths for the thin shapes of small convolutions, where packing costs as much as computing:
 *
 * - {@link sgemmDirect}: few rows of A (M ≤ 16) and a row-major B. Each B element meets only M
 *   multiplies, so the packed path spends as long copying B as using it; here the micro-kernel
 *   reads B's rows in place (a conv forward pass: weight [O, C·k·k] @ columns [C·k·k, N·L]).
 * - {@link sgemmDot}: A rows and Bᵀ rows both contiguous along a long K, and a small C (a conv
 *   weight gradient: grad [O, N·L] @ columnsᵀ [N·L, C·k·k]). Each C element is a dot product of two
 *   contiguous vectors; K is walked in blocks that fit in L2 so the operands stream from memory once.
 */

import { im2colSlab } from './conv';
import { micro6x8, packA, storeTile } from './gemm_micro';

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Sum of the four lanes. */
@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, i32x4.shuffle(s, s, 1, 0, 3, 2)), 0);
}

/** The largest M that {@link sgemmDirect} takes. */
export const DIRECT_MAX_M: i32 = 16;

/** 4 rows × 8 columns of C = A[4×k] · B[k×8], B read in place (row stride rsB floats). */
@inline function direct4x8(k: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, c: usize, ldc: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const ra = <usize>rsA << 2;
  const sa = <usize>csA << 2;
  const sb = <usize>rsB << 2;
  let pa = a;
  let pb = b;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa + ra);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa + 2 * ra);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa + 3 * ra);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    pa += sa;
    pb += sb;
  }
  const ld = <usize>ldc << 2;
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ld)); c11 = f32x4.add(c11, v128.load(c + ld, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ld)); c21 = f32x4.add(c21, v128.load(c + 2 * ld, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ld)); c31 = f32x4.add(c31, v128.load(c + 3 * ld, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20); v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30); v128.store(c + 3 * ld, c31, 16);
}

/** 2 rows × 8 columns of C = A[2×k] · B[k×8] (four independent accumulator chains). */
@inline function direct2x8(k: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, c: usize, ldc: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  const ra = <usize>rsA << 2;
  const sa = <usize>csA << 2;
  const sb = <usize>rsB << 2;
  let pa = a;
  let pb = b;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa + ra);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    pa += sa;
    pb += sb;
  }
  const ld = <usize>ldc << 2;
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ld)); c11 = f32x4.add(c11, v128.load(c + ld, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
}

/** 1 row × 8 columns of C = A[1×k] · B[k×8]. */
@inline function direct1x8(k: i32, a: usize, csA: i32, b: usize, rsB: i32, c: usize, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  const sa = <usize>csA << 2;
  const sb = <usize>rsB << 2;
  let pa = a;
  let pb = b;
  for (let p = 0; p < k; p++) {
    const x = v128.load32_splat(pa);
    c0 = madd(x, v128.load(pb), c0);
    c1 = madd(x, v128.load(pb, 16), c1);
    pa += sa;
    pb += sb;
  }
  if (acc) {
    c0 = f32x4.add(c0, v128.load(c));
    c1 = f32x4.add(c1, v128.load(c, 16));
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

/** Floats of B's rows that {@link sgemmDirect} copies at a time (256 KiB: an L2-sized slab). */
const DIRECT_SLAB: i32 = 65536;

/**
 * C[m×n] (row stride ldc) = A[m×k] · B[k×n] for m ≤ {@link DIRECT_MAX_M} and a B with unit column
 * stride. B is consumed in slabs of whole columns: its rows' segments are copied one after the other
 * (a sequential read the prefetchers follow; reading k far-apart rows 32 bytes at a time, as a
 * panel-packer does, stalls on every cache line), then the (6×8,) 4×8, 2×8 and 1×8 micro-kernels run over the
 * slab from L2; the last n mod 8 columns are scalar dot products. `scratch` holds the slab;
 * `accumulate` adds to C.
 */
export function sgemmDirect(
  m: i32, n: i32, k: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32,
  c: usize, ldc: i32, scratch: usize, accumulate: bool,
): void {
  directColumns(false, m, 0, n, k, a, rsA, csA, b, rsB, 0, 0, c, ldc, scratch, accumulate, 0, 0);
}

/**
 * The implicit-GEMM convolution forward: weight[m × K] · columns, columns [jA, jB) only, where the
 * columns are im2col of x (geometry block `g`, batch-folded, N·L of them) built slab by slab in
 * `scratch`, and copied to `cols` ([K, N·L], row stride ldc) when it is not 0 (the weight gradient
 * needs them; the GEMM still reads them from the cache-hot slab). The result goes to `c` in the
 * batch-major layout [N, m, L] (L = `imageL` output positions per image), plus bias[o] on channel o
 * when `bias` is not 0 (added to the finished sums, as a separate broadcast add rounds). Same slabs
 * and tiles as {@link sgemmDirect}, so the sums are bit-identical to im2col followed by it.
 */
export function convDirectF32(
  m: i32, jA: i32, jB: i32, k: i32,
  a: usize, rsA: i32, csA: i32,
  x: usize, g: usize, cols: usize,
  c: usize, ldc: i32, scratch: usize, imageL: i32, bias: usize,
): void {
  directColumns(true, m, jA, jB, k, a, rsA, csA, x, 0, g, cols, c, ldc, scratch, false, imageL, bias);
}

/**
 * Columns [j0, j0 + w) of a slab's result, `src` [m × w] (row stride `stride` floats), into the
 * batch-major out [N, m, L] (column j is image j / L, position j mod L), plus bias[o] on row o when
 * `bias` is not 0: one run per image the slab touches.
 */
@inline function scatterSlab(src: usize, stride: i32, m: i32, j0: i32, w: i32, out: usize, L: i32, bias: usize): void {
  const nA = j0 / L;
  const lA = j0 - nA * L;
  const jEnd = j0 + w;
  for (let o = 0; o < m; o++) {
    const bv = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
    const b4 = f32x4.splat(bv);
    let s = src + (<usize>(o * stride) << 2);
    let n = nA;
    let l = lA;
    let j = j0;
    while (j < jEnd) {
      const len = min(L - l, jEnd - j);
      const d = out + (<usize>((n * m + o) * L + l) << 2);
      let q = 0;
      // A bias of 0 is not added: −0 + 0 would store +0 where the product gave −0.
      if (bias != 0) {
        for (; q + 4 <= len; q += 4) v128.store(d + (<usize>q << 2), f32x4.add(v128.load(s + (<usize>q << 2)), b4));
        for (; q < len; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>q << 2)) + bv);
      } else {
        for (; q + 4 <= len; q += 4) v128.store(d + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
        for (; q < len; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>q << 2)));
      }
      s += <usize>len << 2;
      j += len;
      n++;
      l = 0;
    }
  }
}

/**
 * Columns [jA, jB) of sgemmDirect; B's slabs are copied from b (row stride rsB) or, with `conv`,
 * built by im2col from x = b (and stored to `cols`, row stride ldc, unless it is 0).
 */
@inline function directColumns(
  conv: bool, m: i32, jA: i32, jB: i32, k: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, g: usize, cols: usize,
  c: usize, ldc: i32, scratch: usize, accumulate: bool, imageL: i32, bias: usize,
): void {
  const width = max(8, min(1024, (DIRECT_SLAB / k - 32) & ~7));
  // The relaxed build runs whole 6-row tiles through the packed GEMM's 6×8 micro-kernel, from a
  // k-major copy of those rows of A placed after the largest slab; the rest take the 4/2/1-row
  // kernels below. Each C element is summed in k order either way. With m ≤ 16 and k ≤ 8192 (the
  // path's limits) slab + copy + tile (+ the batch-major slab block) take at most 1.4 MiB of the
  // GEMM's 2.3 MiB scratch.
  const rows6 = ASC_FEATURE_RELAXED_SIMD ? m - m % 6 : 0;
  const packedA = scratch + (<usize>(k * (((width + 15) & ~15) + 16)) << 2);
  const tile = packedA + (<usize>(rows6 * k) << 2);
  // With `imageL` > 0 (batch-major output) the tiles go to a slab-wide block after the tile, row
  // stride `width`, scattered to C once the slab is done (m·width ≤ 16K floats more scratch).
  const batchMajor = imageL > 0;
  const slabC = tile + (6 * 8 << 2);
  const cStride = batchMajor ? width : ldc;
  if (rows6 > 0) packA(a, rsA, csA, rows6, k, packedA);
  for (let j0 = jA; j0 < jB; j0 += width) {
    const w = min(width, jB - j0);
    // Slab rows one cache line longer than a multiple of 16 floats: rows 4 KiB apart would all map
    // to one L1 set, and the micro-kernel's k-loop would miss on every load.
    const ls = ((w + 15) & ~15) + 16;
    const w8 = w & ~7;
    if (conv) {
      im2colSlab(b, g, 0, k, j0, w, scratch, ls);
      if (cols != 0) {
        for (let p = 0; p < k; p++) {
          memory.copy(cols + (<usize>(p * ldc + j0) << 2), scratch + (<usize>(p * ls) << 2), <usize>w << 2);
        }
      }
    } else {
      for (let p = 0; p < k; p++) {
        memory.copy(scratch + (<usize>(p * ls) << 2), b + (<usize>(p * rsB + j0) << 2), <usize>w << 2);
      }
    }
    const cBase = batchMajor ? slabC : c + (<usize>j0 << 2);
    for (let j = 0; j < w8; j += 8) {
      const pb = scratch + (<usize>j << 2);
      const pc = cBase + (<usize>j << 2);
      let i = 0;
      for (; i < rows6; i += 6) {
        micro6x8(k, packedA + (<usize>(i * k) << 2), pb, <usize>ls << 2, tile);
        storeTile(tile, pc + (<usize>(i * cStride) << 2), cStride, 6, 8, accumulate);
      }
      for (; i + 4 <= m; i += 4) direct4x8(k, a + (<usize>(i * rsA) << 2), rsA, csA, pb, ls, pc + (<usize>(i * cStride) << 2), cStride, accumulate);
      for (; i + 2 <= m; i += 2) direct2x8(k, a + (<usize>(i * rsA) << 2), rsA, csA, pb, ls, pc + (<usize>(i * cStride) << 2), cStride, accumulate);
      for (; i < m; i++) direct1x8(k, a + (<usize>(i * rsA) << 2), csA, pb, ls, pc + (<usize>(i * cStride) << 2), accumulate);
    }
    for (let j = w8; j < w; j++) {
      for (let i = 0; i < m; i++) {
        let s: f32 = 0;
        let pa = a + (<usize>(i * rsA) << 2);
        let pb = scratch + (<usize>j << 2);
        for (let p = 0; p < k; p++) {
          s += load<f32>(pa) * load<f32>(pb);
          pa += <usize>csA << 2;
          pb += <usize>ls << 2;
        }
        const pc = cBase + (<usize>(i * cStride + j) << 2);
        store<f32>(pc, accumulate ? load<f32>(pc) + s : s);
      }
    }
    if (batchMajor) scatterSlab(slabC, cStride, m, j0, w, c, imageL, bias);
  }
}

/** K block of {@link sgemmDot}: 2 KiB per row, so a tile's six rows sit in L1 and the block's rows in L2. */
const DOT_KB: i32 = 512;

/** The smallest K that {@link sgemmDot} is worth it for. */
export const DOT_MIN_K: i32 = 512;

/**
 * C[i0:i0+2, j0:j0+4] (+)= dot products over kb floats of 2 A rows and 4 Bᵀ rows (row strides lda,
 * ldb floats), 4 lanes of k at a time; `add` accumulates onto C (later K blocks).
 */
@inline function dot2x4(kb: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, add: bool): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
  const a1 = a + (<usize>lda << 2);
  const b1 = b + (<usize>ldb << 2);
  const b2 = b1 + (<usize>ldb << 2);
  const b3 = b2 + (<usize>ldb << 2);
  let p = 0;
  for (; p + 4 <= kb; p += 4) {
    const o = <usize>p << 2;
    const x0 = v128.load(a + o);
    const x1 = v128.load(a1 + o);
    let y = v128.load(b + o);
    s00 = madd(x0, y, s00); s10 = madd(x1, y, s10);
    y = v128.load(b1 + o);
    s01 = madd(x0, y, s01); s11 = madd(x1, y, s11);
    y = v128.load(b2 + o);
    s02 = madd(x0, y, s02); s12 = madd(x1, y, s12);
    y = v128.load(b3 + o);
    s03 = madd(x0, y, s03); s13 = madd(x1, y, s13);
  }
  let r00 = hsum(s00), r01 = hsum(s01), r02 = hsum(s02), r03 = hsum(s03);
  let r10 = hsum(s10), r11 = hsum(s11), r12 = hsum(s12), r13 = hsum(s13);
  for (; p < kb; p++) {
    const o = <usize>p << 2;
    const x0 = load<f32>(a + o), x1 = load<f32>(a1 + o);
    const y0 = load<f32>(b + o), y1 = load<f32>(b1 + o), y2 = load<f32>(b2 + o), y3 = load<f32>(b3 + o);
    r00 += x0 * y0; r01 += x0 * y1; r02 += x0 * y2; r03 += x0 * y3;
    r10 += x1 * y0; r11 += x1 * y1; r12 += x1 * y2; r13 += x1 * y3;
  }
  const c1 = c + (<usize>ldc << 2);
  if (add) {
    r00 += load<f32>(c); r01 += load<f32>(c, 4); r02 += load<f32>(c, 8); r03 += load<f32>(c, 12);
    r10 += load<f32>(c1); r11 += load<f32>(c1, 4); r12 += load<f32>(c1, 8); r13 += load<f32>(c1, 12);
  }
  store<f32>(c, r00); store<f32>(c, r01, 4); store<f32>(c, r02, 8); store<f32>(c, r03, 12);
  store<f32>(c1, r10); store<f32>(c1, r11, 4); store<f32>(c1, r12, 8); store<f32>(c1, r13, 12);
}

/**
 * C[i0:i0+4, j0:j0+2] (+)= dot products over kb floats of 4 A rows and 2 Bᵀ rows: as {@link dot2x4},
 * but each Bᵀ row is read for four A rows, so a K block's Bᵀ rows stream from L2 half as often.
 * Each element's lanes and sum run in the same order as in dot2x4 and dot1x1 (same bits).
 */
@inline function dot4x2(kb: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, add: bool): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
  const a1 = a + (<usize>lda << 2);
  const a2 = a1 + (<usize>lda << 2);
  const a3 = a2 + (<usize>lda << 2);
  const b1 = b + (<usize>ldb << 2);
  let p = 0;
  for (; p + 4 <= kb; p += 4) {
    const o = <usize>p << 2;
    const y0 = v128.load(b + o);
    const y1 = v128.load(b1 + o);
    let x = v128.load(a + o);
    s00 = madd(x, y0, s00); s01 = madd(x, y1, s01);
    x = v128.load(a1 + o);
    s10 = madd(x, y0, s10); s11 = madd(x, y1, s11);
    x = v128.load(a2 + o);
    s20 = madd(x, y0, s20); s21 = madd(x, y1, s21);
    x = v128.load(a3 + o);
    s30 = madd(x, y0, s30); s31 = madd(x, y1, s31);
  }
  let r00 = hsum(s00), r01 = hsum(s01), r10 = hsum(s10), r11 = hsum(s11);
  let r20 = hsum(s20), r21 = hsum(s21), r30 = hsum(s30), r31 = hsum(s31);
  for (; p < kb; p++) {
    const o = <usize>p << 2;
    const y0 = load<f32>(b + o), y1 = load<f32>(b1 + o);
    const x0 = load<f32>(a + o), x1 = load<f32>(a1 + o), x2 = load<f32>(a2 + o), x3 = load<f32>(a3 + o);
    r00 += x0 * y0; r01 += x0 * y1; r10 += x1 * y0; r11 += x1 * y1;
    r20 += x2 * y0; r21 += x2 * y1; r30 += x3 * y0; r31 += x3 * y1;
  }
  const c1 = c + (<usize>ldc << 2);
  const c2 = c1 + (<usize>ldc << 2);
  const c3 = c2 + (<usize>ldc << 2);
  if (add) {
    r00 += load<f32>(c); r01 += load<f32>(c, 4); r10 += load<f32>(c1); r11 += load<f32>(c1, 4);
    r20 += load<f32>(c2); r21 += load<f32>(c2, 4); r30 += load<f32>(c3); r31 += load<f32>(c3, 4);
  }
  store<f32>(c, r00); store<f32>(c, r01, 4); store<f32>(c1, r10); store<f32>(c1, r11, 4);
  store<f32>(c2, r20); store<f32>(c2, r21, 4); store<f32>(c3, r30); store<f32>(c3, r31, 4);
}

/** One C element (+)= the dot product of an A row and a Bᵀ row over kb floats. */
@inline function dot1x1(kb: i32, a: usize, b: usize, c: usize, add: bool): void {
  let s = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= kb; p += 4) s = madd(v128.load(a + (<usize>p << 2)), v128.load(b + (<usize>p << 2)), s);
  let r = hsum(s);
  for (; p < kb; p++) r += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  store<f32>(c, add ? load<f32>(c) + r : r);
}

/** Rows of the column matrix {@link convWeightGradDirectF32} builds at a time (≤ 396 KiB of slab, in L2). */
const WGRAD_ROWS: i32 = 192;

/** Bytes of scratch {@link convWeightGradDirectF32} needs for a range of `rows` rows k. */
export function convWeightGradScratchBytes(rows: i32): i32 {
  return min(rows, WGRAD_ROWS) * (DOT_KB + 16) * 4;
}

/**
 * The implicit-GEMM convolution weight gradient: C[:, k0:k1] (C is [m × K], row stride ldc) =
 * dy[m × NL] (row stride NL) · columnsᵀ, where the columns [K, NL] are im2col of x (geometry block
 * `g`, batch-folded), built {@link DOT_KB} columns by up to {@link WGRAD_ROWS} rows at a time in
 * `scratch` and never stored. The same K blocks and tiles as {@link sgemmDot} over stored columns,
 * so bit-identical to im2col followed by it, however the rows k are split across threads.
 */
export function convWeightGradDirectF32(m: i32, k0: i32, k1: i32, NL: i32, dy: usize, x: usize, g: usize, c: usize, ldc: i32, scratch: usize): void {
  // Slab rows one cache line longer than a block: rows 2 KiB apart would crowd a few L1 sets.
  const ls = DOT_KB + 16;
  for (let p0 = 0; p0 < NL; p0 += DOT_KB) {
    const kb = min(DOT_KB, NL - p0);
    for (let r0 = k0; r0 < k1; r0 += WGRAD_ROWS) {
      const r1 = min(k1, r0 + WGRAD_ROWS);
      im2colSlab(x, g, r0, r1, p0, kb, scratch, ls);
      dotBlock(m, r1 - r0, kb, dy + (<usize>p0 << 2), NL, scratch, ls, c + (<usize>r0 << 2), ldc, p0 > 0);
    }
  }
}

/**
 * C[m×n] (row stride ldc) = A[m×k] · B[k×n] where A's rows and B's columns are contiguous
 * (A row-major with row stride lda, B column-major with column stride ldb): dot products over K
 * blocks of {@link DOT_KB}, in 2×4 tiles of C with single elements at the edges; `accumulate` adds to C.
 */
export function sgemmDot(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool): void {
  for (let p0 = 0; p0 < k; p0 += DOT_KB) {
    dotBlock(m, n, min(DOT_KB, k - p0), a + (<usize>p0 << 2), lda, b + (<usize>p0 << 2), ldb, c, ldc, p0 > 0 || accumulate);
  }
}

/**
 * One K block (kb floats) of {@link sgemmDot}: C (+)= A[:, block] · B[block, :]. Rows in fours with
 * 4×2 tiles, the rest in pairs with 2×4 tiles, single elements at the edges.
 */
@inline function dotBlock(m: i32, n: i32, kb: i32, pa: usize, lda: i32, pb: usize, ldb: i32, c: usize, ldc: i32, add: bool): void {
  const m4 = m & ~3;
  const n2 = n & ~1;
  for (let i = 0; i < m4; i += 4) {
    const ai = pa + (<usize>(i * lda) << 2);
    for (let j = 0; j < n2; j += 2) {
      dot4x2(kb, ai, lda, pb + (<usize>(j * ldb) << 2), ldb, c + (<usize>(i * ldc + j) << 2), ldc, add);
    }
  }
  const m2 = m4 + ((m - m4) & ~1);
  const n4 = n & ~3;
  for (let i = m4; i < m2; i += 2) {
    const ai = pa + (<usize>(i * lda) << 2);
    for (let j = 0; j < n4; j += 4) {
      dot2x4(kb, ai, lda, pb + (<usize>(j * ldb) << 2), ldb, c + (<usize>(i * ldc + j) << 2), ldc, add);
    }
  }
  for (let i = 0; i < m; i++) {
    const ai = pa + (<usize>(i * lda) << 2);
    // Edge columns of each tiled row (from n2 in the 4-row tiles, n4 in the 2-row ones), and every
    // column of the last row when the rows left after the fours are odd.
    for (let j = i < m4 ? n2 : i < m2 ? n4 : 0; j < n; j++) dot1x1(kb, ai, pb + (<usize>(j * ldb) << 2), c + (<usize>(i * ldc + j) << 2), add);
  }
}
