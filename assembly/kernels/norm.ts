/**
 * Float32 batch normalisation, training forward and backward, over a contiguous x [N, C, S]
 * (S = the product of the spatial dims, 1 for [N, C]). Channel c's M = N·S values are N runs of S
 * floats at (n·C + c)·S; a call handles the channels [c0, c1), so threads split by channel and
 * never write the same per-channel output.
 *
 * S ≥ 2: f32x4 over each run. S = 1: f32x4 across 4 neighbouring channels, which are adjacent in
 * memory. The forward's sums add f32x4 partial sums over short blocks into float64, so M in the
 * millions keeps float32 accuracy; the variance is a second pass over (x − mean)², not
 * E[x²] − mean², which would cancel for inputs far from zero. The backward's sums (the weight and
 * bias gradients) accumulate in float64 lanes throughout.
 */

// Elements per lane summed in float32 before the partial sum is added into the float64 total.
const BLOCK: i32 = 128;

@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)
    + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

@inline function lo64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

@inline function hi64(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1));
}

/** Σ x over n contiguous floats. */
function sumRun(p: usize, n: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 8 <= n) {
    const stop = min(n, i + 8 * BLOCK) & ~7;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (; i < stop; i += 8) {
      const q = p + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(q));
      a1 = f32x4.add(a1, v128.load(q, 16));
    }
    total += hsum(f32x4.add(a0, a1));
  }
  for (; i < n; i++) total += <f64>load<f32>(p + (<usize>i << 2));
  return total;
}

/** Σ (x − m)² over n contiguous floats. */
function sqDevRun(p: usize, n: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let total: f64 = 0;
  let i = 0;
  while (i + 8 <= n) {
    const stop = min(n, i + 8 * BLOCK) & ~7;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (; i < stop; i += 8) {
      const q = p + (<usize>i << 2);
      const d0 = f32x4.sub(v128.load(q), mv);
      const d1 = f32x4.sub(v128.load(q, 16), mv);
      a0 = f32x4.add(a0, f32x4.mul(d0, d0));
      a1 = f32x4.add(a1, f32x4.mul(d1, d1));
    }
    total += hsum(f32x4.add(a0, a1));
  }
  for (; i < n; i++) {
    const d = load<f32>(p + (<usize>i << 2)) - m;
    total += <f64>(d * d);
  }
  return total;
}

/**
 * out = ((x − m) − mLo)·scale + shift over n contiguous floats, where m + mLo is the mean to about
 * twice float32's precision: x − m is exact for x near m, so inputs far from zero lose nothing.
 */
function normRun(p: usize, q: usize, n: i32, m: f32, mLo: f32, scale: f32, shift: f32): void {
  const mv = f32x4.splat(m), lv = f32x4.splat(mLo), sv = f32x4.splat(scale), bv = f32x4.splat(shift);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(q + o, f32x4.add(f32x4.mul(f32x4.sub(f32x4.sub(v128.load(p + o), mv), lv), sv), bv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(q + o, ((load<f32>(p + o) - m) - mLo) * scale + shift);
  }
}

// Σ dy and Σ dy·(x − m) of the last dotRun call (globals are per instance, so per thread).
let sumDy: f64 = 0;
let sumDyXmu: f64 = 0;

/**
 * Sets sumDy = Σ dy and sumDyXmu = Σ dy·(x − m) over n contiguous floats, in float64 lanes: these
 * are the bias and weight gradients themselves, often sums of many terms that nearly cancel, where
 * float32 partial sums would leave an absolute error of √n ulps of the terms.
 */
function dotRun(px: usize, pg: usize, n: i32, m: f32): void {
  const mv = f32x4.splat(m);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(pg + o);
    const gx = f32x4.mul(g, f32x4.sub(v128.load(px + o), mv));
    a0 = f64x2.add(a0, lo64(g));
    a1 = f64x2.add(a1, hi64(g));
    b0 = f64x2.add(b0, lo64(gx));
    b1 = f64x2.add(b1, hi64(gx));
  }
  const a = f64x2.add(a0, a1), b = f64x2.add(b0, b1);
  let t0 = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  let t1 = f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(pg + o);
    t0 += <f64>g;
    t1 += <f64>(g * (load<f32>(px + o) - m));
  }
  sumDy = t0;
  sumDyXmu = t1;
}

