/**
 * Gather and scatter-add along one dim. The index tensor is contiguous int32 (already bounds-checked
 * by the op layer); descriptor operand 0 maps index positions to target offsets with the gathered
 * dim's stride zeroed, and `step` is that dim's stride.
 */
import { offsetOf, shapeAt, strideAt } from './strided';

/** out[i] = x[target(i) + index[i]·step] for elements of `esize` bytes (1, 4 or 8), flat i in [start, end). */
export function gather(esize: i32, x: usize, index: usize, out: usize, desc: usize, step: i32, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const sx = strideAt(desc, rank, 0, rank - 1);
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    let off = offsetOf(desc, rank, 0, row, rank - 1) + j * sx;
    for (let q = 0; q < len; q++) {
      const src = off + load<i32>(index + (<usize>(i + q) << 2)) * step;
      const po = out + <usize>((i + q) * esize);
      if (esize == 4) store<u32>(po, load<u32>(x + (<usize>src << 2)));
      else if (esize == 8) store<u64>(po, load<u64>(x + (<usize>src << 3)));
      else store<u8>(po, load<u8>(x + <usize>src));
      off += sx;
    }
    i += len;
  }
}

/**
 * out[target(i) + index[i]·step] += src[i] over every index position (float32). Sequential: two
 * positions may hit one target. Descriptor operands: 0 = out (contiguous, dim zeroed), 1 = src.
 */
export function scatterAddF32(out: usize, index: usize, src: usize, desc: usize, step: i32, count: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const so = strideAt(desc, rank, 0, rank - 1);
  const ss = strideAt(desc, rank, 1, rank - 1);
  for (let row = 0, i = 0; i < count; row++) {
    let po = offsetOf(desc, rank, 0, row, rank - 1);
    let ps = offsetOf(desc, rank, 1, row, rank - 1);
    for (let q = 0; q < n; q++, i++) {
      const t = out + (<usize>(po + load<i32>(index + (<usize>i << 2)) * step) << 2);
      store<f32>(t, load<f32>(t) + load<f32>(src + (<usize>ps << 2)));
      po += so;
      ps += ss;
    }
  }
}
