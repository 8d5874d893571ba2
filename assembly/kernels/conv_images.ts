/**
 * Convolutions of large images (groups 1), one image at a time: each image's columns (im2col,
 * [C·kH·kW, L], L = outH·outW) are packed for the GEMM block by block straight from the image, or
 * built whole in the part's scratch where the GEMM takes another path. A batch's column matrix
 * (75 MB for a 3×3 conv 64→64 over 32×64×32×32) is never written to memory and read back.
 *
 * The geometry block is the one im2colF32 reads, with C = one image's channels and B = 1. Each
 * GEMM is the call the batched matmul makes for that image (same shape, strides, path, K blocks
 * and tiles), so the forward pass has the same bits as im2col + matmul. Where that call takes the
 * packed path, its B panels are packed straight from the image and no columns are stored at all;
 * `cols` then only holds the packers' tap table (3 i32 per column row). Otherwise `cols` holds one
 * image's columns. `work` is the GEMM's packing space (gemmScratchBytes).
 */

import { col2imF32, im2colF32 } from './conv';
import { GEMM_KC, GEMM_MC, GEMM_NC, gemmPackedBlock, gemmPath, PATH_PACKED, sgemm } from './gemm';
import { storeTransposed } from './gemm_micro';

/**
 * The taps of column rows [k0, k0 + count) (row k = c·kH·kW + i·kW + j) into `table`, three i32 per
 * row: the offset in the image of the pixel that output position (0, 0) reads, and that pixel's row
 * and column offsets (i·dH − padTop, j·dW − padLeft).
 */
