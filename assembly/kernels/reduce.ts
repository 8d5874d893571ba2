/**
 * Float32 reductions and softmax.
 *
 * A reduction is given in a 3-level form the host derives from any strided view:
 * out[o·I + i] = reduce over r of x[o·so + r·sr + i·si], o < O, r < R, i < I.
 * Two layouts get SIMD loops: rows (I = 1, sr = 1) and columns (si = 1, the reduced dim outer, as in
 * a bias gradient summed over a batch). Sums accumulate in float32 over short blocks and add the
 * blocks in float64, so long sums keep their precision.
 */
import { expv, logv } from './math';

const R_SUM = 0, R_PROD = 1, R_MAX = 2, R_MIN = 3, R_ARGMAX = 4, R_ARGMIN = 5;
// Elements summed in float32 before the partial sum is added into the float64 total.
const BLOCK: i32 = 1024;

@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)
    + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** Sum of n contiguous floats. */
function sumRow(p: usize, n: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 16 <= n) {
    const stop = min(n, i + BLOCK) & ~15;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (; i < stop; i += 16) {
      const q = p + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(q));
      a1 = f32x4.add(a1, v128.load(q, 16));
      a2 = f32x4.add(a2, v128.load(q, 32));
      a3 = f32x4.add(a3, v128.load(q, 48));
    }
    total += hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
  for (; i < n; i++) total += <f64>load<f32>(p + (<usize>i << 2));
  return total;
}

/** Max (or min) of n ≥ 1 contiguous floats; NaN wins. */
@inline function extremeRow(isMax: bool, p: usize, n: i32): f32 {
  let i = 0;
  let acc: f32 = load<f32>(p);
  if (n >= 8) {
    let v0 = v128.load(p), v1 = v0;
    for (i = 4; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      if (isMax) { v0 = f32x4.max(v0, v128.load(q)); v1 = f32x4.max(v1, v128.load(q, 16)); }
      else { v0 = f32x4.min(v0, v128.load(q)); v1 = f32x4.min(v1, v128.load(q, 16)); }
    }
    const v = isMax ? f32x4.max(v0, v1) : f32x4.min(v0, v1);
    acc = f32x4.extract_lane(v, 0);
    const l1 = f32x4.extract_lane(v, 1), l2 = f32x4.extract_lane(v, 2), l3 = f32x4.extract_lane(v, 3);
    acc = isMax ? pickMax(pickMax(acc, l1), pickMax(l2, l3)) : pickMin(pickMin(acc, l1), pickMin(l2, l3));
  } else {
    i = 1;
  }
  for (; i < n; i++) {
    const x = load<f32>(p + (<usize>i << 2));
    acc = isMax ? pickMax(acc, x) : pickMin(acc, x);
  }
  return acc;
}

@inline function pickMax(a: f32, b: f32): f32 {
  return a != a || b != b ? NaN : (b > a ? b : a);
}

@inline function pickMin(a: f32, b: f32): f32 {
  return a != a || b != b ? NaN : (b < a ? b : a);
}

/** One output of the general (strided, scalar) path. */
function reduceOne(op: i32, p: usize, R: i32, sr: i32): f64 {
  const step = <usize>sr << 2;
  if (op == R_SUM) {
    if (sr == 1) return sumRow(p, R);
    let t: f64 = 0;
    for (let r = 0; r < R; r++) { t += <f64>load<f32>(p); p += step; }
    return t;
  }
  if (op == R_PROD) {
    let t: f64 = 1;
    for (let r = 0; r < R; r++) { t *= <f64>load<f32>(p); p += step; }
    return t;
  }
  if (R == 0) return NaN;
  if (op == R_MAX || op == R_MIN) {
    if (sr == 1) return <f64>extremeRow(op == R_MAX, p, R);
    let acc = load<f32>(p);
    for (let r = 1; r < R; r++) {
      p += step;
      const x = load<f32>(p);
      acc = op == R_MAX ? pickMax(acc, x) : pickMin(acc, x);
    }
    return <f64>acc;
  }
  // argmax / argmin: strict comparison keeps the first of equal values; a NaN is the extreme.
  const isMax = op == R_ARGMAX;
  let best = load<f32>(p);
  let at = 0;
  for (let r = 1; r < R && best == best; r++) {
    p += step;
    const x = load<f32>(p);
    if (x != x || (isMax ? x > best : x < best)) { best = x; at = r; }
  }
  return <f64>at;
}

