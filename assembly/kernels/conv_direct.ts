/**
 * Direct convolution of single-channel images (a network's first layer on grayscale input, e.g.
 * LeNet's C1: 1 → 6 channels, 5×5, padding 2), stride 1, dilation 1, at most {@link DIRECT_MAX_O}
 * output channels. With one input channel the columns of im2col are just shifted copies of the
 * image, so both kernels read a zero-padded copy of each image (built in scratch) at shifted
 * offsets instead of materialising them: 25 taps × 4 lanes of output per vector step.
 *
 * The geometry block `g` is the convolution kernels' (see conv.ts):
 * `[H, W, kH, kW, sH, sW, padTop, padLeft, dH, dW, outH, outW, …]`.
 */

/** The most output channels the direct kernels take (two accumulators each must fit the registers). */
export const DIRECT_MAX_O: i32 = 6;

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Row stride (floats) of the padded image: the taps' reach, plus room for a vector's overrun. */
@inline export function paddedWidth(oW: i32, kW: i32): i32 {
  return ((oW + kW - 1 + 8) + 3) & ~3;
}

/** Byte offset of tap `tap` (row-major over a kernel kW wide) in a padded image of row stride wp. */
@inline function tapOffset(tap: i32, kW: i32, wp: i32): usize {
  return <usize>((tap / kW) * wp + tap % kW) << 2;
}

/** Floats of scratch one padded image takes. */
@inline export function paddedSize(oH: i32, oW: i32, kH: i32, kW: i32): i32 {
  return (oH + kH - 1 + 1) * paddedWidth(oW, kW);
}

/**
 * Copies image `src` [H, W] into `dst` with `pT` zero rows above and `pL` zero columns to the left,
 * zeros elsewhere, as (oH + kH) rows of {@link paddedWidth} floats.
 */
export function padImage(src: usize, dst: usize, H: i32, W: i32, pT: i32, pL: i32, oH: i32, oW: i32, kH: i32, kW: i32): void {
  const wp = paddedWidth(oW, kW);
  const rows = oH + kH;
  memory.fill(dst, 0, <usize>(rows * wp) << 2);
  for (let h = 0; h < H; h++) {
    const r = h + pT;
    if (r < 0 || r >= rows) continue;
    // Columns that land inside the padded row.
    const c0 = max(0, -pL);
    const c1 = min(W, wp - pL);
    if (c1 > c0) memory.copy(dst + (<usize>(r * wp + c0 + pL) << 2), src + (<usize>(h * W + c0) << 2), <usize>(c1 - c0) << 2);
  }
}

/** Floats of scratch after the padded images: the forward's packed weights ([taps][6]), tap offsets and tile. */
@inline function weightsAndTile(kH: i32, kW: i32): i32 {
  return kH * kW * 7 + 48;
}

/** Bytes of scratch {@link conv1chF32} and {@link conv1chWeightGradF32} need per thread, for `chunk` images. */
export function conv1chScratchBytes(g: usize, chunk: i32): i32 {
  const oH = load<i32>(g, 40), oW = load<i32>(g, 44), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  return (chunk * paddedSize(oH, oW, kH, kW) + weightsAndTile(kH, kW)) * 4;
}

/**
 * Six output channels × eight columns of one output row: tile t ([6][8]) = Σ over the K taps, in
 * row-major order, of wq[tap][o] · the 8 floats of the padded image at xp + offs[tap] (bytes),
 * multiply-adds from 0. One flat loop over a table of tap offsets, and its own exported function,
 * for the reason given at micro6x8 (gemm_micro.ts): with nested tap loops, or inlined, V8 hoisted
 * the six weight splats ahead of the FMAs and spilled accumulators.
 */
