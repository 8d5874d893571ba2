/**
 * Single-precision GEMM, GotoBLAS/BLIS style: C[M×N] = A[M×K] · B[K×N].
 *
 * Operands are strided (any row/column stride, so every transpose combination is a packing detail).
 * The loops, outermost first: NC columns of B, KC steps of K (B panel packed once per step), MC rows
 * of A (A block packed), then 8-column B micro-panels × MR-row A micro-panels fed to an MR×8
 * micro-kernel whose v128 accumulators stay in registers for the whole KC loop. One call computes one
 * rectangular tile of C; the host splits big products across threads by calling it on disjoint tiles.
 * The tile shape changes no rounding: each C element is summed in k order, then added to C.
 */

import { DIRECT_MAX_M, DOT_MIN_K, sgemmDirect, sgemmDot } from './gemm_small';
import { MR, micro6x8, packA, storeTile, storeTransposed } from './gemm_micro';
import { offsetOf } from './strided';

// Tile: MR×8 (MR from gemm_micro.ts).
const NR: i32 = 8;
// Blocking: A block MC×KC (≤ 240 KiB) sits in L2, a B micro-panel KC×8 (8–16 KiB) in L1. The relaxed
// build's longer KC halves the 6×8 tile's store-and-reload per element of C (+2% at n = 512–1024);
// its NC is halved so that the B panel stays 2 MiB.
export const GEMM_KC: i32 = ASC_FEATURE_RELAXED_SIMD ? 512 : 256;
export const GEMM_MC: i32 = ASC_FEATURE_RELAXED_SIMD ? 120 : 128;
export const GEMM_NC: i32 = ASC_FEATURE_RELAXED_SIMD ? 1024 : 2048;

/** Bytes of scratch one thread needs for packing (A block + B panel + one edge tile). */
export function gemmScratchBytes(): i32 {
  return (GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NC + MR * NR) * 4;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Packs k [0,kc) × columns [0,nc) of B into 8-column micro-panels, k-major, zero-padding the last. */
function packB(b: usize, rs: i32, cs: i32, kc: i32, nc: i32, dst: usize): void {
  let j = 0;
  if (cs == 1) {
    // Two micro-panels per pass over the rows: each 64-byte line of B is read whole, once (one
    // panel at a time revisits every line, and rows 4 KiB apart evict each other from L1).
    const next = <usize>kc * 32;
    for (; j + 2 * NR <= nc; j += 2 * NR) {
      let p = b + <usize>j * 4;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(p));
        v128.store(dst, v128.load(p, 16), 16);
        v128.store(dst + next, v128.load(p, 32));
        v128.store(dst + next, v128.load(p, 48), 16);
        p += <usize>rs * 4;
        dst += 32;
      }
      dst += next;
    }
  }
  for (; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    if (cols == NR && cs == 1) {
      let p = b + <usize>j * 4;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(p));
        v128.store(dst, v128.load(p, 16), 16);
        p += <usize>rs * 4;
        dst += 32;
      }
    } else if (rs == 1) {
      // Column-major B (a transposed operand): two 4×4 transposes per 4 k-steps turn 8 columns
      // of 4 k-values into 4 k-steps of 8 columns. Missing columns of the last panel read column 0
      // and are zeroed by the masks.
      const step = <usize>cs * 4;
      const p0 = b + <usize>(j * cs) * 4;
      const p1 = cols > 1 ? p0 + step : p0;
      const p2 = cols > 2 ? p1 + step : p0;
      const p3 = cols > 3 ? p2 + step : p0;
      const p4 = cols > 4 ? p3 + step : p0;
      const p5 = cols > 5 ? p4 + step : p0;
      const p6 = cols > 6 ? p5 + step : p0;
      const p7 = cols > 7 ? p6 + step : p0;
      const on = i32x4.splat(-1);
      const off0 = i32x4.splat(0);
      const m1 = cols > 1 ? on : off0, m2 = cols > 2 ? on : off0, m3 = cols > 3 ? on : off0;
      const m4 = cols > 4 ? on : off0, m5 = cols > 5 ? on : off0, m6 = cols > 6 ? on : off0, m7 = cols > 7 ? on : off0;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k * 4;
        const x0 = v128.load(p0 + o);
        const x1 = v128.and(v128.load(p1 + o), m1);
        const x2 = v128.and(v128.load(p2 + o), m2);
        const x3 = v128.and(v128.load(p3 + o), m3);
        const y0 = v128.and(v128.load(p4 + o), m4);
        const y1 = v128.and(v128.load(p5 + o), m5);
        const y2 = v128.and(v128.load(p6 + o), m6);
        const y3 = v128.and(v128.load(p7 + o), m7);
        // Columns 0-3 and 4-7 of each k-step: two transposes interleaved 16 bytes apart.
        storeTransposed(x0, x1, x2, x3, dst, 32);
        storeTransposed(y0, y1, y2, y3, dst + 16, 32);
        dst += 128;
      }
      for (; k < kc; k++) {
        let p = p0 + <usize>k * 4;
        for (let c = 0; c < NR; c++) {
          store<f32>(dst + <usize>c * 4, c < cols ? load<f32>(p) : 0);
          p += step;
        }
        dst += 32;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let c = 0; c < NR; c++) {
          store<f32>(dst + <usize>c * 4, c < cols ? load<f32>(b + (<usize>(k * rs + (j + c) * cs)) * 4) : 0);
        }
        dst += 32;
      }
    }
  }
}