function tapTable(g: usize, k0: i32, count: i32, table: usize): void {
  const W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const pT = load<i32>(g, 24), pL = load<i32>(g, 28), dH = load<i32>(g, 32), dW = load<i32>(g, 36);
  const plane = load<i32>(g) * W;
  const taps = kH * kW;
  let c = k0 / taps;
  let t = k0 - c * taps;
  let i = t / kW;
  let jj = t - i * kW;
  for (let k = 0; k < count; k++) {
    const offH = i * dH - pT;
    const offW = jj * dW - pL;
    const e = table + (<usize>(3 * k) << 2);
    store<i32>(e, c * plane + offH * W + offW);
    store<i32>(e, offH, 4);
    store<i32>(e, offW, 8);
    if (++jj == kW) {
      jj = 0;
      if (++i == kH) {
        i = 0;
        c++;
      }
    }
  }
}

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
  const H = load<i32>(g), W = load<i32>(g, 4), sH = load<i32>(g, 16), sW = load<i32>(g, 20), oW = load<i32>(g, 44);
  const size = load<i32>(g, 48) * H * W;
  tapTable(g, k0, kc, table);
  let minH = i32.MAX_VALUE, maxH = i32.MIN_VALUE, minW = i32.MAX_VALUE, maxW = i32.MIN_VALUE;
  for (let k = 0; k < kc; k++) {
    const e = table + (<usize>(3 * k) << 2);
    minH = min(minH, load<i32>(e, 4)); maxH = max(maxH, load<i32>(e, 4));
    minW = min(minW, load<i32>(e, 8)); maxW = max(maxW, load<i32>(e, 8));
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
 * Four pixels of the tap at table entry `e` for output positions (oh, ow…ow + 3) at column stride 1
 * (`ih0` = oh·sH, `origin` = the image at x plus ih0·W + ow floats, `size` the image's floats):
 * zeros for a row outside the image, lanes off the row zeroed.
 */
@inline function tapPixels4(origin: usize, e: usize, ih0: i32, ow: i32, H: i32, W: i32, at: i32, size: i32): v128 {
  const ih = ih0 + load<i32>(e, 4);
  if (ih < 0 || ih >= H) return f32x4.splat(0);
  const iw = ow + load<i32>(e, 8);
  const src = origin + (<usize>load<i32>(e) << 2);
  if (iw >= 0 && iw + 4 <= W) return v128.load(src);
  const lanes = i32x4.add(i32x4.splat(iw), i32x4(0, 1, 2, 3));
  const inRow = v128.and(i32x4.ge_s(lanes, i32x4.splat(0)), i32x4.lt_s(lanes, i32x4.splat(W)));
  // `at`: the offset of origin in the image; the four floats read must lie inside the image.
  const off = at + load<i32>(e);
  if (off >= 0 && off + 4 <= size) return v128.and(v128.load(src), inRow);
  let v = f32x4.splat(iw >= 0 && iw < W ? load<f32>(src) : 0);
  if (iw + 1 >= 0 && iw + 1 < W) v = f32x4.replace_lane(v, 1, load<f32>(src, 4));
  else v = f32x4.replace_lane(v, 1, 0);
  if (iw + 2 >= 0 && iw + 2 < W) v = f32x4.replace_lane(v, 2, load<f32>(src, 8));
  else v = f32x4.replace_lane(v, 2, 0);
  if (iw + 3 >= 0 && iw + 3 < W) v = f32x4.replace_lane(v, 3, load<f32>(src, 12));
  else v = f32x4.replace_lane(v, 3, 0);
  return v;
}

/** One pixel of the tap at table entry `e` for output position l (0 outside the image). */
@inline function tapPixel(x: usize, e: usize, l: i32, sH: i32, sW: i32, H: i32, W: i32, oW: i32): f32 {
  const offH = load<i32>(e, 4);
  const offW = load<i32>(e, 8);
  const oh = l / oW;
  const ih = oh * sH + offH;
  const iw = (l - oh * oW) * sW + offW;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) return 0;
  return load<f32>(x + (<usize>(load<i32>(e) - offH * W - offW + ih * W + iw) << 2));
}

/**
 * Packs rows [l0, l0 + kc) × columns [j0, j0 + nc) of one image's transposed columns ([L × K]: row l
 * an output position, column k a tap) into 8-column micro-panels, k-major, zero-padding the last:
 * what packB makes of stored columns read transposed (the weight gradient's B). Four positions of
 * one output row at column stride 1 read four adjacent pixels per tap: eight vector loads and two
 * 4×4 transposes give four rows of a panel. Other rows go element by element.
 */
function packImageColumnsT(x: usize, g: usize, l0: i32, kc: i32, j0: i32, nc: i32, dst: usize, table: usize): void {
  const H = load<i32>(g), W = load<i32>(g, 4), sH = load<i32>(g, 16), sW = load<i32>(g, 20), oW = load<i32>(g, 44);
  const size = load<i32>(g, 48) * H * W;
  tapTable(g, j0, nc, table);
  for (let p = 0; p < nc; p += 8) {
    const cols = min(8, nc - p);
    const e0 = table + (<usize>(3 * p) << 2);
    let minH = i32.MAX_VALUE, maxH = i32.MIN_VALUE, minW = i32.MAX_VALUE, maxW = i32.MIN_VALUE;
    for (let t = 0; t < cols; t++) {
      const e = e0 + (<usize>(3 * t) << 2);
      minH = min(minH, load<i32>(e, 4)); maxH = max(maxH, load<i32>(e, 4));
      minW = min(minW, load<i32>(e, 8)); maxW = max(maxW, load<i32>(e, 8));
    }
    const end = l0 + kc;
    let l = l0;
    let oh = l / oW;
    let ow = l - oh * oW;
    while (l < end) {
      let step = 1;
      if (cols == 8 && sW == 1 && l + 4 <= end && ow + 4 <= oW) {
        const ih0 = oh * sH;
        const at = ih0 * W + ow;
        const origin = x + (<usize>at << 2);
        let x0: v128, x1: v128, x2: v128, x3: v128, y0: v128, y1: v128, y2: v128, y3: v128;
        if (ih0 + minH >= 0 && ih0 + maxH < H && ow + minW >= 0 && ow + 4 + maxW <= W) {
          x0 = v128.load(origin + (<usize>load<i32>(e0) << 2));
          x1 = v128.load(origin + (<usize>load<i32>(e0, 12) << 2));
          x2 = v128.load(origin + (<usize>load<i32>(e0, 24) << 2));
          x3 = v128.load(origin + (<usize>load<i32>(e0, 36) << 2));
          y0 = v128.load(origin + (<usize>load<i32>(e0, 48) << 2));
          y1 = v128.load(origin + (<usize>load<i32>(e0, 60) << 2));
          y2 = v128.load(origin + (<usize>load<i32>(e0, 72) << 2));
          y3 = v128.load(origin + (<usize>load<i32>(e0, 84) << 2));
        } else {
          x0 = tapPixels4(origin, e0, ih0, ow, H, W, at, size);
          x1 = tapPixels4(origin, e0 + 12, ih0, ow, H, W, at, size);
          x2 = tapPixels4(origin, e0 + 24, ih0, ow, H, W, at, size);
          x3 = tapPixels4(origin, e0 + 36, ih0, ow, H, W, at, size);
          y0 = tapPixels4(origin, e0 + 48, ih0, ow, H, W, at, size);
          y1 = tapPixels4(origin, e0 + 60, ih0, ow, H, W, at, size);
          y2 = tapPixels4(origin, e0 + 72, ih0, ow, H, W, at, size);
          y3 = tapPixels4(origin, e0 + 84, ih0, ow, H, W, at, size);
        }
        storeTransposed(x0, x1, x2, x3, dst, 32);
        storeTransposed(y0, y1, y2, y3, dst + 16, 32);
        step = 4;
      } else {
        for (let q = 0; q < 8; q++) {
          store<f32>(dst + (<usize>q << 2), q < cols ? tapPixel(x, e0 + (<usize>(3 * q) << 2), l, sH, sW, H, W, oW) : 0);
        }
      }
      dst += <usize>(32 * step);
      l += step;
      ow += step;
      if (ow >= oW) {
        ow -= oW;
        oh++;
      }
    }
  }
}

/**
 * Columns [j0, j1) of C [m × n] (row stride ldc) = (accumulate ? C : 0) + A [m × k] (row stride lda)
 * · B, where B is the columns of the image at x ([k × n]: the forward's weight · columns) or,
 * `transposed`, their transpose ([k × n] = [L × K]: the weight gradient's dy · columnsᵀ), packed
 * straight from the image block by block and never stored: sgemm's loops, K blocks and tiles, so the
 * same bits as im2col followed by sgemm on the packed path, whatever the column range.
 */
function imageProduct(
  m: i32, j0: i32, j1: i32, k: i32, a: usize, lda: i32, x: usize, g: usize, c: usize, ldc: i32, work: usize, table: usize,
  transposed: bool, accumulate: bool,
): void {
  const pb = work + <usize>(GEMM_MC * GEMM_KC) * 4;
  for (let jc = j0; jc < j1; jc += GEMM_NC) {
    const nc = min(GEMM_NC, j1 - jc);
    for (let pc = 0; pc < k; pc += GEMM_KC) {
      const kc = min(GEMM_KC, k - pc);
      if (transposed) packImageColumnsT(x, g, pc, kc, jc, nc, pb, table);
      else packImageColumns(x, g, pc, kc, jc, nc, pb, table);
      gemmPackedBlock(m, nc, kc, a + (<usize>pc << 2), lda, 1, pb, work, c + (<usize>jc << 2), ldc, pc == 0 && !accumulate);
    }
  }
}

/**
 * out[n][:, j0:j1] = weight [O × K] · columns(x[n])[:, j0:j1] (+ bias[o] on each finished sum of
 * channel o, as a separate broadcast add rounds) for images n in [n0, n1); out is [N, O, L]. The
 * host splits a batch by image, or a single image by column (packed path only: the other path
 * builds the whole image's columns).
 */
export function convImagesF32(
  x: usize, w: usize, bias: usize, out: usize, O: i32, g: usize, cols: usize, work: usize, n0: i32, n1: i32, j0: i32, j1: i32,
): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const L = load<i32>(g, 40) * load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const K = C * kH * kW;
  const packed = gemmPath(O, L, K, 1, L, 1) == PATH_PACKED;
  for (let n = n0; n < n1; n++) {
    const image = x + (<usize>n * <usize>(C * H * W) << 2);
    const o = out + (<usize>n * <usize>(O * L) << 2);
    if (packed) {
      imageProduct(O, j0, j1, K, w, K, image, g, o, L, work, cols, false, false);
    } else {
      im2colF32(image, cols, g, 0, K);
      sgemm(O, j1 - j0, K, w, K, 1, cols + (<usize>j0 << 2), L, 1, o + (<usize>j0 << 2), L, work);
    }
    if (bias != 0) {
      for (let c = 0; c < O; c++) {
        const b = f32x4.splat(load<f32>(bias + (<usize>c << 2)));
        const row = o + (<usize>c * <usize>L << 2);
        let q = j0;
        for (; q + 4 <= j1; q += 4) {
          const p = row + (<usize>q << 2);
          v128.store(p, f32x4.add(v128.load(p), b));
        }
        for (; q < j1; q++) {
          const p = row + (<usize>q << 2);
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(b, 0));
        }
      }
    }
  }
}