export function conv1chTile6x8(xp: usize, wq: usize, offs: usize, K: i32, t: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0), a4 = f32x4.splat(0), a5 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
  let b3 = f32x4.splat(0), b4 = f32x4.splat(0), b5 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    const p = xp + <usize>load<i32>(offs);
    const xa = v128.load(p);
    const xb = v128.load(p, 16);
    let wv = v128.load32_splat(wq);
    a0 = madd(wv, xa, a0); b0 = madd(wv, xb, b0);
    wv = v128.load32_splat(wq, 4);
    a1 = madd(wv, xa, a1); b1 = madd(wv, xb, b1);
    wv = v128.load32_splat(wq, 8);
    a2 = madd(wv, xa, a2); b2 = madd(wv, xb, b2);
    wv = v128.load32_splat(wq, 12);
    a3 = madd(wv, xa, a3); b3 = madd(wv, xb, b3);
    wv = v128.load32_splat(wq, 16);
    a4 = madd(wv, xa, a4); b4 = madd(wv, xb, b4);
    wv = v128.load32_splat(wq, 20);
    a5 = madd(wv, xa, a5); b5 = madd(wv, xb, b5);
    offs += 4;
    wq += 24;
  }
  v128.store(t, a0); v128.store(t, b0, 16); v128.store(t, a1, 32); v128.store(t, b1, 48);
  v128.store(t, a2, 64); v128.store(t, b2, 80); v128.store(t, a3, 96); v128.store(t, b3, 112);
  v128.store(t, a4, 128); v128.store(t, b4, 144); v128.store(t, a5, 160); v128.store(t, b5, 176);
}

/**
 * out[n, o, oh, ow] = Σ over taps (in row-major tap order, multiply-adds from 0, as im2col + GEMM
 * would sum them) of w[o, tap] · x[n, 0, oh − pT + i, ow − pL + j], for images [n0, n1) of
 * x [N, 1, H, W], plus bias[o] when `bias` is not 0 (added to the finished sum, as a separate
 * broadcast add rounds); out is [N, O, oH, oW]. `scratch` holds one padded image, then the weights
 * repacked tap-major with 6 channel slots (those ≥ O zero), the taps' byte offsets, then a tile.
 * Every output row is done in blocks of 8 columns; the last block may read past the row into the
 * padding and stores only its valid columns.
 */
export function conv1chF32(x: usize, w: usize, bias: usize, out: usize, O: i32, g: usize, scratch: usize, n0: i32, n1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const pT = load<i32>(g, 24), pL = load<i32>(g, 28), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const K = kH * kW;
  const wp = paddedWidth(oW, kW);
  const plane = oH * oW;
  const wq = scratch + (<usize>paddedSize(oH, oW, kH, kW) << 2);
  const offs = wq + (<usize>(K * 6) << 2);
  const tile = offs + (<usize>K << 2);
  memory.fill(wq, 0, <usize>(K * 6) << 2);
  for (let o = 0; o < O; o++) {
    for (let tap = 0; tap < K; tap++) store<f32>(wq + (<usize>(tap * 6 + o) << 2), load<f32>(w + (<usize>(o * K + tap) << 2)));
  }
  for (let tap = 0; tap < K; tap++) store<i32>(offs + (<usize>tap << 2), <i32>tapOffset(tap, kW, wp));
  const step = <usize>plane << 2;
  for (let n = n0; n < n1; n++) {
    padImage(x + (<usize>(n * H * W) << 2), scratch, H, W, pT, pL, oH, oW, kH, kW);
    const base = out + (<usize>(n * O * plane) << 2);
    for (let oh = 0; oh < oH; oh++) {
      for (let ow = 0; ow < oW; ow += 8) {
        conv1chTile6x8(scratch + (<usize>(oh * wp + ow) << 2), wq, offs, K, tile);
        const cols = min(8, oW - ow);
        let at = base + (<usize>(oh * oW + ow) << 2);
        for (let o = 0; o < O; o++) {
          const s = tile + (<usize>(o * 8) << 2);
          const b = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
          if (cols == 8) {
            let v0 = v128.load(s), v1 = v128.load(s, 16);
            if (bias != 0) {
              v0 = f32x4.add(v0, f32x4.splat(b));
              v1 = f32x4.add(v1, f32x4.splat(b));
            }
            v128.store(at, v0);
            v128.store(at, v1, 16);
          } else {
            for (let q = 0; q < cols; q++) {
              const v = load<f32>(s + (<usize>q << 2));
              store<f32>(at + (<usize>q << 2), bias != 0 ? v + b : v);
            }
          }
          at += step;
        }
      }
    }
  }
}