/**
 * The 4×8 micro-kernel of the SIMD build: C tile (row stride ldc floats) = (accumulate ? C : 0) + Ap · Bp over kc steps.
 * A values are splatted from memory (`v128.load32_splat`), so only 2 B vectors and 8 accumulators
 * are live: 10 of the 16 xmm registers V8 can allocate. It repeats the relaxed build's micro6x8
 * (gemm_micro.ts) for four rows on purpose: in that tile-writing form this build's GEMM ran at 39
 * instead of 47.6 GFLOP/s.
 */
@inline function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
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
    ap += 16;
    bp += 32;
  }
  const ld = <usize>ldc * 4;
  const r1 = c + ld;
  const r2 = r1 + ld;
  const r3 = r2 + ld;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/** gemmPath's result for the packed (GotoBLAS) path; the host mirrors it (src/backends/wasm/conv_images.ts). */
export const PATH_PACKED = 0;
const PATH_DIRECT = 1;
const PATH_DOT = 2;

/**
 * The algorithm for a whole product of m×k by k×n: thin shapes skip packing (see gemm_small.ts).
 * Chosen from the whole product's shape, never from a thread's tile, because the paths round
 * differently: results must not depend on how many threads were free.
 */
export function gemmPath(m: i32, n: i32, k: i32, csA: i32, rsB: i32, csB: i32): i32 {
  if (csB == 1 && m <= DIRECT_MAX_M && n >= 64 && k <= 8192) return PATH_DIRECT;
  // Dot products also for matrix-vector shapes (batch-1 Linear layers, a conv's 1×1 output), where
  // packing a whole weight matrix to use it for one column costs more than the product.
  if (csA == 1 && rsB == 1 && m + n <= 256 && (k >= DOT_MIN_K || min(m, n) <= 4)) return PATH_DOT;
  return PATH_PACKED;
}

/**
 * C[m×n] (row stride ldc) = A[m×k] · B[k×n], A element (i,p) at a + 4(i·rsA + p·csA), likewise B;
 * with `accumulate`, C += A · B (the epilogue behind addmm and bias-initialised products).
 * `scratch` must hold {@link gemmScratchBytes} bytes and belong to the calling thread alone;
 * `path` is {@link gemmPath} of the whole product this call is a tile of (-1: of this call's shape).
 */
