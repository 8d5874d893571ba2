/**
 * The input gradient of a stride-1, undilated convolution with at most six input channels, computed
 * directly: dx = the "full" convolution of the output gradient with the flipped weights. The
 * composed rule, col2im(weightᵀ @ grad), writes a column gradient of C·kH·kW × N·L floats (3.8 MB
 * for LeNet's C3 at batch 64) and reads it back; here each image's gradient planes are padded into
 * scratch and the 6-channel × 8-column tile kernel of the single-channel forward (conv_direct.ts)
 * runs over a table of O·kH·kW tap offsets, as that forward runs over kH·kW.
 */

import { conv1chTile6x8, padImage, paddedSize, paddedWidth } from './conv_direct';

/** The most input channels (forward) the kernel takes: the tile's six output rows. */
export const INPUT_GRAD_MAX_C: i32 = 6;

/** Bytes of scratch {@link convInputGradF32} needs per thread: O padded gradient planes, weights, tap offsets, tile. */
export function convInputGradScratchBytes(g: usize, O: i32): i32 {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const K = O * kH * kW;
  return (O * paddedSize(H, W, kH, kW) + K * 7 + 48) * 4;
}

/**
 * dx[n, c, y, x] = Σ over o, i, j of dy[n, o, y + pT − i, x + pL − j] · w[o, c, i, j] (terms outside dy
 * dropped) for images [n0, n1), c < C ≤ 6: the input gradient of the convolution with geometry `g`
 * (stride 1, dilation 1), dx contiguous [N, C, H, W]. The plane of dy for image n and channel o
 * starts at float n·dyImage + o·dyChannel (the folded layout [O, N·L] has dyImage = L,
 * dyChannel = N·L). Each output is one multiply-add chain from 0 over the taps that reach real
 * gradient rows, ordered by flipped-kernel row, channel, column. `scratch` holds {@link convInputGradScratchBytes}.
 */
export function convInputGradF32(
  dy: usize, dyImage: i32, dyChannel: i32, w: usize, dx: usize, O: i32, C: i32, g: usize, scratch: usize, n0: i32, n1: i32,
): void {
  const H = load<i32>(g), W = load<i32>(g, 4), kH = load<i32>(g, 8), kW = load<i32>(g, 12);
  const pT = load<i32>(g, 24), pL = load<i32>(g, 28), oH = load<i32>(g, 40), oW = load<i32>(g, 44);
  const KK = kH * kW;
  const K = O * KK;
  // The full convolution's padding: a gradient row oh reaches input rows oh − pT … oh − pT + kH − 1.
  const fT = kH - 1 - pT;
  const fL = kW - 1 - pL;
  const wp = paddedWidth(W, kW);
  const planeFloats = paddedSize(H, W, kH, kW);
  const wq = scratch + (<usize>(O * planeFloats) << 2);
  const offs = wq + (<usize>(K * 6) << 2);
  const tile = offs + (<usize>K << 2);
  // Taps run over the flipped kernel's rows i, then channels o, then columns j: tap (i, o, j) reads
  // padded plane o at row i, column j, with weights w[o, c, kH−1−i, kW−1−j] for the six channel
  // slots (slots ≥ C zero). Row-major in i, so the taps that reach real gradient rows from an
  // output row are one contiguous range of the table.
  memory.fill(wq, 0, <usize>(K * 6) << 2);
  for (let i = 0; i < kH; i++) {
    for (let o = 0; o < O; o++) {
      for (let j = 0; j < kW; j++) {
        const tap = (i * O + o) * kW + j;
        store<i32>(offs + (<usize>tap << 2), (o * planeFloats + i * wp + j) << 2);
        for (let c = 0; c < C; c++) {
          const src = ((o * C + c) * kH + (kH - 1 - i)) * kW + (kW - 1 - j);
          store<f32>(wq + (<usize>(tap * 6 + c) << 2), load<f32>(w + (<usize>src << 2)));
        }
      }
    }
  }
  const plane = H * W;
  const step = <usize>plane << 2;
  for (let n = n0; n < n1; n++) {
    for (let o = 0; o < O; o++) {
      const src = dy + (<usize>(n * dyImage + o * dyChannel) << 2);
      padImage(src, scratch + (<usize>(o * planeFloats) << 2), oH, oW, fT, fL, H, W, kH, kW);
    }
    const base = dx + (<usize>(n * C * plane) << 2);
    for (let y = 0; y < H; y++) {
      // Kernel rows i whose padded row y + i holds gradient row y + i − fT in [0, oH); the others
      // would only multiply zeros (half the taps for LeNet's C3).
      const i0 = max(0, fT - y);
      const i1 = min(kH, fT - y + oH);
      const taps = max(0, i1 - i0) * O * kW;
      const first = i0 * O * kW;
      for (let x = 0; x < W; x += 8) {
        conv1chTile6x8(scratch + (<usize>(y * wp + x) << 2), wq + (<usize>(first * 6) << 2), offs + (<usize>first << 2), taps, tile);
        const cols = min(8, W - x);
        let at = base + (<usize>(y * W + x) << 2);
        for (let c = 0; c < C; c++) {
          const s = tile + (<usize>(c * 8) << 2);
          if (cols == 8) {
            v128.store(at, v128.load(s));
            v128.store(at, v128.load(s, 16), 16);
          } else {
            for (let q = 0; q < cols; q++) store<f32>(at + (<usize>q << 2), load<f32>(s + (<usize>q << 2)));
          }
          at += step;
        }
      }
    }
  }
}
