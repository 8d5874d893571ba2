/**
 * Convolutions of large images (groups 1), one image at a time: each image's columns (im2col,
 * [C·kH·kW, L], L = outH·outW) are built in the part's scratch, used there by the packed GEMM, and
 * overwritten by the next image's. A batch's column matrix (75 MB for a 3×3 conv 64→64 over
 * 32×64×32×32) is never written to memory and read back: one image's (2.4 MB) stays in cache.
 *
 * The geometry block is the one im2colF32 reads, with C = one image's channels and B = 1. Each
 * GEMM is the call the batched matmul makes for that image (same shape, strides and path), so the
 * forward pass and the input gradient have the same bits as im2col + matmul (+ col2im).
 */

import { col2imF32, im2colF32 } from './conv';
import { sgemm } from './gemm';

/** Bytes of one part's scratch: one image's columns, 16-byte aligned, then the GEMM's packing space. */
@inline function gemmScratchOf(scratch: usize, K: i32, L: i32): usize {
  return scratch + ((<usize>K * <usize>L * 4 + 15) & ~<usize>15);
}

/**
 * out[n] = weight [O × K] · columns(x[n]) (+ bias[o] on each finished sum of channel o, as a separate
 * broadcast add rounds) for images n in [n0, n1); out is [N, O, L].
 */
export function convImagesF32(x: usize, w: usize, bias: usize, out: usize, O: i32, g: usize, scratch: usize, n0: i32, n1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const L = load<i32>(g, 40) * load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const K = C * kH * kW;
  const work = gemmScratchOf(scratch, K, L);
  for (let n = n0; n < n1; n++) {
    im2colF32(x + (<usize>n * <usize>(C * H * W) << 2), scratch, g, 0, K);
    const o = out + (<usize>n * <usize>(O * L) << 2);
    sgemm(O, L, K, w, K, 1, scratch, L, 1, o, L, work);
    if (bias != 0) {
      for (let c = 0; c < O; c++) {
        const b = f32x4.splat(load<f32>(bias + (<usize>c << 2)));
        const row = o + (<usize>c * <usize>L << 2);
        let q = 0;
        for (; q + 4 <= L; q += 4) {
          const p = row + (<usize>q << 2);
          v128.store(p, f32x4.add(v128.load(p), b));
        }
        for (; q < L; q++) {
          const p = row + (<usize>q << 2);
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(b, 0));
        }
      }
    }
  }
}

/**
 * The input gradient of {@link convImagesF32}: dx[n] = col2im(weightᵀ · dy[n]) for n in [n0, n1),
 * dy [N, O, L] and dx [N, C, H, W]; each image's column gradient lives only in the scratch.
 */
export function convImagesInputGradF32(dy: usize, w: usize, dx: usize, O: i32, g: usize, scratch: usize, n0: i32, n1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const L = load<i32>(g, 40) * load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const K = C * kH * kW;
  const work = gemmScratchOf(scratch, K, L);
  for (let n = n0; n < n1; n++) {
    // weightᵀ [K × O]: element (k, o) at w + 4(o·K + k).
    sgemm(K, L, O, w, 1, K, dy + (<usize>n * <usize>(O * L) << 2), L, 1, scratch, L, work);
    col2imF32(scratch, dx + (<usize>n * <usize>(C * H * W) << 2), g, 0, C);
  }
}

/**
 * The weight gradient of {@link convImagesF32} in partial sums: for each group q in [q0, q1) of
 * `groups` (group q holds images [⌊N·q/groups⌋, ⌊N·(q+1)/groups⌋)), partials[q] [O × K] = Σₙ dy[n] ·
 * columns(x[n])ᵀ over its images in order, through the GEMM's accumulate epilogue. The groups do not
 * depend on how the host splits [0, groups) across threads, so neither do the sums.
 */
export function convImagesWeightGradF32(
  dy: usize, x: usize, partials: usize, O: i32, g: usize, scratch: usize, N: i32, groups: i32, q0: i32, q1: i32,
): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const L = load<i32>(g, 40) * load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const K = C * kH * kW;
  const work = gemmScratchOf(scratch, K, L);
  for (let q = q0; q < q1; q++) {
    const n0 = <i32>(<i64>N * q / groups);
    const n1 = <i32>(<i64>N * (q + 1) / groups);
    const dw = partials + (<usize>q * <usize>(O * K) << 2);
    for (let n = n0; n < n1; n++) {
      im2colF32(x + (<usize>n * <usize>(C * H * W) << 2), scratch, g, 0, K);
      // columnsᵀ [L × K]: element (l, k) at scratch + 4(k·L + l).
      sgemm(O, K, L, dy + (<usize>n * <usize>(O * L) << 2), L, 1, scratch, 1, L, dw, K, work, n > n0);
    }
  }
}