/**
 * Column path: out[o·I + i] for i in [i0, i1) of one o, with the inner dim contiguous.
 * Sixteen columns at a time, the reduced dim walked in the inner loop.
 */
function reduceColumns(op: i32, base: usize, R: i32, sr: i32, out: usize, i0: i32, i1: i32): void {
  const step = <usize>sr << 2;
  let i = i0;
  if (op == R_SUM || op == R_MAX || op == R_MIN) {
    for (; i + 4 <= i1; i += 4) {
      let p = base + (<usize>i << 2);
      if (op == R_SUM) {
        let t0 = f64x2.splat(0), t1 = f64x2.splat(0);
        let r = 0;
        while (r < R) {
          const stop = min(R, r + 64);
          let a = f32x4.splat(0);
          for (; r < stop; r++) { a = f32x4.add(a, v128.load(p)); p += step; }
          t0 = f64x2.add(t0, f64x2.promote_low_f32x4(a));
          t1 = f64x2.add(t1, f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1)));
        }
        v128.store(out + (<usize>i << 2), f32x4.demote_f64x2_zero(t0), 0);
        const hi = f32x4.demote_f64x2_zero(t1);
        store<f32>(out + (<usize>i << 2), f32x4.extract_lane(hi, 0), 8);
        store<f32>(out + (<usize>i << 2), f32x4.extract_lane(hi, 1), 12);
      } else {
        if (R == 0) break;
        let a = v128.load(p);
        for (let r = 1; r < R; r++) {
          p += step;
          a = op == R_MAX ? f32x4.max(a, v128.load(p)) : f32x4.min(a, v128.load(p));
        }
        v128.store(out + (<usize>i << 2), a);
      }
    }
  }
  for (; i < i1; i++) {
    const v = reduceOne(op, base + (<usize>i << 2), R, sr);
    if (op >= R_ARGMAX) store<i32>(out + (<usize>i << 2), <i32>v);
    else store<f32>(out + (<usize>i << 2), <f32>v);
  }
}

/**
 * out[o·I + i] = reduce_r x[o·so + r·sr + i·si] for flat outputs [start, end) of O·I.
 * `op`: 0 sum, 1 prod, 2 max, 3 min, 4 argmax, 5 argmin (the last two write int32).
 */
export function reduceF32(op: i32, x: usize, out: usize, O: i32, R: i32, I: i32, so: i32, sr: i32, si: i32, start: i32, end: i32): void {
  let f = start;
  while (f < end) {
    const o = f / I;
    const i0 = f - o * I;
    const i1 = min(I, i0 + (end - f));
    const base = x + (<usize>(o * so) << 2);
    if (si == 1 && I > 1) {
      reduceColumns(op, base, R, sr, out + (<usize>(o * I) << 2), i0, i1);
    } else {
      for (let i = i0; i < i1; i++) {
        const v = reduceOne(op, base + (<usize>(i * si) << 2), R, sr);
        const q = out + (<usize>(o * I + i) << 2);
        if (op >= R_ARGMAX) store<i32>(q, <i32>v);
        else store<f32>(q, <f32>v);
      }
    }
    f += i1 - i0;
  }
}

/**
 * Softmax (or log-softmax) of contiguous x viewed as [O, L, I] along L, for o in [o0, o1) and, when
 * I > 1, the columns i in [i0, i1). The max is subtracted first so exp never overflows; row sums
 * are accumulated per block in float64.
 */
export function softmaxF32(x: usize, out: usize, O: i32, L: i32, I: i32, log: bool, o0: i32, o1: i32, i0: i32, i1: i32): void {
  for (let o = o0; o < o1; o++) {
    const base = <usize>(o * L * I) << 2;
    if (I == 1) softmaxRow(x + base, out + base, L, log);
    else softmaxColumns(x + base + (<usize>i0 << 2), out + base + (<usize>i0 << 2), L, I, i1 - i0, log);
  }
}

