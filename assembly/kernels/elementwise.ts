/**
 * Float32 elementwise kernels: unary functions, binary functions with broadcasting (a broadcast
 * operand has stride 0), and `where`. Each row of the iteration space picks a loop by its inner
 * strides: both contiguous (SIMD), one a broadcast scalar (SIMD with a splat), or general strided.
 * Each op has its own function holding the loops with the op code a constant, so the dispatch
 * happens once per call, not once per vector.
 */
import { expv, logv, sigmoidv, tanhv } from './math';
import { offsetOf, shapeAt, strideAt } from './strided';

// Unary op codes (mirrored in src/backends/wasm/opcodes.ts).
const U_NEG = 0, U_EXP = 1, U_LOG = 2, U_LOG1P = 3, U_SQRT = 4, U_ABS = 5, U_SIGN = 6, U_RELU = 7;
const U_SIGMOID = 8, U_TANH = 9, U_SIN = 10, U_COS = 11, U_FLOOR = 12, U_CEIL = 13, U_ROUND = 14;
const U_CLAMP = 16;

@inline function uvec(op: i32, x: v128, lo: v128, hi: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_EXP: return expv(x);
    case U_LOG: return logv(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_ABS: return f32x4.abs(x);
    case U_SIGN: {
      // ±1 for non-zero lanes, x itself for ±0 and NaN.
      const one = v128.or(f32x4.splat(1.0), v128.and(x, i32x4.splat(0x80000000)));
      return v128.bitselect(one, x, v128.and(f32x4.ne(x, f32x4.splat(0)), f32x4.eq(x, x)));
    }
    // x ≤ 0 → +0, else x (NaN included, as in PyTorch): two instructions, where f32x4.max takes ~9.
    case U_RELU: return v128.andnot(x, f32x4.le(x, f32x4.splat(0)));
    case U_SIGMOID: return sigmoidv(x);
    case U_TANH: return tanhv(x);
    case U_FLOOR: return f32x4.floor(x);
    case U_CEIL: return f32x4.ceil(x);
    case U_ROUND: return f32x4.nearest(x); // ties to even
    case U_CLAMP: return f32x4.pmin(f32x4.pmax(x, lo), hi); // NaN passes through
    default: return x;
  }
}

/** Ops without a vector form, in double precision (rounded once when stored). */
@inline function uscalar(op: i32, x: f32, lo: f32, hi: f32): f32 {
  switch (op) {
    case U_LOG1P: return <f32>Math.log1p(<f64>x);
    case U_SIN: return <f32>Math.sin(<f64>x);
    case U_COS: return <f32>Math.cos(<f64>x);
    default: {
      const v = uvec(op, f32x4.splat(x), f32x4.splat(lo), f32x4.splat(hi));
      return f32x4.extract_lane(v, 0);
    }
  }
}

@inline function hasVector(op: i32): bool {
  return op != U_LOG1P && op != U_SIN && op != U_COS;
}

@inline function unaryRow(op: i32, x: usize, sx: i32, out: usize, n: i32, lo: f32, hi: f32): void {
  let i = 0;
  if (hasVector(op)) {
    const vlo = f32x4.splat(lo);
    const vhi = f32x4.splat(hi);
    if (sx == 1) {
      if (op == U_TANH) {
        // Two vectors per trip: V8 keeps tanh's constants in stack slots and reloads them at the
        // loop's back edge; one trip per vector spent a fifth of the time there (0.54 → 0.45 ms
        // for 301k floats in one A/B; four per trip was no faster).
        for (; i + 8 <= n; i += 8) {
          const a = uvec(op, v128.load(x), vlo, vhi);
          const b = uvec(op, v128.load(x, 16), vlo, vhi);
          v128.store(out, a);
          v128.store(out, b, 16);
          x += 32; out += 32;
        }
      }
      for (; i + 4 <= n; i += 4) {
        v128.store(out, uvec(op, v128.load(x), vlo, vhi));
        x += 16; out += 16;
      }
    }
    const step = <usize>sx << 2;
    for (; i < n; i++) {
      store<f32>(out, f32x4.extract_lane(uvec(op, f32x4.splat(load<f32>(x)), vlo, vhi), 0));
      x += step; out += 4;
    }
  } else {
    const step = <usize>sx << 2;
    for (; i < n; i++) {
      store<f32>(out, uscalar(op, load<f32>(x), lo, hi));
      x += step; out += 4;
    }
  }
}