/**
 * The weight gradient over chunk [c0, c1) of `chunk` images each: partial[c, o, tap] (float64,
 * chunk-major [chunks, O, K + withBias]) = Σ over the chunk's images and output positions of
 * dy[n, o, oh, ow] · x[n, 0, oh − pT + i, ow − pL + j]; with `withBias`, partial[c, o, K] = Σ of
 * dy[n, o] over the chunk (the bias gradient, read while dy is in cache). The host adds the chunks
 * up in order, so the result does not depend on how chunks were spread over threads. `scratch`
 * holds `chunk` padded images.
 */
export function conv1chWeightGradF32(dy: usize, x: usize, partial: usize, N: i32, O: i32, g: usize, chunk: i32, scratch: usize, c0: i32, c1: i32, withBias: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const pT = load<i32>(g, 24), pL = load<i32>(g, 28), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const K = kH * kW;
  const padded = paddedSize(oH, oW, kH, kW);
  for (let c = c0; c < c1; c++) {
    const nA = c * chunk;
    const nB = min(N, nA + chunk);
    for (let n = nA; n < nB; n++) {
      padImage(x + (<usize>(n * H * W) << 2), scratch + (<usize>((n - nA) * padded) << 2), H, W, pT, pL, oH, oW, kH, kW);
    }
    const row = K + withBias;
    const dst = partial + (<usize>(c * O * row) << 3);
    // Tiles of 3 channels × 3 taps: nine multiply-add chains per pass over the images, each grad
    // load serving three taps and each image load three channels.
    for (let o = 0; o < O; o += 3) {
      const no = min(3, O - o);
      let tap = 0;
      if (no == 3) for (; tap + 3 <= K; tap += 3) weightGradTile(dy, dst, row, g, scratch, nA, nB, O, o, 3, tap, 3);
      for (; tap < K; tap += 3) weightGradTile(dy, dst, row, g, scratch, nA, nB, O, o, no, tap, min(3, K - tap));
    }
    if (withBias != 0) {
      // Summed in double straight away: float32 sums of whole planes lost ~5 digits, and float32
      // row sums still ~1e-5 relative over LeNet's batch.
      const plane = oH * oW;
      for (let o = 0; o < O; o++) {
        let lo = f64x2.splat(0), hi = f64x2.splat(0);
        let tail: f64 = 0;
        for (let n = nA; n < nB; n++) {
          const gp = dy + (<usize>((n * O + o) * plane) << 2);
          let q = 0;
          for (; q + 4 <= plane; q += 4) {
            const v = v128.load(gp + (<usize>q << 2));
            lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
            hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
          }
          for (; q < plane; q++) tail += <f64>load<f32>(gp + (<usize>q << 2));
        }
        const both = f64x2.add(lo, hi);
        store<f64>(dst + (<usize>(o * row + K) << 3), f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1) + tail);
      }
    }
  }
}

/**
 * Adds up {@link conv1chWeightGradF32}'s partials, chunk by chunk in order (in double, from 0), into
 * the float32 weight gradient [O, K] and, with `withBias`, the bias gradient [O].
 */
export function conv1chWeightGradSumF32(partial: usize, chunks: i32, O: i32, K: i32, withBias: i32, weight: usize, bias: usize): void {
  const row = K + withBias;
  for (let o = 0; o < O; o++) {
    for (let e = 0; e < row; e++) {
      let s: f64 = 0;
      for (let c = 0; c < chunks; c++) s += load<f64>(partial + (<usize>((c * O + o) * row + e) << 3));
      if (e < K) store<f32>(weight + (<usize>(o * K + e) << 2), <f32>s);
      else store<f32>(bias + (<usize>o << 2), <f32>s);
    }
  }
}

/**
 * partial[o + p, tap + q] for p < no, q < nt (both ≤ 3) over images [nA, nB), the padded images in
 * `scratch`. Each (channel, tap) sum runs over positions in (image, row, column) order with four
 * lanes for the columns that fill whole vectors and a scalar for the rest, added in double at the
 * end (see storeSum): the same operations in the same order whatever the tile.
 */
