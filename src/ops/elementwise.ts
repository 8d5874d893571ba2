/**
 * Elementwise ops with PyTorch's broadcasting and type promotion, and their gradients.
 * @module
 */
import { allocForOverwrite, type BinaryOp, type UnaryOp } from '../core/backend.js';
import { checkDType, isFloating, promoteTypes, promoteWithScalar, type DType } from '../core/dtype.js';
import { broadcastShapes, fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkSameBackend, record, toTensor, wrap, type TensorLike } from './helpers.js';
import { expand } from './view.js';

/** Converts `x` to `dtype` (a differentiable copy; the same tensor when the dtype already matches). */
export function to(x: Tensor, dtype: DType): Tensor {
  checkDType('to', dtype);
  if (x.dtype === dtype) return x;
  const out = new Tensor(allocForOverwrite(x.backend, dtype, x.numel()), x.shape);
  x.backend.copy(x, out);
  if (!isFloating(dtype)) return out;
  return record('ToCopyBackward0', out, [x], (g) => [to(g, x.dtype)]);
}

/** The dtype of `op(a, b)` under PyTorch's promotion, numbers acting as Python scalars. */
function resultType(a: TensorLike, b: TensorLike): DType {
  if (typeof a === 'number' && typeof b === 'number') return promoteWithScalar('float32', a);
  if (typeof a === 'number') return promoteWithScalar((b as Tensor).dtype, a);
  if (typeof b === 'number') return promoteWithScalar(a.dtype, b);
  return promoteTypes(a.dtype, b.dtype);
}

/** Both operands as tensors of `dtype`, broadcast (as views) to one shape. */
export function broadcastPair(op: string, a: TensorLike, b: TensorLike, dtype: DType): [Tensor, Tensor] {
  const ta = to(toTensor(a, dtype), dtype);
  const tb = to(toTensor(b, dtype), dtype);
  checkSameBackend(op, [ta, tb]);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  return [expand(ta, shape), expand(tb, shape)];
}

function binary(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType): Tensor {
  return wrap(a.backend.binary(op, a, b, outDtype), a.shape);
}

function unary(op: UnaryOp, x: Tensor, args?: readonly number[], outDtype: DType = x.dtype): Tensor {
  return wrap(x.backend.unary(op, x, outDtype, args), x.shape);
}

/** Integer and bool inputs of float-only functions (exp, log, sqrt…) are promoted to float32. */
function floatInput(x: Tensor): Tensor {
  return isFloating(x.dtype) ? x : to(x, 'float32');
}

/** `a + alpha·b` with broadcasting. */
export function add(a: TensorLike, b: TensorLike, options: { alpha?: number } = {}): Tensor {
  if (options.alpha !== undefined && options.alpha !== 1) return add(a, mul(b, options.alpha));
  const [x, y] = broadcastPair('add', a, b, resultType(a, b));
  return record('AddBackward0', binary('add', x, y, x.dtype), [x, y], (g) => [g, g]);
}

/** `a − alpha·b` with broadcasting. */
export function sub(a: TensorLike, b: TensorLike, options: { alpha?: number } = {}): Tensor {
  if (options.alpha !== undefined && options.alpha !== 1) return sub(a, mul(b, options.alpha));
  const [x, y] = broadcastPair('sub', a, b, resultType(a, b));
  return record('SubBackward0', binary('sub', x, y, x.dtype), [x, y], (g, _s, needs) => [g, needs[1] ? neg(g) : null]);
}

/** `a · b` elementwise with broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = broadcastPair('mul', a, b, resultType(a, b));
  return record('MulBackward0', binary('mul', x, y, x.dtype), [x, y], (g, [sx, sy], needs) => [needs[0] ? mul(g, sy) : null, needs[1] ? mul(g, sx) : null], [x, y]);
}

/** `a / b` elementwise, true division (integers give float32), with broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  let dtype = resultType(a, b);
  if (!isFloating(dtype)) dtype = 'float32';
  const [x, y] = broadcastPair('div', a, b, dtype);
  const out = binary('div', x, y, dtype);
  return record('DivBackward0', out, [x, y], (g, [sy, so], needs) => [needs[0] ? div(g, sy) : null, needs[1] ? neg(div(mul(g, so), sy)) : null], [y, out]);
}

/** `a ** b` elementwise with broadcasting. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = broadcastPair('pow', a, b, resultType(a, b));
  const out = binary('pow', x, y, x.dtype);
  return record(
    'PowBackward1',
    out,
    [x, y],
    (g, [sx, sy, so]) => {
      const gx = y.requiresGrad || typeof b !== 'number' ? mul(g, mul(sy, pow(sx, sub(sy, 1)))) : mul(g, mul(b, pow(sx, b - 1)));
      // d/dy x^y = x^y·log x; PyTorch defines it as 0 where x = 0 and y ≥ 0.
      const gy = y.requiresGrad ? where(logicalAnd(eq(sx, 0), ge(sy, 0)), 0, mul(g, mul(so, log(sx)))) : null;
      return [gx, gy];
    },
    [x, y, out],
  );
}

/** `−x`. */
export function neg(x: Tensor): Tensor {
  return record('NegBackward0', unary('neg', x), [x], (g) => [neg(g)]);
}