@inline function unaryRange(op: i32, x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const sx = strideAt(desc, rank, 0, rank - 1);
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    const px = x + (<usize>(offsetOf(desc, rank, 0, row, rank - 1) + j * sx) << 2);
    unaryRow(op, px, sx, out + (<usize>i << 2), len, lo, hi);
    i += len;
  }
}

// One function per op, each holding its own copy of the loops with the op a constant. Inlining the
// loops straight into the dispatching switch let the optimiser fold the sixteen copies back into
// one loop that switched on the op per vector (neg ran at 60% of copy speed instead of 100%).
function unaryNeg(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_NEG, x, out, desc, start, end, lo, hi); }
function unaryExp(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_EXP, x, out, desc, start, end, lo, hi); }
function unaryLog(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_LOG, x, out, desc, start, end, lo, hi); }
function unaryLog1p(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_LOG1P, x, out, desc, start, end, lo, hi); }
function unarySqrt(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_SQRT, x, out, desc, start, end, lo, hi); }
function unaryAbs(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_ABS, x, out, desc, start, end, lo, hi); }
function unarySign(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_SIGN, x, out, desc, start, end, lo, hi); }
function unaryRelu(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_RELU, x, out, desc, start, end, lo, hi); }
function unarySigmoid(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_SIGMOID, x, out, desc, start, end, lo, hi); }
function unaryTanh(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_TANH, x, out, desc, start, end, lo, hi); }
function unarySin(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_SIN, x, out, desc, start, end, lo, hi); }
function unaryCos(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_COS, x, out, desc, start, end, lo, hi); }
function unaryFloor(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_FLOOR, x, out, desc, start, end, lo, hi); }
function unaryCeil(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_CEIL, x, out, desc, start, end, lo, hi); }
function unaryRound(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_ROUND, x, out, desc, start, end, lo, hi); }
function unaryClamp(x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void { unaryRange(U_CLAMP, x, out, desc, start, end, lo, hi); }

/** out[i] = op(x[i]) for flat indices [start, end); out is contiguous float32. */
export function unaryF32(op: i32, x: usize, out: usize, desc: usize, start: i32, end: i32, lo: f32, hi: f32): void {
  switch (op) {
    case U_NEG: unaryNeg(x, out, desc, start, end, lo, hi); break;
    case U_EXP: unaryExp(x, out, desc, start, end, lo, hi); break;
    case U_LOG: unaryLog(x, out, desc, start, end, lo, hi); break;
    case U_LOG1P: unaryLog1p(x, out, desc, start, end, lo, hi); break;
    case U_SQRT: unarySqrt(x, out, desc, start, end, lo, hi); break;
    case U_ABS: unaryAbs(x, out, desc, start, end, lo, hi); break;
    case U_SIGN: unarySign(x, out, desc, start, end, lo, hi); break;
    case U_RELU: unaryRelu(x, out, desc, start, end, lo, hi); break;
    case U_SIGMOID: unarySigmoid(x, out, desc, start, end, lo, hi); break;
    case U_TANH: unaryTanh(x, out, desc, start, end, lo, hi); break;
    case U_SIN: unarySin(x, out, desc, start, end, lo, hi); break;
    case U_COS: unaryCos(x, out, desc, start, end, lo, hi); break;
    case U_FLOOR: unaryFloor(x, out, desc, start, end, lo, hi); break;
    case U_CEIL: unaryCeil(x, out, desc, start, end, lo, hi); break;
    case U_ROUND: unaryRound(x, out, desc, start, end, lo, hi); break;
    case U_CLAMP: unaryClamp(x, out, desc, start, end, lo, hi); break;
    default: unreachable();
  }
}

// Binary op codes: arithmetic (float32 out) below B_EQ, comparisons and logic (bool out) from B_EQ.
const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_POW = 4, B_MAX = 5, B_MIN = 6;
// Activation gradients (a = grad, b = forward output), each the composite's float32 steps in order.
const B_TANH_GRAD = 7, B_SIGMOID_GRAD = 8, B_RELU_GRAD = 9;
const B_EQ = 10, B_NE = 11, B_LT = 12, B_LE = 13, B_GT = 14, B_GE = 15, B_AND = 16, B_OR = 17;

@inline function bvec(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
    case B_MAX: return f32x4.max(a, b); // NaN wins, as in PyTorch
    case B_MIN: return f32x4.min(a, b);
    case B_TANH_GRAD: return f32x4.mul(a, f32x4.sub(f32x4.splat(1), f32x4.mul(b, b)));
    case B_SIGMOID_GRAD: return f32x4.mul(a, f32x4.mul(b, f32x4.sub(f32x4.splat(1), b)));
    case B_RELU_GRAD: return v128.andnot(a, f32x4.le(b, f32x4.splat(0)));
    default: return a;
  }
}

