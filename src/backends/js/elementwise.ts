/**
 * Reference kernels for elementwise unary and binary ops and `where`.
 * Values are computed in double precision and rounded once when stored.
 * @module
 */
import type { BinaryOp, UnaryOp, View } from '../../core/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { broadcastScalar, contiguousData } from './storage.js';

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
}

function unaryFn(op: UnaryOp, args: readonly number[]): (v: number) => number {
  switch (op) {
    case 'neg': return (v) => -v;
    case 'exp': return Math.exp;
    case 'log': return Math.log;
    case 'log1p': return Math.log1p;
    case 'sqrt': return Math.sqrt;
    case 'abs': return Math.abs;
    case 'sign': return Math.sign;
    case 'relu': return (v) => (v > 0 ? v : v === v ? 0 : v);
    // Two branches so exp never overflows: for v < 0, exp(v) ≤ 1.
    case 'sigmoid': return (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    case 'tanh': return Math.tanh;
    case 'sin': return Math.sin;
    case 'cos': return Math.cos;
    case 'floor': return Math.floor;
    case 'ceil': return Math.ceil;
    case 'round': return roundHalfEven;
    case 'logicalNot': return (v) => (v === 0 ? 1 : 0);
    case 'clamp': {
      const lo = args[0] ?? -Infinity;
      const hi = args[1] ?? Infinity;
      return (v) => (v < lo ? lo : v > hi ? hi : v);
    }
  }
}

/** `op(x)` elementwise into a new array of `outDtype`. */
export function unaryKernel(op: UnaryOp, x: View, outDtype: DType, args: readonly number[] = []): TypedArray {
  const X = contiguousData(x);
  const out = allocArray(outDtype, X.length);
  const f = unaryFn(op, args);
  for (let i = 0; i < X.length; i++) out[i] = f(X[i]);
  return out;
}

function binaryFn(op: BinaryOp, outDtype: DType): (a: number, b: number) => number {
  // The activation gradients round each step to float32 as the composite ops (and PyTorch) do.
  const r = outDtype === 'float32' ? Math.fround : (v: number): number => v;
  switch (op) {
    case 'tanhBackward': return (a, b) => r(a * r(1 - r(b * b)));
    case 'sigmoidBackward': return (a, b) => r(a * r(b * r(1 - b)));
    case 'reluBackward': return (a, b) => (b <= 0 ? 0 : a);
    case 'add': return (a, b) => a + b;
    case 'sub': return (a, b) => a - b;
    case 'mul': return (a, b) => a * b;
    case 'div': return (a, b) => a / b;
    case 'pow': return Math.pow;
    // NaN wins, as in PyTorch.
    case 'maximum': return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case 'minimum': return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
    case 'eq': return (a, b) => (a === b ? 1 : 0);
    case 'ne': return (a, b) => (a !== b ? 1 : 0);
    case 'lt': return (a, b) => (a < b ? 1 : 0);
    case 'le': return (a, b) => (a <= b ? 1 : 0);
    case 'gt': return (a, b) => (a > b ? 1 : 0);
    case 'ge': return (a, b) => (a >= b ? 1 : 0);
    case 'logicalAnd': return (a, b) => (a !== 0 && b !== 0 ? 1 : 0);
    case 'logicalOr': return (a, b) => (a !== 0 || b !== 0 ? 1 : 0);
  }
}

/** `op(a, b)` elementwise over two views of one shape into a new array of `outDtype`. */
export function binaryKernel(op: BinaryOp, a: View, b: View, outDtype: DType): TypedArray {
  const f = binaryFn(op, outDtype);
  const sb = broadcastScalar(b);
  const A = contiguousData(a);
  const out = allocArray(outDtype, A.length);
  // Integer division truncates toward zero only when the op layer asks for an integer result.
  const trunc = op === 'div' && outDtype === 'int32';
  if (sb !== undefined) {
    // A tensor-with-scalar op (x * 2) skips materialising the broadcast operand.
    for (let i = 0; i < A.length; i++) out[i] = f(A[i], sb);
  } else {
    const B = contiguousData(b);
    if (op === 'add') for (let i = 0; i < A.length; i++) out[i] = A[i] + B[i];
    else if (op === 'mul') for (let i = 0; i < A.length; i++) out[i] = A[i] * B[i];
    else for (let i = 0; i < A.length; i++) out[i] = f(A[i], B[i]);
  }
  if (trunc) for (let i = 0; i < out.length; i++) out[i] = Math.trunc(out[i]);
  return out;
}

/** `cond ? a : b` elementwise. */
export function whereKernel(cond: View, a: View, b: View, outDtype: DType): TypedArray {
  const C = contiguousData(cond);
  const A = contiguousData(a);
  const B = contiguousData(b);
  const out = allocArray(outDtype, C.length);
  for (let i = 0; i < C.length; i++) out[i] = C[i] !== 0 ? A[i] : B[i];
  return out;
}
