/**
 * Reductions over one, several or all dims, with `keepdim`, and their gradients.
 * @module
 */
import type { ReduceOp } from '../core/backend.js';
import { isFloating, type DType } from '../core/dtype.js';
import { fmtShape, normalizeDim, normalizeDims, numel } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { detach, expand, reshape, squeeze } from './view.js';
import { add, div, eq, exp, log, mul, sqrt, sub, to, where } from './elementwise.js';
import { record, wrap } from './helpers.js';
import { gather } from './indexing.js';

/** A dim, a list of dims, or undefined for all dims. */
export type Dims = number | readonly number[] | undefined;

function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, d) => (dims.includes(d) ? 1 : s));
}

function reduceKernel(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean, outDtype: DType): Tensor {
  const outShape = x.shape.filter((_, d) => !dims.includes(d));
  const out = wrap(x.backend.reduce(op, x, dims, outDtype), outShape);
  return keepdim ? reshape(out, keptShape(x.shape, dims)) : out;
}

/** Sum over `dim` (all dims when omitted). Integer and bool inputs sum to int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims('sum', dim, x.shape);
  const outDtype = isFloating(x.dtype) ? x.dtype : 'int32';
  const out = reduceKernel('sum', x, dims, keepdim, outDtype);
  // PyTorch names the full reduction SumBackward0 and the one over given dims SumBackward1.
  const name = dim === undefined ? 'SumBackward0' : 'SumBackward1';
  return record(name, out, [x], (g) => [expand(reshape(g, keptShape(x.shape, dims)), x.shape)]);
}

function checkFloat(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new Error(`${op}: needs a floating-point input, got ${x.dtype} ${fmtShape(x.shape)}; convert with .float()`);
  }
}

function countOf(x: Tensor, dims: readonly number[]): number {
  return numel(dims.map((d) => x.shape[d]));
}

/** Mean over `dim` (all dims when omitted). */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkFloat('mean', x);
  const dims = normalizeDims('mean', dim, x.shape);
  return div(sum(x, dims, keepdim), countOf(x, dims));
}

function extremeValues(op: 'max' | 'min', x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const name = op === 'max' ? 'amax' : 'amin';
  if (x.numel() === 0) throw new Error(`${name}: cannot reduce an empty tensor ${fmtShape(x.shape)}`);
  const dims = normalizeDims(name, dim, x.shape);
  const out = reduceKernel(op, x, dims, keepdim, x.dtype);
  // The gradient is shared evenly among the elements that reach the extreme (as PyTorch's amax).
  return record(op === 'max' ? 'AmaxBackward0' : 'AminBackward0', out, [x], (g, [sx, so]) => {
    const shape = keptShape(x.shape, dims);
    const hit = to(eq(sx, reshape(so, shape)), g.dtype);
    return [div(mul(hit, reshape(g, shape)), sum(hit, dims, true))];
  }, [x, out]);
}

/** Maximum over `dim` (all dims when omitted), values only, like `torch.amax`. */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremeValues('max', x, dim, keepdim);
}

/** Minimum over `dim` (all dims when omitted), values only, like `torch.amin`. */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremeValues('min', x, dim, keepdim);
}

/** Values and positions of the extremes along one dim, as `torch.max(x, dim)` returns. */
export interface ValuesIndices {
  /** The extreme values. */
  values: Tensor;
  /** Their positions along the dim (int32). */
  indices: Tensor;
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (x.numel() === 0) throw new Error(`${op}: cannot reduce an empty tensor ${fmtShape(x.shape)}`);
  if (dim === undefined) {
    const flat = reshape(x, [-1]);
    const out = reduceKernel(op, flat, [0], false, 'int32');
    return keepdim ? reshape(out, x.shape.map(() => 1)) : out;
  }
  return reduceKernel(op, x, [normalizeDim(op, dim, x.shape)], keepdim, 'int32');
}

/** Index of the maximum (over the flattened tensor when `dim` is omitted); first of ties. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('argmax', x, dim, keepdim);
}

/** Index of the minimum (over the flattened tensor when `dim` is omitted); first of ties. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('argmin', x, dim, keepdim);
}

/** `torch.max(x, dim)`: the maxima along `dim` and their indices; the gradient goes to those indices. */
export function maxDim(x: Tensor, dim: number, keepdim = false): ValuesIndices {
  const d = normalizeDim('max', dim, x.shape);
  const idx = argExtreme('argmax', x, d, true);
  const values = gather(x, d, idx);
  return keepdim ? { values, indices: idx } : { values: squeeze(values, d), indices: squeeze(idx, d) };
}

/** `torch.min(x, dim)`: the minima along `dim` and their indices. */
export function minDim(x: Tensor, dim: number, keepdim = false): ValuesIndices {
  const d = normalizeDim('min', dim, x.shape);
  const idx = argExtreme('argmin', x, d, true);
  const values = gather(x, d, idx);
  return keepdim ? { values, indices: idx } : { values: squeeze(values, d), indices: squeeze(idx, d) };
}

/** Options of {@link variance} and {@link std}. */
export interface VarOptions {
  /** Subtracted from the count in the denominator: 1 (default) is Bessel's unbiased estimate, 0 the population variance. */
  correction?: number;
  /** Older spelling: `unbiased: false` means `correction: 0`. */
  unbiased?: boolean;
  /** Keep reduced dims with size 1. */
  keepdim?: boolean;
}

/** Variance over `dim` (all dims when omitted): Σ(x − mean)² / (N − correction). */
export function variance(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  checkFloat('var', x);
  const dims = normalizeDims('var', dim, x.shape);
  const correction = options.correction ?? (options.unbiased === false ? 0 : 1);
  const centered = sub(x, mean(x, dims, true));
  const n = countOf(x, dims);
  return div(sum(mul(centered, centered), dims, options.keepdim ?? false), Math.max(n - correction, 0));
}

/** Standard deviation: the square root of {@link variance}. */
export function std(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  return sqrt(variance(x, dim, options));
}

/**
 * `log Σ exp(x)` over `dim`, stable for any magnitude: the max m is taken out first,
 * log Σ exp(x − m) + m, so exp never overflows (and m is treated as a constant: its gradient cancels).
 */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  checkFloat('logsumexp', x);
  const dims = normalizeDims('logsumexp', dim, x.shape);
  const raw = detach(amax(x, dims, true));
  // An all −∞ (or ±∞) slice would give ∞ − ∞; use 0 as the shift there.
  const m = where(eq(raw, Infinity), 0, where(eq(raw, -Infinity), 0, raw));
  const out = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? out : reshape(out, x.shape.filter((_, d) => !dims.includes(d)));
}

/** `torch.max`: of all elements, or along `dim` with indices. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? amax(x) : maxDim(x, dim, keepdim);
}

/** `torch.min`: of all elements, or along `dim` with indices. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? amin(x) : minDim(x, dim, keepdim);
}
