/**
 * The convolution kernels (float32): im2col, its adjoint col2im, and max pooling with argmax.
 *
 * The geometry is an i32 block the host writes (see src/backends/wasm/conv.ts):
 * `[H, W, kH, kW, sH, sW, padTop, padLeft, dH, dW, outH, outW, C, B]`. The columns of plane p = n·C + c,
 * tap t form row (c·kH·kW + t)·B + n of length outH·outW: B = 1 and C = all planes is the layout
 * [N, C·kH·kW, L]; B = N the batch-folded one [C·kH·kW, N·L]. Inputs are contiguous. Each call
 * covers a range of rows (im2col) or planes (col2im, pooling) so the host can split it across threads:
 * no two ranges write the same output.
 */

/**
 * Copies n floats with unaligned v128 moves; for n ≥ 4 the last move ends exactly at n, overlapping
 * the one before (the rows copied here are short, 5–30 floats, and a scalar tail loop cost as much
 * as the vectors).
 */
@inline function copyF32(dst: usize, src: usize, n: i32): void {
  if (n >= 4) {
    let q = 0;
    for (; q + 4 < n; q += 4) v128.store(dst + (<usize>q << 2), v128.load(src + (<usize>q << 2)));
    const last = <usize>(n - 4) << 2;
    v128.store(dst + last, v128.load(src + last));
  } else {
    for (let q = 0; q < n; q++) store<f32>(dst + (<usize>q << 2), load<f32>(src + (<usize>q << 2)));
  }
}

/** Zeroes n floats. */
@inline function zeroF32(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let q = 0;
  for (; q + 4 <= n; q += 4) v128.store(dst + (<usize>q << 2), z);
  for (; q < n; q++) store<f32>(dst + (<usize>q << 2), 0);
}

/** dst[q] += src[q] for n floats. */
@inline function addF32(dst: usize, src: usize, n: i32): void {
  let q = 0;
  for (; q + 4 <= n; q += 4) {
    const p = dst + (<usize>q << 2);
    v128.store(p, f32x4.add(v128.load(p), v128.load(src + (<usize>q << 2))));
  }
  for (; q < n; q++) {
    const p = dst + (<usize>q << 2);
    store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>q << 2)));
  }
}

/**
 * First output column whose input column ow·s + off is ≥ 0. Stride 1 skips the division: these run
 * once per row and tap, and a division costs about as much as copying a short row.
 */
@inline function validLo(off: i32, s: i32, count: i32): i32 {
  return off >= 0 ? 0 : min(count, s == 1 ? -off : (s - 1 - off) / s);
}

/** One past the last output column whose input column ow·s + off is < size (never below lo). */
@inline function validHi(off: i32, s: i32, size: i32, count: i32, lo: i32): i32 {
  const t = size - 1 - off;
  return t < 0 ? lo : max(lo, min(count, s == 1 ? t + 1 : t / s + 1));
}

/**
 * True when every output position of a column row reads inside the image: unit column stride, the
 * valid columns [lo, hi) the whole output row, and every output row's input row inside [0, H).
 */
@inline function readsWholeRows(offH: i32, sH: i32, H: i32, oH: i32, sW: i32, lo: i32, hi: i32, oW: i32): bool {
  return sW == 1 && lo == 0 && hi == oW && offH >= 0 && (oH - 1) * sH + offH < H;
}

/**
 * A block of the batch-folded column matrix [C·kH·kW, N·L], built straight from x [N, C, H, W] for
 * the implicit-GEMM convolution kernels (gemm_small.ts): rows [k0, k1) and columns [j0, j0 + w)
 * into dst, row stride `ls` floats. Column j = n·L + oh·outW + ow; row k = c·kH·kW + i·kW + jj.
 * Row by row, each row written front to back one output-row segment (one image's output row) at a
 * time: the row's valid columns are worked out once, not once per segment (walking segments in the
 * outer loop and rows inside cost 1.6× as long as an explicit im2col to memory).
 */
