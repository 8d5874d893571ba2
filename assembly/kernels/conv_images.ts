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
import { GEMM_KC, GEMM_MC, GEMM_NC, gemmPackedBlock, gemmPath, sgemm } from './gemm';

/** gemmPath's packed path (gemm.ts). */
const PATH_PACKED = 0;

/**
 * Packs rows [k0, k0 + kc) × columns [j0, j0 + nc) of one image's columns (im2col of the image at x,
 * C = all its channels) into 8-column micro-panels, k-major, zero-padding the last: what packB
 * makes of the stored columns, read straight from the image. `table` (3·kc i32) receives each row's
 * tap: its offset in the image for output position (0, 0) and its row and column offsets. A panel
 * of 8 positions in one output row at column stride 1 reads 8 adjacent pixels per row k: two vector
 * loads, from the table alone where every tap stays inside the image (most panels), else masked
 * where they run off the row, or zeros for a row outside the image. Other panels go element by
 * element.
 */
function packImageColumns(x: usize, g: usize, k0: i32, kc: i32, j0: i32, nc: i32, dst: usize, table: usize): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const sH = load<i32>(g, 16), sW = load<i32>(g, 20), pT = load<i32>(g, 24), pL = load<i32>(g, 28);
  const dH = load<i32>(g, 32), dW = load<i32>(g, 36), oW = load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const taps = kH * kW;
  const plane = H * W;
  const size = C * plane;
  // The taps of rows k0…: (offset, row offset, column offset), and their extremes.
  let c = k0 / taps;
  let t = k0 - c * taps;
  let i = t / kW;
  let jj = t - i * kW;
  let minH = i32.MAX_VALUE, maxH = i32.MIN_VALUE, minW = i32.MAX_VALUE, maxW = i32.MIN_VALUE;
  for (let k = 0; k < kc; k++) {
    const offH = i * dH - pT;
    const offW = jj * dW - pL;
    const e = table + (<usize>(3 * k) << 2);
    store<i32>(e, c * plane + offH * W + offW);
    store<i32>(e, offH, 4);
    store<i32>(e, offW, 8);
    minH = min(minH, offH); maxH = max(maxH, offH);
    minW = min(minW, offW); maxW = max(maxW, offW);
    if (++jj == kW) {
      jj = 0;
      if (++i == kH) {
        i = 0;
        c++;
      }
    }
  }
  const lanes0 = i32x4(0, 1, 2, 3);
  const lanes1 = i32x4(4, 5, 6, 7);
  const width = i32x4.splat(W);
  const zero = f32x4.splat(0);
  for (let p = 0; p < nc; p += 8) {
    const j = j0 + p;
    const cols = min(8, nc - p);
    const oh = j / oW;
    const ow = j - oh * oW;
    const rowPanel = cols == 8 && sW == 1 && ow + 8 <= oW;
    const ih0 = oh * sH;
    if (rowPanel && ih0 + minH >= 0 && ih0 + maxH < H && ow + minW >= 0 && ow + 8 + maxW <= W) {
      // Every tap inside the image.
      const origin = x + (<usize>(ih0 * W + ow) << 2);
      let e = table;
      for (let k = 0; k < kc; k++) {
        const src = origin + (<usize>load<i32>(e) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        e += 12;
        dst += 32;
      }
      continue;
    }
    for (let k = 0; k < kc; k++) {
      const e = table + (<usize>(3 * k) << 2);
      const offH = load<i32>(e, 4);
      const offW = load<i32>(e, 8);
      if (rowPanel) {
        const ih = ih0 + offH;
        const iw = ow + offW;
        if (ih < 0 || ih >= H) {
          v128.store(dst, zero);
          v128.store(dst, zero, 16);
        } else {
          const off = load<i32>(e) + ih0 * W + ow;
          const src = x + (<usize>off << 2);
          if (iw >= 0 && iw + 8 <= W) {
            v128.store(dst, v128.load(src));
            v128.store(dst, v128.load(src, 16), 16);
          } else if (off >= 0 && off + 8 <= size) {
            // The 8 floats lie inside the image: load them and zero the lanes off this row.
            const at = i32x4.splat(iw);
            const c0 = i32x4.add(at, lanes0);
            const c1 = i32x4.add(at, lanes1);
            const m0 = v128.and(i32x4.ge_s(c0, i32x4.splat(0)), i32x4.lt_s(c0, width));
            const m1 = v128.and(i32x4.ge_s(c1, i32x4.splat(0)), i32x4.lt_s(c1, width));
            v128.store(dst, v128.and(v128.load(src), m0));
            v128.store(dst, v128.and(v128.load(src, 16), m1), 16);
          } else {
            for (let q = 0; q < 8; q++) {
              const w = iw + q;
              store<f32>(dst + (<usize>q << 2), w >= 0 && w < W ? load<f32>(src + (<usize>q << 2)) : 0);
            }
          }
        }
      } else {
        // The tap's channel plane: its offset at (0, 0) less its row and column offsets.
        const base = x + (<usize>(load<i32>(e) - offH * W - offW) << 2);
        for (let q = 0; q < 8; q++) {
          let v: f32 = 0;
          if (q < cols) {
            const pos = j + q;
            const qh = pos / oW;
            const ih = qh * sH + offH;
            const iw = (pos - qh * oW) * sW + offW;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = load<f32>(base + (<usize>(ih * W + iw) << 2));
          }
          store<f32>(dst + (<usize>q << 2), v);
        }
      }
      dst += 32;
    }
  }
}

/**
 * out [O × L] = weight [O × K] · columns(image at x), the columns packed straight from the image
 * block by block (never stored): sgemm's loops, K blocks and tiles, so the same bits as im2col
 * followed by sgemm on the packed path.
 */
function convImagePacked(O: i32, L: i32, K: i32, w: usize, x: usize, g: usize, out: usize, work: usize, table: usize): void {
  const pb = work + <usize>(GEMM_MC * GEMM_KC) * 4;
  for (let jc = 0; jc < L; jc += GEMM_NC) {
    const nc = min(GEMM_NC, L - jc);
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      packImageColumns(x, g, pc, kc, jc, nc, pb, table);
      gemmPackedBlock(O, nc, kc, w + (<usize>pc << 2), K, 1, pb, work, out + (<usize>jc << 2), L, pc == 0);
    }
  }
}

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
  const packed = gemmPath(O, L, K, 1, L, 1) == PATH_PACKED;
  for (let n = n0; n < n1; n++) {
    const image = x + (<usize>n * <usize>(C * H * W) << 2);
    const o = out + (<usize>n * <usize>(O * L) << 2);
    if (packed) {
      convImagePacked(O, L, K, w, image, g, o, work, scratch);
    } else {
      im2colF32(image, scratch, g, 0, K);
      sgemm(O, L, K, w, K, 1, scratch, L, 1, o, L, work);
    }
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
