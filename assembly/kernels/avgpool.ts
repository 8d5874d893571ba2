/**
 * Average pooling (float32) directly over the image, without im2col's copy of every window:
 * out = (sum of the window's pixels inside the image) / divisor, and its adjoint, which spreads
 * grad / divisor back over each window. Padding contributes zeros; `div` holds one divisor per
 * output position (the host applies countIncludePad and divisorOverride).
 *
 * The geometry block `g` is the convolution kernels' (see conv.ts):
 * `[H, W, kH, kW, sH, sW, padTop, padLeft, dH, dW, outH, outW, …]`. Calls cover planes [p0, p1).
 */

/**
 * Walks every window of planes [p0, p1). Forward (`adjoint` false): out[plane, oh, ow] = Σ x[window]
 * / div, taps summed row by row. Adjoint: `x` is the gradient [planes, oH, oW] and `out` the image
 * gradient [planes, H, W], which gets grad / div added at every pixel of the window.
 */
@inline function windows(adjoint: bool, x: usize, out: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const sH = load<i32>(g, 16), sW = load<i32>(g, 20), pT = load<i32>(g, 24), pL = load<i32>(g, 28);
  const oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  for (let p = p0; p < p1; p++) {
    const image = (adjoint ? out : x) + (<usize>(p * H * W) << 2);
    let pooled = (adjoint ? x : out) + (<usize>(p * oH * oW) << 2);
    if (adjoint) memory.fill(image, 0, <usize>(H * W) << 2);
    let d = div;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pT;
      const hs = max(h0, 0);
      const he = min(h0 + kH, H);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pL;
        const ws = max(w0, 0);
        const we = min(w0 + kW, W);
        if (adjoint) {
          const v = load<f32>(pooled) / load<f32>(d);
          for (let h = hs; h < he; h++) {
            const row = image + (<usize>(h * W) << 2);
            for (let w = ws; w < we; w++) {
              const q = row + (<usize>w << 2);
              store<f32>(q, load<f32>(q) + v);
            }
          }
        } else {
          let s: f32 = 0;
          for (let h = hs; h < he; h++) {
            const row = image + (<usize>(h * W) << 2);
            for (let w = ws; w < we; w++) s += load<f32>(row + (<usize>w << 2));
          }
          store<f32>(pooled, s / load<f32>(d));
        }
        pooled += 4;
        d += 4;
      }
    }
  }
}

/**
 * True for the common 2×2 window at stride 2 without padding, whose windows tile the image: four
 * outputs come from two 8-float loads per image row, shuffled into the window's four taps.
 */
@inline function isHalving(g: usize): bool {
  return load<i32>(g, 8) == 2 && load<i32>(g, 12) == 2 && load<i32>(g, 16) == 2 && load<i32>(g, 20) == 2 &&
    load<i32>(g, 24) == 0 && load<i32>(g, 28) == 0;
}

/** The 2×2 stride-2 forward: taps summed in the general path's order, (((0 + x00) + x01) + x10) + x11. */
function halveForward(x: usize, out: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const oW4 = oW & ~3;
  const zero = f32x4.splat(0);
  for (let p = p0; p < p1; p++) {
    const image = x + (<usize>(p * H * W) << 2);
    const pooled = out + (<usize>(p * oH * oW) << 2);
    for (let oh = 0; oh < oH; oh++) {
      const r0 = image + (<usize>(2 * oh * W) << 2);
      const r1 = r0 + (<usize>W << 2);
      const o = pooled + (<usize>(oh * oW) << 2);
      const d = div + (<usize>(oh * oW) << 2);
      let ow = 0;
      for (; ow < oW4; ow += 4) {
        const at = <usize>ow << 3;
        const a0 = v128.load(r0 + at), a1 = v128.load(r0 + at, 16);
        const b0 = v128.load(r1 + at), b1 = v128.load(r1 + at, 16);
        let s = f32x4.add(f32x4.add(zero, v128.shuffle<f32>(a0, a1, 0, 2, 4, 6)), v128.shuffle<f32>(a0, a1, 1, 3, 5, 7));
        s = f32x4.add(s, v128.shuffle<f32>(b0, b1, 0, 2, 4, 6));
        s = f32x4.add(s, v128.shuffle<f32>(b0, b1, 1, 3, 5, 7));
        v128.store(o + (<usize>ow << 2), f32x4.div(s, v128.load(d + (<usize>ow << 2))));
      }
      for (; ow < oW; ow++) {
        const at = <usize>ow << 3;
        const s: f32 = <f32>0 + load<f32>(r0 + at) + load<f32>(r0 + at, 4) + load<f32>(r1 + at) + load<f32>(r1 + at, 4);
        store<f32>(o + (<usize>ow << 2), s / load<f32>(d + (<usize>ow << 2)));
      }
    }
  }
}

/**
 * The 2×2 stride-2 adjoint: each pixel of a window gets 0 + grad / div (the general path's
 * arithmetic, −0 included); pixels past the last window (odd sizes) stay 0.
 */
function halveAdjoint(grad: usize, dx: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const oW4 = oW & ~3;
  const zero = f32x4.splat(0);
  const tiles = H == 2 * oH && W == 2 * oW;
  for (let p = p0; p < p1; p++) {
    const image = dx + (<usize>(p * H * W) << 2);
    const pooled = grad + (<usize>(p * oH * oW) << 2);
    if (!tiles) memory.fill(image, 0, <usize>(H * W) << 2);
    for (let oh = 0; oh < oH; oh++) {
      const r0 = image + (<usize>(2 * oh * W) << 2);
      const r1 = r0 + (<usize>W << 2);
      const gr = pooled + (<usize>(oh * oW) << 2);
      const d = div + (<usize>(oh * oW) << 2);
      let ow = 0;
      for (; ow < oW4; ow += 4) {
        const v = f32x4.add(zero, f32x4.div(v128.load(gr + (<usize>ow << 2)), v128.load(d + (<usize>ow << 2))));
        const lo = v128.shuffle<f32>(v, v, 0, 0, 1, 1), hi = v128.shuffle<f32>(v, v, 2, 2, 3, 3);
        const at = <usize>ow << 3;
        v128.store(r0 + at, lo);
        v128.store(r0 + at, hi, 16);
        v128.store(r1 + at, lo);
        v128.store(r1 + at, hi, 16);
      }
      for (; ow < oW; ow++) {
        const v: f32 = 0 + load<f32>(gr + (<usize>ow << 2)) / load<f32>(d + (<usize>ow << 2));
        const at = <usize>ow << 3;
        store<f32>(r0 + at, v);
        store<f32>(r0 + at, v, 4);
        store<f32>(r1 + at, v);
        store<f32>(r1 + at, v, 4);
      }
    }
  }
}

/** out[plane, oh, ow] = Σ x[plane, window] / div[oh·oW + ow]. */
export function avgPool2dF32(x: usize, out: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  if (isHalving(g)) halveForward(x, out, div, g, p0, p1);
  else windows(false, x, out, div, g, p0, p1);
}

/** The adjoint: dx[plane] = Σ over windows of grad[plane, oh, ow] / div spread over the window's pixels. */
export function avgPool2dBackwardF32(grad: usize, dx: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  if (isHalving(g)) halveAdjoint(grad, dx, div, g, p0, p1);
  else windows(true, grad, dx, div, g, p0, p1);
}