export function im2colSlab(x: usize, g: usize, k0: i32, k1: i32, j0: i32, w: i32, dst: usize, ls: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const sH = load<i32>(g, 16), sW = load<i32>(g, 20), pT = load<i32>(g, 24), pL = load<i32>(g, 28);
  const dH = load<i32>(g, 32), dW = load<i32>(g, 36), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const C = load<i32>(g, 48);
  const K = kH * kW;
  const L = oH * oW;
  const rowBytes = <usize>ls << 2;
  const imageBytes = <usize>(C * H * W) << 2;
  // Where column j0 lies: image, output row and column.
  const nStart = j0 / L;
  const ohStart = (j0 - nStart * L) / oW;
  const owStart = j0 - nStart * L - ohStart * oW;
  // (c, i, jj) of row k0, then stepped along with k.
  let c = k0 / K;
  let tap = k0 - c * K;
  let i = tap / kW;
  let jj = tap - i * kW;
  let d = dst;
  for (let k = k0; k < k1; k++) {
    const offH = i * dH - pT;
    const offW = jj * dW - pL;
    // The row's valid output columns (those reading inside the image).
    const rowLo = validLo(offW, sW, oW);
    const rowHi = validHi(offW, sW, W, oW, rowLo);
    let plane = x + <usize>nStart * imageBytes + (<usize>(c * H * W + offW) << 2);
    let oh = ohStart;
    let ow0 = owStart;
    let q = d;
    let left = w;
    // No clipping anywhere in this row: plain copies (LeNet's C3 takes only this path).
    const whole = readsWholeRows(offH, sH, H, oH, sW, rowLo, rowHi, oW);
    while (left > 0) {
      const len = min(oW - ow0, left);
      const ow1 = ow0 + len;
      const ih = oh * sH + offH;
      if (whole) {
        copyF32(q, plane + (<usize>(ih * W + ow0) << 2), len);
      } else if (ih < 0 || ih >= H) {
        zeroF32(q, len);
      } else {
        // Clipped to the segment.
        const lo = min(ow1, max(ow0, rowLo));
        const hi = max(lo, min(ow1, rowHi));
        if (lo > ow0) zeroF32(q, lo - ow0);
        const s = plane + (<usize>(ih * W) << 2);
        const out = q + (<usize>(lo - ow0) << 2);
        if (sW == 1) {
          copyF32(out, s + (<usize>lo << 2), hi - lo);
        } else {
          for (let ow = lo; ow < hi; ow++) store<f32>(out + (<usize>(ow - lo) << 2), load<f32>(s + (<usize>(ow * sW) << 2)));
        }
        if (hi < ow1) zeroF32(q + (<usize>(hi - ow0) << 2), ow1 - hi);
      }
      q += <usize>len << 2;
      left -= len;
      ow0 = 0;
      if (++oh == oH) {
        oh = 0;
        plane += imageBytes;
      }
    }
    d += rowBytes;
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
 * im2col rows [r0, r1) (r = plane·kH·kW + tap) of x [N·C planes, H, W]: for tap t = i·kW + j, column
 * oh·outW + ow of its output row = x[plane, oh·sH − pT + i·dH, ow·sW − pL + j·dW], or 0 outside.
 */
export function im2colF32(x: usize, out: usize, g: usize, r0: i32, r1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const sH = load<i32>(g, 16), sW = load<i32>(g, 20), pT = load<i32>(g, 24), pL = load<i32>(g, 28);
  const dH = load<i32>(g, 32), dW = load<i32>(g, 36), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const C = load<i32>(g, 48), B = load<i32>(g, 52);
  const K = kH * kW;
  const L = oH * oW;
  // (plane, tap) of row r0, then stepped along with r: no divisions per row (they cost about as
  // much as copying the row's segments).
  let plane = r0 / K;
  let tap = r0 - plane * K;
  let n = plane / C;
  let c = plane - n * C;
  let i = tap / kW;
  let j = tap - i * kW;
  for (let r = r0; r < r1; r++) {
    const src = x + (<usize>(plane * H * W) << 2);
    const offH = i * dH - pT;
    const offW = j * dW - pL;
    const lo = validLo(offW, sW, oW);
    const hi = validHi(offW, sW, W, oW, lo);
    let d = out + (<usize>((c * K + tap) * B + n) * <usize>L << 2);
    if (readsWholeRows(offH, sH, H, oH, sW, lo, hi, oW)) {
      // No clipping anywhere in this row: plain copies.
      let s = src + (<usize>(offH * W + offW) << 2);
      const srcStep = <usize>(sH * W) << 2;
      for (let oh = 0; oh < oH; oh++) {
        copyF32(d, s, oW);
        d += <usize>oW << 2;
        s += srcStep;
      }
    } else {
      for (let oh = 0; oh < oH; oh++) {
        const ih = oh * sH + offH;
        if (ih < 0 || ih >= H) {
          zeroF32(d, oW);
        } else {
          if (lo > 0) zeroF32(d, lo);
          const s = src + (<usize>(ih * W + offW) << 2);
          if (sW == 1) {
            copyF32(d + (<usize>lo << 2), s + (<usize>lo << 2), hi - lo);
          } else {
            for (let ow = lo; ow < hi; ow++) store<f32>(d + (<usize>ow << 2), load<f32>(s + (<usize>(ow * sW) << 2)));
          }
          if (hi < oW) zeroF32(d + (<usize>hi << 2), oW - hi);
        }
        d += <usize>oW << 2;
      }
    }
    if (++j == kW) {
      j = 0;
      i++;
    }
    if (++tap == K) {
      tap = 0;
      i = 0;
      plane++;
      if (++c == C) {
        c = 0;
        n++;
      }
    }
  }
}

/**
 * col2im planes q in [p0, p1), channel-major (plane n·C + c for q = c·B + n): out[plane] (H×W) = Σ
 * over taps of the columns that read each pixel, taps in im2col's row order; columns reading outside
 * the image are dropped.
 */
export function col2imF32(cols: usize, out: usize, g: usize, p0: i32, p1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const sH = load<i32>(g, 16), sW = load<i32>(g, 20), pT = load<i32>(g, 24), pL = load<i32>(g, 28);
  const dH = load<i32>(g, 32), dW = load<i32>(g, 36), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const C = load<i32>(g, 48), B = load<i32>(g, 52);
  const K = kH * kW;
  const L = oH * oW;
  // Planes are visited channel-major (q = c·B + n): the columns of one channel's images are adjacent,
  // so each tap's rows are read as one forward stream instead of jumps of a whole channel block.
  for (let q = p0; q < p1; q++) {
    const c = q / B;
    const n = q - c * B;
    const plane = n * C + c;
    const dst = out + (<usize>(plane * H * W) << 2);
    zeroF32(dst, H * W);
    for (let i = 0; i < kH; i++) {
      const offH = i * dH - pT;
      for (let j = 0; j < kW; j++) {
        const offW = j * dW - pL;
        const lo = validLo(offW, sW, oW);
        const hi = validHi(offW, sW, W, oW, lo);
        if (hi <= lo) continue;
        const row = cols + (<usize>((c * K + i * kW + j) * B + n) * <usize>L << 2);
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH + offH;
          if (ih < 0 || ih >= H) continue;
          const d = dst + (<usize>(ih * W + offW) << 2);
          const s = row + (<usize>(oh * oW) << 2);
          if (sW == 1) {
            addF32(d + (<usize>lo << 2), s + (<usize>lo << 2), hi - lo);
          } else {
            for (let ow = lo; ow < hi; ow++) {
              const p = d + (<usize>(ow * sW) << 2);
              store<f32>(p, load<f32>(p) + load<f32>(s + (<usize>ow << 2)));
            }
          }
        }
      }
    }
  }
}

/**
 * Max pooling of planes [p0, p1) of x [planes, H, W] into values and int32 indices [planes, oH, oW].
 * `win` holds i32 `[h0[oH], hEnd[oH], w0[oW], wEnd[oW]]`: each window's first row/col inside the
 * input and its (clipped) end; rows step by `rs`, cols by `cs`. NaN wins; ties keep the first.
 */
export function maxPool2dF32(
  x: usize, values: usize, indices: usize, win: usize,
  H: i32, W: i32, oH: i32, oW: i32, rs: i32, cs: i32, p0: i32, p1: i32,
): void {
  const hEnd = win + (<usize>oH << 2);
  const w0s = hEnd + (<usize>oH << 2);
  const wEnd = w0s + (<usize>oW << 2);
  const plane = <usize>(oH * oW);
  // The common 2×2, stride-2 window without padding: four loads, no inner loops.
  let k2 = rs == 1 && cs == 1;
  for (let o = 0; k2 && o < oH; o++) k2 = load<i32>(win + (<usize>o << 2)) == 2 * o && load<i32>(hEnd + (<usize>o << 2)) == 2 * o + 2;
  for (let o = 0; k2 && o < oW; o++) k2 = load<i32>(w0s + (<usize>o << 2)) == 2 * o && load<i32>(wEnd + (<usize>o << 2)) == 2 * o + 2;
  for (let p = p0; p < p1; p++) {
    const base = x + (<usize>(p * H * W) << 2);
    let vo = values + ((<usize>p * plane) << 2);
    let io = indices + ((<usize>p * plane) << 2);
    for (let oh = 0; oh < oH; oh++) {
      const h0 = load<i32>(win + (<usize>oh << 2));
      const h1 = load<i32>(hEnd + (<usize>oh << 2));
      if (k2) {
        const r0 = base + (<usize>(h0 * W) << 2);
        const r1 = r0 + (<usize>W << 2);
        for (let ow = 0; ow < oW; ow++) {
          const c = <usize>(ow * 2) << 2;
          let best = load<f32>(r0 + c);
          let bi = h0 * W + ow * 2;
          // NaN wins (v != v), as in PyTorch's `val > maxval || isnan(val)`: the last NaN's index.
          let v = load<f32>(r0 + c, 4);
          if (v > best || v != v) { best = v; bi = h0 * W + ow * 2 + 1; }
          v = load<f32>(r1 + c);
          if (v > best || v != v) { best = v; bi = (h0 + 1) * W + ow * 2; }
          v = load<f32>(r1 + c, 4);
          if (v > best || v != v) { best = v; bi = (h0 + 1) * W + ow * 2 + 1; }
          store<f32>(vo, best);
          store<i32>(io, bi);
          vo += 4;
          io += 4;
        }
        continue;
      }
      for (let ow = 0; ow < oW; ow++) {
        const w0 = load<i32>(w0s + (<usize>ow << 2));
        const w1 = load<i32>(wEnd + (<usize>ow << 2));
        let best: f32 = -Infinity;
        let bi = h0 * W + w0;
        for (let h = h0; h < h1; h += rs) {
          const row = base + (<usize>(h * W) << 2);
          for (let w = w0; w < w1; w += cs) {
            const v = load<f32>(row + (<usize>w << 2));
            if (v > best || v != v) {
              best = v;
              bi = h * W + w;
            }
          }
        }
        store<f32>(vo, best);
        store<i32>(io, bi);
        vo += 4;
        io += 4;
      }
    }
  }
}
