/**
 * Op codes shared with the kernels (assembly/kernels/elementwise.ts and reduce.ts): keep in step.
 * @module
 */
import type { BinaryOp, ReduceOp, UnaryOp } from '../../core/backend.js';

/** Unary ops with a float32 kernel, and their codes. */
export const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, exp: 1, log: 2, log1p: 3, sqrt: 4, abs: 5, sign: 6, relu: 7, sigmoid: 8, tanh: 9,
  sin: 10, cos: 11, floor: 12, ceil: 13, round: 14, clamp: 16,
};

/** Estimated ns per element of each unary kernel (for the thread split). */
export function unaryCost(op: UnaryOp): number {
  // Measured on one thread over 301,056 floats (ns per element): exp 1.0, tanh 1.7, sigmoid 1.8,
  // log 2.2, sin and log1p 12–13, sqrt 0.75, abs/neg/relu 0.2–0.35.
  switch (op) {
    case 'exp': return 1;
    case 'tanh': case 'sigmoid': return 1.7;
    case 'log': return 2.2;
    case 'log1p': case 'sin': case 'cos': return 12;
    case 'sqrt': return 0.75;
    default: return 0.3;
  }
}

/** Binary op codes; codes ≥ {@link FIRST_COMPARISON} write bool. */
export const BINARY_CODES: Record<BinaryOp, number> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, tanhBackward: 7, sigmoidBackward: 8, reluBackward: 9,
  eq: 10, ne: 11, lt: 12, le: 13, gt: 14, ge: 15, logicalAnd: 16, logicalOr: 17,
};

/** The first binary code whose result is bool. */
export const FIRST_COMPARISON = 10;

/** Reduction codes. */
export const REDUCE_CODES: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3, argmax: 4, argmin: 5 };