@inline function weightGradTile(dy: usize, dst: usize, row: i32, g: usize, scratch: usize, nA: i32, nB: i32, O: i32, o: i32, no: i32, tap: i32, nt: i32): void {
  const kH = load<i32>(g, 8), kW = load<i32>(g, 12), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const wp = paddedWidth(oW, kW);
  const padded = paddedSize(oH, oW, kH, kW);
  const plane = oH * oW;
  const ow4 = oW & ~3;
  const cs = <usize>plane << 2;
  // Byte offsets of the taps in a padded image (taps of one tile may straddle kernel rows).
  const off0 = tapOffset(tap, kW, wp);
  const off1 = nt > 1 ? tapOffset(tap + 1, kW, wp) : off0;
  const off2 = nt > 2 ? tapOffset(tap + 2, kW, wp) : off0;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0);
  let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0);
  const cs2 = cs + cs;
  const xSkip = <usize>(wp - ow4) << 2;
  const gSkip = <usize>(oW - ow4) << 2;
  for (let n = nA; n < nB; n++) {
    // Two walking pointers; the taps and channels are fixed offsets from them.
    let xp = scratch + (<usize>((n - nA) * padded) << 2);
    let gp = dy + (<usize>((n * O + o) * plane) << 2);
    for (let oh = 0; oh < oH; oh++) {
      const rowEnd = gp + (<usize>ow4 << 2);
      while (gp < rowEnd) {
        const x0 = v128.load(xp + off0);
        const x1 = v128.load(xp + off1);
        const x2 = v128.load(xp + off2);
        let gv = v128.load(gp);
        a00 = madd(gv, x0, a00);
        if (nt > 1) a01 = madd(gv, x1, a01);
        if (nt > 2) a02 = madd(gv, x2, a02);
        if (no > 1) {
          gv = v128.load(gp + cs);
          a10 = madd(gv, x0, a10);
          if (nt > 1) a11 = madd(gv, x1, a11);
          if (nt > 2) a12 = madd(gv, x2, a12);
        }
        if (no > 2) {
          gv = v128.load(gp + cs2);
          a20 = madd(gv, x0, a20);
          if (nt > 1) a21 = madd(gv, x1, a21);
          if (nt > 2) a22 = madd(gv, x2, a22);
        }
        xp += 16;
        gp += 16;
      }
      xp += xSkip;
      gp += gSkip;
    }
  }
  // Columns past the last whole vector, one scalar sum per (channel, tap).
  for (let p = 0; p < no; p++) {
    for (let q = 0; q < nt; q++) {
      const off = q == 0 ? off0 : q == 1 ? off1 : off2;
      let t: f32 = 0;
      for (let n = nA; n < nB && ow4 < oW; n++) {
        const img = scratch + (<usize>((n - nA) * padded) << 2) + off;
        const grad = dy + (<usize>((n * O + o + p) * plane) << 2);
        for (let oh = 0; oh < oH; oh++) {
          for (let ow = ow4; ow < oW; ow++) {
            t += load<f32>(grad + (<usize>(oh * oW + ow) << 2)) * load<f32>(img + (<usize>(oh * wp + ow) << 2));
          }
        }
      }
      const acc = p == 0 ? (q == 0 ? a00 : q == 1 ? a01 : a02) : p == 1 ? (q == 0 ? a10 : q == 1 ? a11 : a12) : (q == 0 ? a20 : q == 1 ? a21 : a22);
      storeSum(dst, row, tap + q, o + p, acc, t);
    }
  }
}

/** partial[o, tap] (float64, `row` entries per channel) = the four lanes of `acc` plus the scalar tail, summed in double. */
@inline function storeSum(dst: usize, row: i32, tap: i32, o: i32, acc: v128, tail: f32): void {
  const s = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) +
    <f64>f32x4.extract_lane(acc, 3) + <f64>tail;
  store<f64>(dst + (<usize>(o * row + tap) << 3), s);
}
