/**
 * Creating tensors: from data, filled, ranges, identity and random draws.
 * Random creators draw from the default generator, so `manualSeed(n)` fixes them.
 * @module
 */
import { getBackend } from './backend.js';
import { allocArray, checkDType, dtypeOfArray, type DType, type TypedArray } from './dtype.js';
import { defaultGenerator, type Generator } from './random.js';
import { checkShape, fmtShape, numel, type Shape } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';

/** Options shared by the creation functions. */
export interface CreateOptions {
  /** Element type; float32 unless said otherwise. */
  dtype?: DType;
  /** Track gradients for this new leaf tensor. */
  requiresGrad?: boolean;
}

/** Options of {@link tensor}. */
export interface TensorOptions extends CreateOptions {
  /** Shape for flat data (a typed array or flat list); nested arrays carry their own shape. */
  shape?: Shape;
}

/** Options of the random creators. */
export interface RandomOptions extends CreateOptions {
  /** Generator to draw from (the default generator otherwise). */
  generator?: Generator;
}

/** Wraps a typed array (copied) of the given shape as a new tensor. */
export function fromTypedArray(data: TypedArray, shape: Shape, options: CreateOptions = {}): Tensor {
  checkShape('tensor', shape);
  if (numel(shape) !== data.length) {
    throw new Error(`tensor: shape ${fmtShape(shape)} needs ${numel(shape)} elements, data has ${data.length}`);
  }
  let arr = data;
  if (options.dtype && options.dtype !== dtypeOfArray(data)) {
    arr = allocArray(checkDType('tensor', options.dtype), data.length);
    arr.set(data);
  }
  const t = new Tensor(getBackend().fromArray(arr), shape);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: NestedArray, path: string): number[] {
  if (!Array.isArray(data)) return [];
  if (data.length === 0) return [0];
  const inner = inferShape(data[0], `${path}[0]`);
  for (let i = 1; i < data.length; i++) {
    const s = inferShape(data[i], `${path}[${i}]`);
    if (s.length !== inner.length || s.some((v, j) => v !== inner[j])) {
      throw new Error(`tensor: ragged nested array: ${path}[${i}] has shape ${fmtShape(s)}, ${path}[0] has ${fmtShape(inner)}`);
    }
  }
  return [data.length, ...inner];
}

function flatten(data: NestedArray, out: number[]): boolean {
  let sawBool = false;
  if (Array.isArray(data)) {
    for (const d of data) sawBool = flatten(d, out) || sawBool;
  } else if (typeof data === 'boolean') {
    out.push(data ? 1 : 0);
    sawBool = true;
  } else if (typeof data === 'number') {
    out.push(data);
  } else {
    throw new Error(`tensor: expected numbers, booleans or nested arrays, got ${typeof data}`);
  }
  return sawBool;
}

/**
 * Creates a tensor from nested arrays, a number, or a typed array (with `options.shape`).
 * Numbers give float32 (JavaScript cannot tell `1` from `1.0`; pass `dtype: 'int32'` for integers),
 * booleans give bool, typed arrays keep their own dtype.
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    return fromTypedArray(data, options.shape ?? [data.length], options);
  }
  const shape = inferShape(data, 'data');
  const flat: number[] = [];
  const sawBool = flatten(data, flat);
  const dtype = options.dtype ? checkDType('tensor', options.dtype) : sawBool ? 'bool' : 'float32';
  const arr = allocArray(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) arr[i] = flat[i];
  return fromTypedArray(arr, options.shape ?? shape, options);
}

/** Splits `(2, 3)`, `([2, 3])` and `([2, 3], {…})` call styles into a shape and options. */
function shapeArgs<O>(op: string, args: readonly (number | Shape | O | undefined)[]): { shape: number[]; options: O } {
  let options = {} as O;
  const rest = [...args];
  const last = rest[rest.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    options = last as O;
    rest.pop();
  }
  while (rest.length && rest[rest.length - 1] === undefined) rest.pop();
  const shape = rest.length === 1 && Array.isArray(rest[0]) ? [...(rest[0] as Shape)] : (rest as number[]);
  checkShape(op, shape);
  return { shape, options };
}

/** Arguments of the filled and random creators: `(2, 3)` or `([2, 3], options)`. */
export type ShapeArgs<O> = [Shape, O?] | number[];

