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

/** out[plane, oh, ow] = Σ x[plane, window] / div[oh·oW + ow]. */
export function avgPool2dF32(x: usize, out: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  windows(false, x, out, div, g, p0, p1);
}

/** The adjoint: dx[plane] = Σ over windows of grad[plane, oh, ow] / div spread over the window's pixels. */
export function avgPool2dBackwardF32(grad: usize, dx: usize, div: usize, g: usize, p0: i32, p1: i32): void {
  windows(true, grad, dx, div, g, p0, p1);
}