@inline function bscalar(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return <f32>Math.pow(<f64>a, <f64>b);
    case B_MAX: return a != a || b != b ? NaN : (a > b ? a : b);
    case B_MIN: return a != a || b != b ? NaN : (a < b ? a : b);
    case B_TANH_GRAD: return a * (<f32>1 - b * b);
    case B_SIGMOID_GRAD: return a * (b * (<f32>1 - b));
    case B_RELU_GRAD: return b <= 0 ? <f32>0 : a;
    default: return a;
  }
}

@inline function bcompare(op: i32, a: f32, b: f32): u8 {
  switch (op) {
    case B_EQ: return <u8>(a == b);
    case B_NE: return <u8>(a != b);
    case B_LT: return <u8>(a < b);
    case B_LE: return <u8>(a <= b);
    case B_GT: return <u8>(a > b);
    case B_GE: return <u8>(a >= b);
    case B_AND: return <u8>(a != 0 && b != 0);
    case B_OR: return <u8>(a != 0 || b != 0);
    default: return 0;
  }
}

@inline function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  if (op >= B_EQ) {
    const stA = <usize>sa << 2;
    const stB = <usize>sb << 2;
    for (; i < n; i++) {
      store<u8>(out, bcompare(op, load<f32>(a), load<f32>(b)));
      a += stA; b += stB; out += 1;
    }
    return;
  }
  if (op != B_POW) {
    if (sa == 1 && sb == 1) {
      for (; i + 4 <= n; i += 4) {
        v128.store(out, bvec(op, v128.load(a), v128.load(b)));
        a += 16; b += 16; out += 16;
      }
    } else if (sa == 1 && sb == 0) {
      const vb = v128.load32_splat(b);
      for (; i + 4 <= n; i += 4) {
        v128.store(out, bvec(op, v128.load(a), vb));
        a += 16; out += 16;
      }
    } else if (sa == 0 && sb == 1) {
      const va = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) {
        v128.store(out, bvec(op, va, v128.load(b)));
        b += 16; out += 16;
      }
    }
  }
  const stA = <usize>sa << 2;
  const stB = <usize>sb << 2;
  for (; i < n; i++) {
    store<f32>(out, bscalar(op, load<f32>(a), load<f32>(b)));
    a += stA; b += stB; out += 4;
  }
}

@inline function binaryRange(op: i32, a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const sa = strideAt(desc, rank, 0, rank - 1);
  const sb = strideAt(desc, rank, 1, rank - 1);
  const osize: i32 = op >= B_EQ ? 1 : 4;
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    const pa = a + (<usize>(offsetOf(desc, rank, 0, row, rank - 1) + j * sa) << 2);
    const pb = b + (<usize>(offsetOf(desc, rank, 1, row, rank - 1) + j * sb) << 2);
    binaryRow(op, pa, sa, pb, sb, out + <usize>(i * osize), len);
    i += len;
  }
}