export function sgemm(
  m: i32, n: i32, k: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, csB: i32,
  c: usize, ldc: i32, scratch: usize, accumulate: bool = false, path: i32 = -1,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (accumulate) return;
    for (let i = 0; i < m; i++) memory.fill(c + <usize>(i * ldc) * 4, 0, <usize>n * 4);
    return;
  }
  if (path < 0) path = gemmPath(m, n, k, csA, rsB, csB);
  if (path == PATH_DIRECT) {
    sgemmDirect(m, n, k, a, rsA, csA, b, rsB, c, ldc, scratch, accumulate);
    return;
  }
  if (path == PATH_DOT) {
    sgemmDot(m, n, k, a, rsA, b, csB, c, ldc, accumulate);
    return;
  }
  const pb = scratch + <usize>(GEMM_MC * GEMM_KC) * 4;
  for (let jc = 0; jc < n; jc += GEMM_NC) {
    const nc = min(GEMM_NC, n - jc);
    for (let pc = 0; pc < k; pc += GEMM_KC) {
      const kc = min(GEMM_KC, k - pc);
      const first = pc == 0 && !accumulate;
      packB(b + (<usize>(pc * rsB + jc * csB)) * 4, rsB, csB, kc, nc, pb);
      gemmPackedBlock(m, nc, kc, a + (<usize>(pc * csA)) * 4, rsA, csA, pb, scratch, c + (<usize>jc) * 4, ldc, first);
    }
  }
}

/**
 * One (column block, K block) step of the packed GEMM: C[m × nc] (row stride ldc) = (first ? 0 : C)
 * + A[m × kc] · B, B already packed into `pb` (8-column micro-panels, k-major, as packB lays it
 * out), A packed MC rows at a time into the start of `scratch` (laid out as {@link sgemm}'s).
 * Exported for kernels that pack B themselves (conv_images.ts packs it straight from an image).
 */
export function gemmPackedBlock(
  m: i32, nc: i32, kc: i32, a: usize, rsA: i32, csA: i32, pb: usize, scratch: usize, c: usize, ldc: i32, first: bool,
): void {
  const pa = scratch;
  const tile = pa + <usize>(GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NC) * 4;
  for (let ic = 0; ic < m; ic += GEMM_MC) {
    const mc = min(GEMM_MC, m - ic);
    packA(a + (<usize>(ic * rsA)) * 4, rsA, csA, mc, kc, pa);
    for (let jr = 0; jr < nc; jr += NR) {
      const cols = min(NR, nc - jr);
      const bp = pb + <usize>(jr * kc) * 4;
      for (let ir = 0; ir < mc; ir += MR) {
        const rows = min(MR, mc - ir);
        const ap = pa + <usize>(ir * kc) * 4;
        const cp = c + (<usize>((ic + ir) * ldc + jr)) * 4;
        if (MR == 6) {
          micro6x8(kc, ap, bp, 32, tile);
          storeTile(tile, cp, ldc, rows, cols, !first);
        } else if (rows == MR && cols == NR) {
          micro(kc, ap, bp, cp, ldc, !first);
        } else {
          // Edge tile: compute a full MR×NR tile into scratch and copy the valid part out.
          micro(kc, ap, bp, tile, NR, false);
          storeTile(tile, cp, ldc, rows, cols, !first);
        }
      }
    }
  }
}

/**
 * Batched, tiled entry point: for each batch b in [b0, b1), C_b[i0:i1, j0:j1] = A_b[i0:i1, :] · B_b[:, j0:j1],
 * C_b contiguous m×n at c + b·m·n. The batch layout is a descriptor (operand 0 = A's batch strides,
 * operand 1 = B's, broadcast batch dims have stride 0). Threads get disjoint batches, rows or columns.
 * A non-zero `accumulate` adds the products to C instead of overwriting it.
 */
export function gemmF32(
  desc: usize, a: usize, b: usize, c: usize,
  m: i32, n: i32, k: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
  scratch: usize, b0: i32, b1: i32, i0: i32, i1: i32, j0: i32, j1: i32, accumulate: i32,
): void {
  const rank = load<i32>(desc);
  const path = gemmPath(m, n, k, csA, rsB, csB);
  for (let bi = b0; bi < b1; bi++) {
    const pa = a + (<usize>(offsetOf(desc, rank, 0, bi, rank) + i0 * rsA) << 2);
    const pb = b + (<usize>(offsetOf(desc, rank, 1, bi, rank) + j0 * csB) << 2);
    const pc = c + (<usize>(bi * m * n + i0 * n + j0) << 2);
    sgemm(i1 - i0, j1 - j0, k, pa, rsA, csA, pb, rsB, csB, pc, n, scratch, accumulate != 0, path);
  }
}