/**
 * The input gradient of {@link convImagesF32}: dx[n] = col2im(weightᵀ · dy[n]) for n in [n0, n1),
 * dy [N, O, L] and dx [N, C, H, W]; each image's column gradient lives only in `cols`.
 */
export function convImagesInputGradF32(dy: usize, w: usize, dx: usize, O: i32, g: usize, cols: usize, work: usize, n0: i32, n1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const L = load<i32>(g, 40) * load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const K = C * kH * kW;
  for (let n = n0; n < n1; n++) {
    // weightᵀ [K × O]: element (k, o) at w + 4(o·K + k).
    sgemm(K, L, O, w, 1, K, dy + (<usize>n * <usize>(O * L) << 2), L, 1, cols, L, work);
    col2imF32(cols, dx + (<usize>n * <usize>(C * H * W) << 2), g, 0, C);
  }
}

/**
 * The weight gradient of {@link convImagesF32} in partial sums, columns [k0, k1) of them: for each
 * group q in [q0, q1) of `groups` (group q holds images [⌊N·q/groups⌋, ⌊N·(q+1)/groups⌋)),
 * partials[q] [O × K] = Σₙ dy[n] · columns(x[n])ᵀ over its images in order, through the GEMM's
 * accumulate epilogue. The groups do not depend on how the host splits the work across threads
 * (by group, or a single group by column), so neither do the sums.
 */