function softmaxRow(x: usize, out: usize, L: i32, log: bool): void {
  if (L == 0) return;
  let m = extremeRow(true, x, L);
  if (m == -Infinity) m = 0;
  const vm = f32x4.splat(m);
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= L) {
    const stop = min(L, i + BLOCK) & ~3;
    let acc = f32x4.splat(0);
    for (; i < stop; i += 4) {
      const e = expv(f32x4.sub(v128.load(x + (<usize>i << 2)), vm));
      if (!log) v128.store(out + (<usize>i << 2), e);
      acc = f32x4.add(acc, e);
    }
    total += hsum(acc);
  }
  for (; i < L; i++) {
    const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(x + (<usize>i << 2)) - m)), 0);
    if (!log) store<f32>(out + (<usize>i << 2), e);
    total += <f64>e;
  }
  if (log) {
    // (x − max) − lse in two steps: max + lse in float32 would round lse away when |max| ≫ lse.
    const lse = <f32>Math.log(total);
    const vl = f32x4.splat(lse);
    i = 0;
    for (; i + 4 <= L; i += 4) v128.store(out + (<usize>i << 2), f32x4.sub(f32x4.sub(v128.load(x + (<usize>i << 2)), vm), vl));
    for (; i < L; i++) store<f32>(out + (<usize>i << 2), (load<f32>(x + (<usize>i << 2)) - m) - lse);
  } else {
    const inv = f32x4.splat(<f32>(1.0 / total));
    i = 0;
    for (; i + 4 <= L; i += 4) v128.store(out + (<usize>i << 2), f32x4.mul(v128.load(out + (<usize>i << 2)), inv));
    const s = f32x4.extract_lane(inv, 0);
    for (; i < L; i++) store<f32>(out + (<usize>i << 2), load<f32>(out + (<usize>i << 2)) * s);
  }
}

/** Softmax along a non-last dim for `cols` adjacent columns: four at a time, each walked down L with stride I. */
function softmaxColumns(x: usize, out: usize, L: i32, I: i32, cols: i32, log: bool): void {
  const step = <usize>I << 2;
  let i = 0;
  for (; i + 4 <= cols; i += 4) {
    const px = x + (<usize>i << 2);
    const po = out + (<usize>i << 2);
    let m = v128.load(px);
    for (let j = 1; j < L; j++) m = f32x4.max(m, v128.load(px + <usize>j * step));
    m = v128.bitselect(f32x4.splat(0), m, f32x4.eq(m, f32x4.splat(-Infinity)));
    let s = f32x4.splat(0);
    for (let j = 0; j < L; j++) {
      const e = expv(f32x4.sub(v128.load(px + <usize>j * step), m));
      if (!log) v128.store(po + <usize>j * step, e);
      s = f32x4.add(s, e);
    }
    if (log) {
      const lse = logv(s);
      for (let j = 0; j < L; j++) v128.store(po + <usize>j * step, f32x4.sub(f32x4.sub(v128.load(px + <usize>j * step), m), lse));
    } else {
      const inv = f32x4.div(f32x4.splat(1), s);
      for (let j = 0; j < L; j++) v128.store(po + <usize>j * step, f32x4.mul(v128.load(po + <usize>j * step), inv));
    }
  }
  for (; i < cols; i++) {
    const px = x + (<usize>i << 2);
    const po = out + (<usize>i << 2);
    let m: f32 = -Infinity;
    for (let j = 0; j < L; j++) m = pickMax(m, load<f32>(px + <usize>j * step));
    if (m == -Infinity) m = 0;
    let s: f64 = 0;
    for (let j = 0; j < L; j++) {
      const e = Math.exp(<f64>(load<f32>(px + <usize>j * step) - m));
      if (!log) store<f32>(po + <usize>j * step, <f32>e);
      s += e;
    }
    if (log) {
      const shift = <f64>m + Math.log(s);
      for (let j = 0; j < L; j++) store<f32>(po + <usize>j * step, <f32>(<f64>load<f32>(px + <usize>j * step) - shift));
    } else {
      for (let j = 0; j < L; j++) store<f32>(po + <usize>j * step, <f32>(<f64>load<f32>(po + <usize>j * step) / s));
    }
  }
}