function filled(op: string, shape: Shape, value: number, options: CreateOptions): Tensor {
  const dtype = checkDType(op, options.dtype ?? 'float32');
  const backend = getBackend();
  const storage = backend.alloc(dtype, numel(shape));
  const t = new Tensor(storage, shape);
  if (value !== 0) backend.fill(t, value);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor of zeros: `zeros(2, 3)` or `zeros([2, 3], { dtype })`. */
export function zeros(...args: ShapeArgs<CreateOptions>): Tensor {
  const { shape, options } = shapeArgs<CreateOptions>('zeros', args);
  return filled('zeros', shape, 0, options);
}

/** A tensor of ones. */
export function ones(...args: ShapeArgs<CreateOptions>): Tensor {
  const { shape, options } = shapeArgs<CreateOptions>('ones', args);
  return filled('ones', shape, 1, options);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  checkShape('full', shape);
  return filled('full', shape, value, options);
}

/** Zeros shaped like `t` (and of its dtype unless given). */
export function zerosLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return filled('zerosLike', t.shape, 0, { dtype: t.dtype, ...options });
}

/** Ones shaped like `t`. */
export function onesLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return filled('onesLike', t.shape, 1, { dtype: t.dtype, ...options });
}

/** `value` shaped like `t`. */
export function fullLike(t: Tensor, value: number, options: CreateOptions = {}): Tensor {
  return filled('fullLike', t.shape, value, { dtype: t.dtype, ...options });
}

/**
 * Values from `start` to `end` (exclusive) by `step`: `arange(5)`, `arange(1, 4)`, `arange(0, 1, 0.25)`.
 * Integer arguments give int32, as PyTorch gives an integer tensor.
 */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  if ((end - start) / step < 0) throw new Error(`arange: step ${step} goes away from end (start ${start}, end ${end})`);
  const n = Math.ceil((end - start) / step);
  const integral = [start, end, step].every(Number.isInteger);
  const dtype = options.dtype ?? (integral ? 'int32' : 'float32');
  const arr = allocArray(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return fromTypedArray(arr, [n], { ...options, dtype });
}

/** `steps` evenly spaced values from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const arr = allocArray(options.dtype ?? 'float32', steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends, as PyTorch does, so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) arr[i] = i < half ? start + i * delta : end - (steps - 1 - i) * delta;
  if (steps === 1) arr[0] = start;
  return fromTypedArray(arr, [steps], options);
}

/** The n×m identity matrix (m defaults to n). */
export function eye(n: number, m = n, options: CreateOptions = {}): Tensor {
  checkShape('eye', [n, m]);
  const arr = allocArray(options.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return fromTypedArray(arr, [n, m], options);
}

function drawn(op: string, args: readonly (number | Shape | RandomOptions | undefined)[], draw: (g: Generator) => number): Tensor {
  const { shape, options } = shapeArgs<RandomOptions>(op, args);
  const g = options.generator ?? defaultGenerator;
  const arr = allocArray(options.dtype ?? 'float32', numel(shape));
  for (let i = 0; i < arr.length; i++) arr[i] = draw(g);
  return fromTypedArray(arr, shape, options);
}

/** Uniform draws from [0, 1). */
export function rand(...args: ShapeArgs<RandomOptions>): Tensor {
  return drawn('rand', args, (g) => g.random());
}

/** Standard normal draws. */
export function randn(...args: ShapeArgs<RandomOptions>): Tensor {
  return drawn('randn', args, (g) => g.normal());
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: Shape, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  return drawn('randint', [shape, { dtype: 'int32', ...options }], (g) => g.randint(low, high));
}

/** A random permutation of 0…n-1 (int32), by Fisher–Yates. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  const g = options.generator ?? defaultGenerator;
  const arr = allocArray(options.dtype ?? 'int32', n);
  for (let i = 0; i < n; i++) arr[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return fromTypedArray(arr, [n], options);
}

/** Uniform draws shaped like `t`. */
export function randLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return rand([...t.shape], { dtype: t.dtype, ...options });
}

/** Normal draws shaped like `t`. */
export function randnLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return randn([...t.shape], { dtype: t.dtype, ...options });
}

/** A 0-d tensor holding `value`, on the same backend as new tensors. */
export function scalarTensor(value: number, dtype: DType = 'float32'): Tensor {
  const arr = allocArray(dtype, 1);
  arr[0] = value;
  return fromTypedArray(arr, []);
}
