/**
 * Average pooling (float32) directly over the image, without im2col's copy of every window:
 * out = (sum of the window's pixels inside the image) / divisor, and its adjoint, which spreads
 * grad / divisor back over each window. Padding contributes zeros; `div` holds one divisor per
 * output position (the host applies countIncludePad and divisorOverride).
 *
 * The geometry block `g` is the convolution kernels' (see conv.ts):
 * `[H, W, kH, kW, sH, sW, padTop, padLeft, dH, dW, outH, outW, …]`. Calls cover planes [p0, p1).
 */

/** out[plane, oh, ow] = Σ x[plane, window] / div[oh·oW + ow], taps summed row by row. */
export function avgPool2dF32(x: usize, out: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const sH = load<i32>(g, 16), sW = load<i32>(g, 20), pT = load<i32>(g, 24), pL = load<i32>(g, 28);
  const oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  for (let p = p0; p < p1; p++) {
    const src = x + (<usize>(p * H * W) << 2);
    let o = out + (<usize>(p * oH * oW) << 2);
    let d = div;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pT;
      const hs = max(h0, 0);
      const he = min(h0 + kH, H);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pL;
        const ws = max(w0, 0);
        const we = min(w0 + kW, W);
        let s: f32 = 0;
        for (let h = hs; h < he; h++) {
          const row = src + (<usize>(h * W) << 2);
          for (let w = ws; w < we; w++) s += load<f32>(row + (<usize>w << 2));
        }
        store<f32>(o, s / load<f32>(d));
        o += 4;
        d += 4;
      }
    }
  }
}

/** The adjoint: dx[plane] = Σ over windows of grad[plane, oh, ow] / div spread over the window's pixels. */
export function avgPool2dBackwardF32(grad: usize, dx: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const sH = load<i32>(g, 16), sW = load<i32>(g, 20), pT = load<i32>(g, 24), pL = load<i32>(g, 28);
  const oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  for (let p = p0; p < p1; p++) {
    const dst = dx + (<usize>(p * H * W) << 2);
    memory.fill(dst, 0, <usize>(H * W) << 2);
    let gp = grad + (<usize>(p * oH * oW) << 2);
    let d = div;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pT;
      const hs = max(h0, 0);
      const he = min(h0 + kH, H);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pL;
        const ws = max(w0, 0);
        const we = min(w0 + kW, W);
        const v = load<f32>(gp) / load<f32>(d);
        for (let h = hs; h < he; h++) {
          const row = dst + (<usize>(h * W) << 2);
          for (let w = ws; w < we; w++) {
            const q = row + (<usize>w << 2);
            store<f32>(q, load<f32>(q) + v);
          }
        }
        gp += 4;
        d += 4;
      }
    }
  }
}
