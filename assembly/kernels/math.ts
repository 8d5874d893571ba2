/**
 * Vectorised float32 transcendental functions (4 lanes), Cephes-style: range reduction plus a
 * short polynomial, accurate to a few ulp over the whole float range (relative error ≲ 2e-7),
 * with IEEE behaviour at the edges (±inf, NaN, underflow to subnormals and 0).
 */

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split into a part exact in float32 and the rest (Cody–Waite), so n·ln2 subtracts exactly.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/**
 * a·b + c: fused in the relaxed build (one instruction, one rounding), mul then add otherwise.
 * Used in the polynomials of exp and tanh, where it is at least as accurate and a sixth faster.
 */
@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** y·2^n for integer lanes n in [-150, 128], in two steps so subnormal and near-overflow results round right. */
@inline function ldexpv(y: v128, n: v128): v128 {
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  const f1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const f2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(y, f1), f2);
}

/**
 * x·log2(e) rounded to an integer n, as the low mantissa bits of the result t (n = t − 1.5·2^23):
 * adding 1.5·2^23 rounds, and saves a float→int conversion (several instructions in V8's lowering).
 * Valid for |x·log2 e| < 2^22.
 */
@inline function roundLog2e(x: v128): v128 {
  return f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(12582912.0));
}

/** e^r − 1 = r + r²·P(r) for r = x − n·ln2 (Cody–Waite, |r| ≤ ln2/2), n from {@link roundLog2e}'s t. */
@inline function expm1Reduced(x: v128, t: v128): v128 {
  const n = f32x4.sub(t, f32x4.splat(12582912.0));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = fma(p, r, f32x4.splat(1.3981999507e-3));
  p = fma(p, r, f32x4.splat(8.3334519073e-3));
  p = fma(p, r, f32x4.splat(4.1665795894e-2));
  p = fma(p, r, f32x4.splat(1.6666665459e-1));
  p = fma(p, r, f32x4.splat(5.0000001201e-1));
  return fma(p, f32x4.mul(r, r), r);
}

/** e^x per lane. */
@inline export function expv(x: v128): v128 {
  // Beyond these bounds the result is 0 or +inf anyway; clamping keeps n inside ldexpv's range.
  // pmin/pmax (one instruction each) rather than min/max (NaN-propagating sequences, ~1/3 of
  // the function's time in V8); a NaN x is restored by the bitselect at the end.
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const t = roundLog2e(xc);
  const y = f32x4.add(expm1Reduced(xc, t), f32x4.splat(1.0));
  const out = ldexpv(y, i32x4.sub(t, i32x4.splat(0x4b400000)));
  // NaN in, NaN out (the clamp above would have turned it into a number on some engines).
  return v128.bitselect(x, out, f32x4.ne(x, x));
}

/** Natural logarithm per lane: log(x<0) = NaN, log(0) = -inf, log(inf) = inf. */
@inline export function logv(x: v128): v128 {
  // Subnormals: scale by 2^23 first so the exponent field is meaningful.
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  // Mantissa in [0.5, 1).
  let m = v128.or(v128.and(xs, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  // Shift m into [sqrt(1/2), sqrt(2)) so the polynomial's argument is small.
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, small); // true lanes are -1
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1.0));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(m, y), f32x4.mul(ef, f32x4.splat(LN2_HI)));
  // Edge cases: x = 0 → -inf; x < 0 or NaN → NaN; x = +inf → +inf.
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(NaN), r, v128.not(f32x4.ge(x, f32x4.splat(0))));
  r = v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  return r;
}

/** 1 / (1 + e^-x), computed from e^-|x| so that it never overflows and stays accurate for x ≪ 0. */
@inline export function sigmoidv(x: v128): v128 {
  const e = expv(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0)));
}

/**
 * Lanes of `a` where `mask` is all ones, of `b` where it is all zeros (a comparison's result): one
 * instruction in the relaxed build (blendv), three for bitselect's and/andnot/or in V8's SIMD128.
 */
@inline export function select(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}

/**
 * tanh per lane: an odd polynomial below 0.625 (where 1 − 2/(e^2x + 1) would cancel), above it
 * 1 − 2/(e^(2|x|) + 1) with the sign of x; 2|x| is capped at 20, where that rounds to exactly 1
 * (tanh 10 = 1 − 4e-9). The exponential is a lean one for 2|x| ≤ 20 (no overflow, underflow or NaN
 * fix-ups, one scaling): the general exp's edge handling made tanh twice as slow. Within 1 ulp of
 * the correctly rounded value, and nearly always equal to it. Both branches run for every lane, so
 * every instruction counts: |x| by clearing the sign bit already at hand, {@link select}, and the
 * cap instead of a fix-up for |x| ≥ 9, with the two-vector loop in elementwise.ts, took LeNet-5's
 * C1 tanh (301k floats) from 0.475 to 0.342 ms.
 * (A rational approximation without exp ran 3× faster but was 3e-7 off near ±1, and expm1(2|x|)/
 * (expm1(2|x|) + 2) without the polynomial 1.6× faster but 1.8 ulp off near 0: both left an Adagrad
 * trajectory test's PyTorch one, whose maximising drives tanh into saturation.)
 */
@inline export function tanhv(x: v128): v128 {
  const sign = v128.and(x, i32x4.splat(0x80000000));
  const ax = v128.xor(x, sign);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = fma(p, z, f32x4.splat(2.06390887954e-2));
  p = fma(p, z, f32x4.splat(-5.37397155531e-2));
  p = fma(p, z, f32x4.splat(1.33314422036e-1));
  p = fma(p, z, f32x4.splat(-3.33332819422e-1));
  // Or-ing the sign in is a no-op for negative results and turns the polynomial's +0 for −0 back into −0.
  const near = v128.or(fma(f32x4.mul(p, z), x, x), sign);
  // e^y for y = 2|x| ≤ 20: 2^n·(1 + q), q = e^r − 1.
  const y = f32x4.pmin(f32x4.add(ax, ax), f32x4.splat(20.0)); // NaN stays NaN
  const t = roundLog2e(y);
  const q = expm1Reduced(y, t);
  // 2^n, n in [0, 29]: the integer sits in t's low mantissa bits.
  const pow2 = i32x4.shl(i32x4.add(i32x4.sub(t, i32x4.splat(0x4b400000)), i32x4.splat(127)), 23);
  // e^y + 1 = 2^n·q + (2^n + 1).
  const d = fma(pow2, q, f32x4.add(pow2, f32x4.splat(1.0)));
  const far = v128.or(f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), d)), sign);
  return select(near, far, f32x4.lt(ax, f32x4.splat(0.625)));
}