export function convImagesWeightGradF32(
  dy: usize, x: usize, partials: usize, O: i32, g: usize, cols: usize, work: usize, N: i32, groups: i32, q0: i32, q1: i32, k0: i32, k1: i32,
): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const L = load<i32>(g, 40) * load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const K = C * kH * kW;
  const packed = gemmPath(O, K, L, 1, 1, L) == PATH_PACKED;
  for (let q = q0; q < q1; q++) {
    const n0 = <i32>(<i64>N * q / groups);
    const n1 = <i32>(<i64>N * (q + 1) / groups);
    const dw = partials + (<usize>q * <usize>(O * K) << 2);
    for (let n = n0; n < n1; n++) {
      const image = x + (<usize>n * <usize>(C * H * W) << 2);
      const grad = dy + (<usize>n * <usize>(O * L) << 2);
      if (packed) {
        imageProduct(O, k0, k1, L, grad, L, image, g, dw, K, work, cols, true, n > n0);
      } else {
        im2colF32(image, cols, g, 0, K);
        // columnsᵀ [L × K]: element (l, k) at cols + 4(k·L + l).
        sgemm(O, k1 - k0, L, grad, L, 1, cols + (<usize>k0 * <usize>L << 2), 1, L, dw + (<usize>k0 << 2), K, work, n > n0);
      }
    }
  }
}