/** `e^x`. */
export function exp(x: Tensor): Tensor {
  x = floatInput(x);
  const out = unary('exp', x);
  return record('ExpBackward0', out, [x], (g, [so]) => [mul(g, so)], [out]);
}

/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  x = floatInput(x);
  return record('LogBackward0', unary('log', x), [x], (g, [sx]) => [div(g, sx)], [x]);
}

/** `log(1 + x)`, accurate for small x. */
export function log1p(x: Tensor): Tensor {
  x = floatInput(x);
  return record('Log1PBackward0', unary('log1p', x), [x], (g, [sx]) => [div(g, add(sx, 1))], [x]);
}

/** Square root. */
export function sqrt(x: Tensor): Tensor {
  x = floatInput(x);
  const out = unary('sqrt', x);
  return record('SqrtBackward0', out, [x], (g, [so]) => [div(g, mul(so, 2))], [out]);
}

/** `|x|`; its gradient at 0 is 0, as in PyTorch. */
export function abs(x: Tensor): Tensor {
  return record('AbsBackward0', unary('abs', x), [x], (g, [sx]) => [mul(g, sign(sx))], [x]);
}

/** −1, 0 or 1 (no gradient). */
export function sign(x: Tensor): Tensor {
  return unary('sign', x);
}

/** Sine. */
export function sin(x: Tensor): Tensor {
  x = floatInput(x);
  return record('SinBackward0', unary('sin', x), [x], (g, [sx]) => [mul(g, cos(sx))], [x]);
}

/** Cosine. */
export function cos(x: Tensor): Tensor {
  x = floatInput(x);
  return record('CosBackward0', unary('cos', x), [x], (g, [sx]) => [neg(mul(g, sin(sx)))], [x]);
}

/** Rounding down (no gradient). */
export function floor(x: Tensor): Tensor {
  return unary('floor', x);
}

/** Rounding up (no gradient). */
export function ceil(x: Tensor): Tensor {
  return unary('ceil', x);
}

/** Rounding half to even, as PyTorch does (no gradient). */
export function round(x: Tensor): Tensor {
  return unary('round', x);
}

/** Limits values to [min, max] (either may be omitted); gradient passes where min ≤ x ≤ max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (min == null && max == null) throw new Error('clamp: at least one of min or max must be given');
  const out = unary('clamp', x, [lo, hi]);
  return record('ClampBackward1', out, [x], (g, [sx]) => [mul(g, logicalAnd(ge(sx, lo), le(sx, hi)))], [x]);
}

/**
 * Elementwise maximum with broadcasting. Where a = b the gradient is split evenly, as in PyTorch.
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('maximum', a, b);
}

/** Elementwise minimum with broadcasting (ties split the gradient evenly). */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('minimum', a, b);
}

function extremum(op: 'maximum' | 'minimum', a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = broadcastPair(op, a, b, resultType(a, b));
  const name = op === 'maximum' ? 'MaximumBackward0' : 'MinimumBackward0';
  return record(name, binary(op, x, y, x.dtype), [x, y], (g, [sx, sy]) => {
    const half = where(eq(sx, sy), div(g, 2), g);
    const xWins = op === 'maximum' ? ge(sx, sy) : le(sx, sy);
    const yWins = op === 'maximum' ? ge(sy, sx) : le(sy, sx);
    return [where(xWins, half, 0), where(yWins, half, 0)];
  }, [x, y]);
}

function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = broadcastPair(op, a, b, resultType(a, b));
  return binary(op, x, y, 'bool');
}

/** `a == b` → bool. */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compare('eq', a, b);
}
/** `a != b` → bool. */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return compare('ne', a, b);
}
/** `a < b` → bool. */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compare('lt', a, b);
}
/** `a <= b` → bool. */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return compare('le', a, b);
}
/** `a > b` → bool. */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compare('gt', a, b);
}
/** `a >= b` → bool. */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compare('ge', a, b);
}
/** Elementwise AND of truth values → bool. */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return compare('logicalAnd', a, b);
}
/** Elementwise OR of truth values → bool. */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return compare('logicalOr', a, b);
}
/** Elementwise NOT → bool. */
export function logicalNot(x: Tensor): Tensor {
  return unary('logicalNot', x, [], 'bool');
}

/** `condition ? a : b` elementwise, all three broadcast together. */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b);
  const [x, y] = broadcastPair('where', a, b, dtype);
  const shape = broadcastShapes('where', condition.shape, x.shape);
  if (condition.dtype !== 'bool') {
    throw new Error(`where: condition must be a bool tensor, got ${condition.dtype} ${fmtShape(condition.shape)}`);
  }
  const c = expand(condition, shape);
  const xe = expand(x, shape);
  const ye = expand(y, shape);
  checkSameBackend('where', [c, xe, ye]);
  const out = wrap(c.backend.where(c, xe, ye, dtype), shape);
  return record('WhereBackward0', out, [xe, ye], (g, [sc], needs) => [needs[0] ? where(sc, g, 0) : null, needs[1] ? where(sc, 0, g) : null], [c]);
}