// One function per op, for the reason given above unaryF32.
function binaryAdd(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_ADD, a, b, out, desc, start, end); }
function binarySub(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_SUB, a, b, out, desc, start, end); }
function binaryMul(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_MUL, a, b, out, desc, start, end); }
function binaryDiv(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_DIV, a, b, out, desc, start, end); }
function binaryPow(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_POW, a, b, out, desc, start, end); }
function binaryMax(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_MAX, a, b, out, desc, start, end); }
function binaryMin(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_MIN, a, b, out, desc, start, end); }
function binaryTanhGrad(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_TANH_GRAD, a, b, out, desc, start, end); }
function binarySigmoidGrad(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_SIGMOID_GRAD, a, b, out, desc, start, end); }
function binaryReluGrad(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_RELU_GRAD, a, b, out, desc, start, end); }
function binaryEq(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_EQ, a, b, out, desc, start, end); }
function binaryNe(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_NE, a, b, out, desc, start, end); }
function binaryLt(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_LT, a, b, out, desc, start, end); }
function binaryLe(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_LE, a, b, out, desc, start, end); }
function binaryGt(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_GT, a, b, out, desc, start, end); }
function binaryGe(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_GE, a, b, out, desc, start, end); }
function binaryAnd(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_AND, a, b, out, desc, start, end); }
function binaryOr(a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void { binaryRange(B_OR, a, b, out, desc, start, end); }

/**
 * out[i] = op(a[i], b[i]) over flat indices [start, end) of the descriptor's shape (operands a, b);
 * out is contiguous: float32 for arithmetic ops, bool (u8) for comparisons and logic.
 * `pow` with float exponents is computed in double precision.
 */
export function binaryF32(op: i32, a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void {
  switch (op) {
    case B_ADD: binaryAdd(a, b, out, desc, start, end); break;
    case B_SUB: binarySub(a, b, out, desc, start, end); break;
    case B_MUL: binaryMul(a, b, out, desc, start, end); break;
    case B_DIV: binaryDiv(a, b, out, desc, start, end); break;
    case B_POW: binaryPow(a, b, out, desc, start, end); break;
    case B_MAX: binaryMax(a, b, out, desc, start, end); break;
    case B_MIN: binaryMin(a, b, out, desc, start, end); break;
    case B_TANH_GRAD: binaryTanhGrad(a, b, out, desc, start, end); break;
    case B_SIGMOID_GRAD: binarySigmoidGrad(a, b, out, desc, start, end); break;
    case B_RELU_GRAD: binaryReluGrad(a, b, out, desc, start, end); break;
    case B_EQ: binaryEq(a, b, out, desc, start, end); break;
    case B_NE: binaryNe(a, b, out, desc, start, end); break;
    case B_LT: binaryLt(a, b, out, desc, start, end); break;
    case B_LE: binaryLe(a, b, out, desc, start, end); break;
    case B_GT: binaryGt(a, b, out, desc, start, end); break;
    case B_GE: binaryGe(a, b, out, desc, start, end); break;
    case B_AND: binaryAnd(a, b, out, desc, start, end); break;
    case B_OR: binaryOr(a, b, out, desc, start, end); break;
    default: unreachable();
  }
}

/**
 * out[i] = cond[i] ? a[i] : b[i] for elements of `esize` bytes (4 or 8; the choice moves bits, so
 * float32, int32 and float64 share it). Descriptor operands: 0 = cond (bool), 1 = a, 2 = b.
 */
export function whereSelect(esize: i32, cond: usize, a: usize, b: usize, out: usize, desc: usize, start: i32, end: i32): void {
  const rank = load<i32>(desc);
  const n = shapeAt(desc, rank - 1);
  const sc = strideAt(desc, rank, 0, rank - 1);
  const sa = strideAt(desc, rank, 1, rank - 1);
  const sb = strideAt(desc, rank, 2, rank - 1);
  let i = start;
  while (i < end) {
    const row = i / n;
    const j = i - row * n;
    const len = min(n - j, end - i);
    let pc = cond + <usize>(offsetOf(desc, rank, 0, row, rank - 1) + j * sc);
    let pa = a + <usize>((offsetOf(desc, rank, 1, row, rank - 1) + j * sa) * esize);
    let pb = b + <usize>((offsetOf(desc, rank, 2, row, rank - 1) + j * sb) * esize);
    let po = out + <usize>(i * esize);
    const stA = <usize>(sa * esize);
    const stB = <usize>(sb * esize);
    if (esize == 8) {
      for (let q = 0; q < len; q++) {
        store<u64>(po, load<u8>(pc) != 0 ? load<u64>(pa) : load<u64>(pb));
        pc += <usize>sc; pa += stA; pb += stB; po += 8;
      }
    } else if (esize == 4) {
      for (let q = 0; q < len; q++) {
        store<u32>(po, load<u8>(pc) != 0 ? load<u32>(pa) : load<u32>(pb));
        pc += <usize>sc; pa += stA; pb += stB; po += 4;
      }
    } else {
      for (let q = 0; q < len; q++) {
        store<u8>(po, load<u8>(pc) != 0 ? load<u8>(pa) : load<u8>(pb));
        pc += <usize>sc; pa += stA; pb += stB; po += 1;
      }
    }
    i += len;
  }
}

/**
 * One SGD step over n contiguous float32 elements, in place, with the rounding of the unfused ops
 * (every product and sum rounded to float32 in PyTorch's order), so results are bit-identical:
 *   d ← maximize ? −g : g;  d ← d + θ·λ;  b ← first ? d : b·μ + d·(1 − τ);  d ← nesterov ? d + b·μ : b;  θ ← θ + d·(−γ).
 * Flags: 1 = momentum (μ ≠ 0), 2 = first step, 4 = nesterov, 8 = maximize, 16 = weight decay,
 * 32 = dampening (1 − τ ≠ 1).
 */
export function sgdStepF32(
  param: usize, grad: usize, buf: usize, start: i32, end: i32,
  negLr: f32, mu: f32, oneMinusTau: f32, wd: f32, flags: i32,
): void {
  const momentum = (flags & 1) != 0;
  const first = (flags & 2) != 0;
  const nesterov = (flags & 4) != 0;
  const maximize = (flags & 8) != 0;
  const decay = (flags & 16) != 0;
  const damp = (flags & 32) != 0;
  // Four lanes at a time with the scalar loop's operations in its order (mul then add, never
  // fused), so both give the same bits; the flags are loop-invariant branches.
  const vLr = f32x4.splat(negLr), vMu = f32x4.splat(mu), vTau = f32x4.splat(oneMinusTau), vWd = f32x4.splat(wd);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    const p = v128.load(param + o);
    let d = v128.load(grad + o);
    if (maximize) d = f32x4.neg(d);
    if (decay) d = f32x4.add(d, f32x4.mul(p, vWd));
    if (momentum) {
      let b: v128;
      if (first) b = d;
      else b = f32x4.add(f32x4.mul(v128.load(buf + o), vMu), damp ? f32x4.mul(d, vTau) : d);
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(b, vMu)) : b;
    }
    v128.store(param + o, f32x4.add(p, f32x4.mul(d, vLr)));
  }
  for (; i < end; i++) {
    const o = <usize>i << 2;
    const p = load<f32>(param + o);
    let d = load<f32>(grad + o);
    if (maximize) d = -d;
    if (decay) d = d + p * wd;
    if (momentum) {
      let b: f32;
      if (first) b = d;
      else b = load<f32>(buf + o) * mu + (damp ? d * oneMinusTau : d);
      store<f32>(buf + o, b);
      d = nesterov ? d + b * mu : b;
    }
    store<f32>(param + o, p + d * negLr);
  }
}