/** dx = (dy − meanDy − (x − m)·k)·scale over n contiguous floats. */
function dxRun(px: usize, pg: usize, pd: usize, n: i32, m: f32, k: f32, meanDy: f32, scale: f32): void {
  const mv = f32x4.splat(m), kv = f32x4.splat(k), dv = f32x4.splat(meanDy), sv = f32x4.splat(scale);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xm = f32x4.sub(v128.load(px + o), mv);
    const t = f32x4.sub(f32x4.sub(v128.load(pg + o), dv), f32x4.mul(xm, kv));
    v128.store(pd + o, f32x4.mul(t, sv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(pd + o, (load<f32>(pg + o) - meanDy - (load<f32>(px + o) - m) * k) * scale);
  }
}

/** Four float64 lanes (lo, hi) as float32x4. */
@inline function demote4(lo: v128, hi: v128): v128 {
  return f32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * Training forward of channels [c0, c1): mean, invstd = 1/√(var + eps) and the biased variance
 * per channel (float32 [C] each), out = (x − mean)·invstd·w + b. `w`, `b` are 0 when absent (1, 0).
 */
export function batchNormF32(
  x: usize, out: usize, w: usize, b: usize, mean: usize, invstd: usize, variance: usize,
  N: i32, C: i32, S: i32, eps: f64, c0: i32, c1: i32,
): void {
  const M = <f64>N * <f64>S;
  let c = c0;
  if (S == 1) {
    // [N, C]: four channels per f32x4, float64 lanes for the sums.
    const step = <usize>C << 2;
    for (; c + 4 <= c1; c += 4) {
      const base = x + (<usize>c << 2);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      let p = base;
      for (let n = 0; n < N; n++, p += step) {
        const v = v128.load(p);
        s0 = f64x2.add(s0, lo64(v));
        s1 = f64x2.add(s1, hi64(v));
      }
      const m0 = f64x2.div(s0, f64x2.splat(M)), m1 = f64x2.div(s1, f64x2.splat(M));
      const mv = demote4(m0, m1);
      const lv = demote4(f64x2.sub(m0, lo64(mv)), f64x2.sub(m1, hi64(mv)));
      let q0 = f64x2.splat(0), q1 = f64x2.splat(0);
      p = base;
      for (let n = 0; n < N; n++, p += step) {
        const d = f32x4.sub(v128.load(p), mv);
        const d2 = f32x4.mul(d, d);
        q0 = f64x2.add(q0, lo64(d2));
        q1 = f64x2.add(q1, hi64(d2));
      }
      const var0 = f64x2.div(q0, f64x2.splat(M)), var1 = f64x2.div(q1, f64x2.splat(M));
      const e = f64x2.splat(eps), one = f64x2.splat(1);
      const inv = demote4(f64x2.div(one, f64x2.sqrt(f64x2.add(var0, e))), f64x2.div(one, f64x2.sqrt(f64x2.add(var1, e))));
      const o = <usize>c << 2;
      v128.store(mean + o, mv);
      v128.store(invstd + o, inv);
      v128.store(variance + o, demote4(var0, var1));
      const scale = w != 0 ? f32x4.mul(v128.load(w + o), inv) : inv;
      const shift = b != 0 ? v128.load(b + o) : f32x4.splat(0);
      p = base;
      let q = out + o;
      for (let n = 0; n < N; n++, p += step, q += step) {
        v128.store(q, f32x4.add(f32x4.mul(f32x4.sub(f32x4.sub(v128.load(p), mv), lv), scale), shift));
      }
    }
  }
  // Runs of S ≥ 2 (and the channels left over by the S = 1 loop, as runs of 1).
  const runStep = <usize>C * <usize>S << 2;
  for (; c < c1; c++) {
    const base = x + ((<usize>c * <usize>S) << 2);
    let s: f64 = 0;
    let p = base;
    for (let n = 0; n < N; n++, p += runStep) s += sumRun(p, S);
    const m = <f32>(s / M);
    const mLo = <f32>(s / M - <f64>m);
    let v: f64 = 0;
    p = base;
    for (let n = 0; n < N; n++, p += runStep) v += sqDevRun(p, S, m);
    const bv = v / M;
    const inv = <f32>(1 / Math.sqrt(bv + eps));
    const o = <usize>c << 2;
    store<f32>(mean + o, m);
    store<f32>(invstd + o, inv);
    store<f32>(variance + o, <f32>bv);
    const scale = w != 0 ? load<f32>(w + o) * inv : inv;
    const shift: f32 = b != 0 ? load<f32>(b + o) : 0;
    p = base;
    let q = out + ((<usize>c * <usize>S) << 2);
    for (let n = 0; n < N; n++, p += runStep, q += runStep) normRun(p, q, S, m, mLo, scale, shift);
  }
}

/**
 * Backward of {@link batchNormF32} for channels [c0, c1), from the saved mean and invstd:
 * dw = Σ dy·x̂, db = Σ dy (float32 [C]) and, when dx ≠ 0,
 * dx = (dy − Σdy/M − x̂·Σ(dy·x̂)/M)·invstd·w with x̂ = (x − mean)·invstd.
 */
export function batchNormBackwardF32(
  x: usize, dy: usize, mean: usize, invstd: usize, w: usize, dx: usize, dw: usize, db: usize,
  N: i32, C: i32, S: i32, c0: i32, c1: i32,
): void {
  const M = <f64>N * <f64>S;
  let c = c0;
  if (S == 1) {
    const step = <usize>C << 2;
    for (; c + 4 <= c1; c += 4) {
      const o = <usize>c << 2;
      const mv = v128.load(mean + o);
      const inv = v128.load(invstd + o);
      let g0 = f64x2.splat(0), g1 = f64x2.splat(0), h0 = f64x2.splat(0), h1 = f64x2.splat(0);
      let px = x + o, pg = dy + o;
      for (let n = 0; n < N; n++, px += step, pg += step) {
        const g = v128.load(pg);
        const gx = f32x4.mul(g, f32x4.sub(v128.load(px), mv));
        g0 = f64x2.add(g0, lo64(g));
        g1 = f64x2.add(g1, hi64(g));
        h0 = f64x2.add(h0, lo64(gx));
        h1 = f64x2.add(h1, hi64(gx));
      }
      const sdy = demote4(g0, g1);
      const sdyx = demote4(h0, h1);
      v128.store(db + o, sdy);
      v128.store(dw + o, f32x4.mul(sdyx, inv));
      if (dx == 0) continue;
      const Mv = f32x4.splat(<f32>M);
      const meanDy = demote4(f64x2.div(g0, f64x2.splat(M)), f64x2.div(g1, f64x2.splat(M)));
      const k = f32x4.mul(f32x4.div(sdyx, Mv), f32x4.mul(inv, inv));
      const scale = w != 0 ? f32x4.mul(v128.load(w + o), inv) : inv;
      px = x + o;
      pg = dy + o;
      let pd = dx + o;
      for (let n = 0; n < N; n++, px += step, pg += step, pd += step) {
        const t = f32x4.sub(f32x4.sub(v128.load(pg), meanDy), f32x4.mul(f32x4.sub(v128.load(px), mv), k));
        v128.store(pd, f32x4.mul(t, scale));
      }
    }
  }
  const runStep = <usize>C * <usize>S << 2;
  for (; c < c1; c++) {
    const o = <usize>c << 2;
    const m = load<f32>(mean + o);
    const inv = load<f32>(invstd + o);
    const start = (<usize>c * <usize>S) << 2;
    let sdy: f64 = 0, sdyx: f64 = 0;
    let px = x + start, pg = dy + start;
    for (let n = 0; n < N; n++, px += runStep, pg += runStep) {
      dotRun(px, pg, S, m);
      sdy += sumDy;
      sdyx += sumDyXmu;
    }
    store<f32>(db + o, <f32>sdy);
    store<f32>(dw + o, <f32>(sdyx * <f64>inv));
    if (dx == 0) continue;
    const meanDy = <f32>(sdy / M);
    const k = <f32>(sdyx / M * <f64>inv * <f64>inv);
    const scale = w != 0 ? load<f32>(w + o) * inv : inv;
    px = x + start;
    pg = dy + start;
    let pd = dx + start;
    for (let n = 0; n < N; n++, px += runStep, pg += runStep, pd += runStep) dxRun(px, pg, pd, S, m, k, meanDy, scale);
  }
}
