/**
 * The backend seam: the one interface through which ops reach kernels.
 *
 * A backend owns tensor memory (its {@link Storage}s) and runs kernels on it. Ops validate their
 * arguments, compute output shapes and dtypes, and call one kernel per primitive; autograd never
 * sees a backend. A faster backend (WebAssembly SIMD with a worker pool) implements the same
 * interface: its storages live in its own (shared) linear memory, and each kernel call is a whole
 * op, so the backend is free to split the work across threads inside the call.
 * @module
 */
import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';
import type { Conv2dGeometry, Pool2dWindows } from './conv_shape.js';

/** A block of elements owned by a backend. Tensors are strided views onto storages. */
export interface Storage {
  /** The backend that owns this memory. */
  readonly backend: Backend;
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** Bumped by every in-place write, so autograd can tell a saved tensor was changed. */
  version: number;
  /**
   * Optional: when it was made, from {@link nextStorageSerial}. Autograd hands a gradient whose
   * storage a backward rule has just made to a leaf's `.grad` without copying it.
   */
  readonly serial?: number;
}

let storageSerial = 0;

/** A serial for a storage being made now: larger than every earlier one's. */
export function nextStorageSerial(): number {
  return ++storageSerial;
}

/** The serial of the storage made last: storages made after this call have larger ones. */
export function lastStorageSerial(): number {
  return storageSerial;
}

/** How a kernel sees an input: a strided window onto a storage (broadcast dims have stride 0). */
export interface View {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Elementwise functions of one argument. `clamp` takes [min, max]. */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'log1p' | 'sqrt' | 'abs' | 'sign' | 'relu' | 'sigmoid' | 'tanh'
  | 'sin' | 'cos' | 'floor' | 'ceil' | 'round' | 'logicalNot' | 'clamp';

/** Elementwise functions of two same-shaped arguments; comparisons produce bool. */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  // Activation gradients from (grad a, forward output b), as PyTorch's *_backward kernels:
  // a·(1 − b·b), a·(b·(1 − b)), and a where b > 0 (0 where b ≤ 0; a NaN output passes a).
  | 'tanhBackward' | 'sigmoidBackward' | 'reluBackward'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr';

/** Reductions over a set of dims. `argmax`/`argmin` reduce exactly one dim and yield int32 indices. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/** Hyper-parameters of one fused SGD update ({@link Backend.sgdStep}), as `optim.SGD` holds them. */
export interface SgdStepHyper {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  /** The momentum buffer is new: it starts at the (decayed) gradient itself. */
  readonly first: boolean;
}

/**
 * Hyper-parameters of one fused Adam or AdamW update ({@link Backend.adamStep}), as `optim.Adam` and
 * `optim.AdamW` hold them, plus the step count t (already incremented: 1 on the first step).
 */
export interface AdamStepHyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
  /** AdamW: decoupled weight decay θ·(1 − γλ) instead of λθ added to the gradient (Adam). */
  readonly decoupled: boolean;
  /** The step count t, from which the bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ are computed. */
  readonly step: number;
}

/** The float64 scalars of one Adam update ({@link Backend.adamStep}); a kernel rounds each once to its dtype. */
export interface AdamStepScalars {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** −γ / (1 − β₁ᵗ). */
  negStepSize: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
  eps: number;
  /** λ (Adam's L2 term). */
  weightDecay: number;
  /** 1 − γλ (AdamW's decay factor). */
  decay: number;
}

/**
 * The scalars of an Adam step, computed exactly as `optim/adam.ts`'s unfused ops compute them
 * (same float64 expressions), so every fused kernel rounds the same values.
 */
export function adamStepScalars(h: AdamStepHyper): AdamStepScalars {
  const biasCorrection1 = 1 - h.beta1 ** h.step;
  const biasCorrection2 = 1 - h.beta2 ** h.step;
  return {
    beta1: h.beta1,
    oneMinusBeta1: 1 - h.beta1,
    beta2: h.beta2,
    oneMinusBeta2: 1 - h.beta2,
    negStepSize: -(h.lr / biasCorrection1),
    biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
    eps: h.eps,
    weightDecay: h.weightDecay,
    decay: 1 - h.lr * h.weightDecay,
  };
}

/** Bytes and storages a backend currently holds. */
export interface MemoryInfo {
  /** Bytes of live storage (as far as the backend can tell). */
  bytes: number;
  /** Number of live storages. */
  storages: number;
}

/**
 * What every backend provides. Outputs are fresh, contiguous storages of `numel(outShape)`
 * elements; inputs are views that a kernel must not write (except `copy`'s and `fill`'s `dst`).
 */
export interface Backend {
  /** Short name used by `setBackend` and in errors, e.g. `'js'`. */
  readonly name: string;
  /** A zero-filled storage. */
  alloc(dtype: DType, size: number): Storage;
  /**
   * Optional: a storage whose contents are unspecified, for outputs that are overwritten entirely
   * (copies, casts, concatenations): it skips {@link Backend.alloc}'s zero fill.
   */
  empty?(dtype: DType, size: number): Storage;
  /** A storage holding a copy of `data`. */
  fromArray(data: TypedArray): Storage;
  /** The view's elements, row-major, copied into a new typed array of the storage's dtype. */
  read(view: View): TypedArray;
  /** Writes `src`'s elements into the region `dst` describes (same shape; dtypes may differ). */
  copy(src: View, dst: View): void;
  /** Sets every element of `dst` to `value`. */
  fill(dst: View, value: number): void;
  /** Elementwise `op(x)`, computed in the wider precision and stored as `outDtype`. */
  unary(op: UnaryOp, x: View, outDtype: DType, args?: readonly number[]): Storage;
  /** Elementwise `op(a, b)` of two views of the same shape. */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage;
  /** `cond ? a : b` elementwise over three views of one shape. */
  where(cond: View, a: View, b: View, outDtype: DType): Storage;
  /** Reduces `dims` (sorted, unique) away; the output has `x.shape` without those dims. */
  reduce(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): Storage;
  /**
   * Batched `a @ b`: a is [...B, M, K], b is [...B, K, N] with equal batch dims; out is [...B, M, N].
   * With `init` (a view of out's shape, broadcast dims at stride 0), out = init + a @ b: the GEMM's
   * accumulate epilogue, which adds a bias without a second pass (addmm, Linear).
   */
  matmul(a: View, b: View, outDtype: DType, init?: View): Storage;
  /** `out[..i..] = x[..index[..i..]..]` along `dim`; `index` is int32, already bounds-checked. */
  gather(x: View, dim: number, index: View): Storage;
  /** A copy of `self` with `src` added at `index` along `dim` (index already bounds-checked). */
  scatterAdd(self: View, dim: number, index: View, src: View): Storage;
  /** Softmax (or log-softmax) along `dim`, subtracting the max first for stability. */
  softmax(x: View, dim: number, log: boolean): Storage;
  /**
   * Unfolds image patches (im2col, PyTorch's `unfold`): x [N, C, H, W] → [N, C·kH·kW, outH·outW].
   * Row (c·kH + i)·kW + j, column oh·outW + ow holds x[n, c, oh·sH − padTop + i·dH, ow·sW − padLeft + j·dW],
   * or 0 where that falls outside the image. A convolution is then one matmul with the weight.
   */
  im2col(x: View, geometry: Conv2dGeometry): Storage;
  /**
   * The adjoint of im2col (col2im, PyTorch's `fold`): cols [N, C·kH·kW, outH·outW] → [N, C, H, W],
   * summing the taps that land on one pixel and dropping those outside the image.
   */
  col2im(cols: View, geometry: Conv2dGeometry): Storage;
  /**
   * Optional: im2col with the batch folded into the columns, x [N, C, H, W] → [C·kH·kW, N·outH·outW]
   * (row as in {@link Backend.im2col}, column n·outH·outW + oh·outW + ow), so that a convolution of the
   * whole batch is one matmul. Ops fall back to `im2col` and a permuted copy where it is missing.
   */
  im2colBatched?(x: View, geometry: Conv2dGeometry): Storage;
  /**
   * Optional: the adjoint of {@link Backend.im2colBatched}, cols [C·kH·kW, batch·outH·outW] →
   * [batch, C, H, W], summing overlapping taps.
   */
  col2imBatched?(cols: View, geometry: Conv2dGeometry, batch: number): Storage;
  /**
   * Optional: a convolution (groups 1) as one implicit GEMM over batch-folded columns, weight
   * [O, C, kH, kW] ⋆ x [N, C, H, W] (+ `bias` [O] per channel, added to each finished sum as a
   * separate broadcast add rounds) → `output` [N, O, outH, outW]: the product `weight @
   * im2colBatched(x)`, the columns built piece by piece in cache rather than written whole and read
   * back. With `keepColumns` (the weight gradient will need them) it also returns them as
   * `im2colBatched` would, unless its {@link Backend.conv2dFoldedWeightGrad} takes this convolution
   * (then `columns` is null). Returns null when the backend has no kernel for these operands.
   */
  conv2dFolded?(x: View, weight: View, geometry: Conv2dGeometry, bias: View | null, keepColumns: boolean): { output: Storage; columns: Storage | null } | null;
  /**
   * Optional: the weight gradient of {@link Backend.conv2dFolded} from its output gradient `grad`
   * [O, N·outH·outW], grad @ im2colBatched(x)ᵀ → [O, C·kH·kW], the columns built piece by piece in
   * cache and never stored. Returns null when the backend has no kernel for these operands.
   */
  conv2dFoldedWeightGrad?(grad: View, x: View, geometry: Conv2dGeometry): Storage | null;
  /**
   * Optional: the input gradient of a convolution (groups 1) weight [O, C, kH, kW] ⋆ x over `batch`
   * images, from its output gradient in the batch-folded layout `grad` [O, batch·outH·outW]:
   * col2im(weightᵀ @ grad), [batch, C, H, W], computed without the column gradient (e.g. as the
   * full convolution of grad with the flipped weights). Returns null when the backend has no kernel
   * for these operands.
   */
  conv2dInputGrad?(grad: View, weight: View, geometry: Conv2dGeometry, batch: number): Storage | null;
  /**
   * Optional: a convolution (groups 1) of large images, weight [O, C, kH, kW] ⋆ x [N, C, H, W]
   * (+ `bias` [O] per channel, added to each finished sum as a separate broadcast add rounds) →
   * [N, O, outH, outW], one image at a time: each image's columns (im2col) are built, or packed for
   * the GEMM straight from the image, in cache and used there, never written out for the whole
   * batch. The same sums as `weight @ im2col(x)` per image. Returns null when the backend has no
   * kernel for these operands.
   */
  conv2dImages?(x: View, weight: View, geometry: Conv2dGeometry, bias: View | null): Storage | null;
  /**
   * Optional: the input gradient of {@link Backend.conv2dImages} from its output gradient `grad`
   * [N, O, outH, outW]: col2im(weightᵀ @ grad[n]) per image → [N, C, H, W], within float32 rounding
   * (the sums may run in another order, e.g. as the convolution of grad with the flipped weights at
   * stride 1), with no column gradient written out for the batch. Returns null when the backend has
   * no kernel for these operands.
   */
  conv2dImagesInputGrad?(grad: View, weight: View, geometry: Conv2dGeometry): Storage | null;
  /**
   * Optional: the weight gradient of {@link Backend.conv2dImages}: Σₙ grad[n] @ im2col(x[n])ᵀ →
   * [O, C·kH·kW] within float32 rounding, each image's columns rebuilt in cache, and the same bits
   * whatever the thread count. Returns null when the backend has no kernel for these operands.
   */
  conv2dImagesWeightGrad?(grad: View, x: View, geometry: Conv2dGeometry): Storage | null;
  /**
   * Optional: a convolution of single-channel images (groups 1), weight [O, 1, kH, kW] ⋆ x [N, 1, H, W]
   * → [N, O, outH, outW], computed directly from the image (a first layer on grayscale input: the
   * columns of im2col are only shifted copies of it), plus `bias` [O] per channel when given (added
   * to each finished sum, as a separate broadcast add would round it). Returns null when not supported.
   */
  conv2dSingleChannel?(x: View, weight: View, geometry: Conv2dGeometry, bias: View | null): Storage | null;
  /**
   * Optional: the gradients of {@link Backend.conv2dSingleChannel} from grad [N, O, outH, outW]: the
   * weight's [O, 1, kH, kW] and, with `withBias`, the bias's [O] (grad summed per channel, in the same
   * pass over grad). Returns null when not supported.
   */
  conv2dSingleChannelWeightGrad?(grad: View, x: View, geometry: Conv2dGeometry, withBias: boolean): { weight: Storage; bias: Storage | null } | null;
  /**
   * Max pooling: x [N, C, H, W] → [values, indices], both [N, C, outH, outW], where output (oh, ow)
   * is the max over the rows/cols of `windows` (negative ones are padding and skipped) and its
   * index is h·W + w within the plane (int32). NaN wins, as in PyTorch; ties keep the first.
   */
  maxPool2d(x: View, windows: Pool2dWindows): [Storage, Storage];
  /**
   * Optional: average pooling of x [N, C, H, W] straight over the image: out [N, C, outH, outW] =
   * (sum of the window's pixels inside the image, padding adding zeros) / divisors[oh·outW + ow].
   * `geometry` is the window's (dilation 1). Ops fall back to im2col, sum and divide without it.
   */
  avgPool2d?(x: View, geometry: Conv2dGeometry, divisors: Float64Array): Storage;
  /** Optional: the adjoint of {@link Backend.avgPool2d}: grad [N, C, outH, outW] → [N, C, H, W]. */
  avgPool2dBackward?(grad: View, geometry: Conv2dGeometry, divisors: Float64Array): Storage;
  /**
   * Optional: one SGD update of a parameter in place, fused (PyTorch's `_single_tensor_sgd`):
   * d = ±g + λθ; b = first ? d : μb + (1 − τ)d; d = nesterov ? d + μb : b; θ = θ − γd, with every
   * product and sum rounded to the dtype in that order, so the result equals the unfused ops bit
   * for bit. `param`, `grad` and `momentumBuffer` (null without momentum) are contiguous views of
   * one shape and dtype; returns false (having written nothing) when the backend cannot do it.
   */
  sgdStep?(param: View, grad: View, momentumBuffer: View | null, hyper: SgdStepHyper): boolean;
  /**
   * Optional: batch normalisation's training forward in one kernel (PyTorch's `native_batch_norm`
   * with batch statistics). x is [N, C, ...] of a floating dtype; `weight` and `bias` are [C] of
   * the same dtype, or null (1 and 0). Per channel c (dim 1), over the M = numel/C values of every
   * other dim: mean μ, biased variance σ², invstd = 1/√(σ² + eps); output = (x − μ)·invstd·w + b.
   * Returns [output (x's shape, contiguous), mean [C], invstd [C], variance [C]] in x's dtype, with
   * sums accumulated in float64; null when the backend cannot do it (the op then composes it).
   */
  batchNorm?(x: View, weight: View | null, bias: View | null, eps: number): [Storage, Storage, Storage, Storage] | null;
  /**
   * Optional: the gradient of {@link Backend.batchNorm}'s output, from its saved mean and invstd:
   * with x̂ = (x − μ)·invstd, dweight = Σ dy·x̂ and dbias = Σ dy per channel ([C]), and, when
   * `inputGrad`, dx = (w·invstd/M)·(M·dy − Σdy − x̂·Σ(dy·x̂)) (x's shape). Returns
   * [dx or null, dweight, dbias]; null when the backend cannot do it.
   */
  batchNormBackward?(grad: View, x: View, mean: View, invstd: View, weight: View | null, inputGrad: boolean): [Storage | null, Storage, Storage] | null;
  /**
   * Optional: one Adam (or, with `decoupled`, AdamW) update of a parameter in place, fused
   * (PyTorch's `_single_tensor_adam` / `_single_tensor_adamw`), equal bit for bit to the unfused ops
   * in `optim/adam.ts`. Scalars are computed in float64 and then rounded once to the dtype, as a
   * number operand of an op is: bc₁ = 1 − β₁ᵗ, bc₂ = 1 − β₂ᵗ, s = −(γ / bc₁), r = √bc₂, and
   * k = 1 − γλ, 1 − β₁, 1 − β₂ (each written as its own scalar). Per element, with every product,
   * quotient, square root and sum rounded to the dtype in this order:
   * ```text
   * g ← maximize ? −g : g
   * Adam:   if λ ≠ 0: g ← g + θ·λ          AdamW: θ ← θ·k
   * m ← m·β₁ + g·(1 − β₁)
   * v ← v·β₂ + (g·(1 − β₂))·g
   * amsgrad: v̂ ← max(v̂, v) (NaN wins), u = v̂; else u = v
   * θ ← θ + (m·s) / (√u / r + ε)
   * ```
   * `param`, `grad`, `expAvg`, `expAvgSq` and `maxExpAvgSq` (null without AMSGrad) are contiguous
   * views of one shape and dtype; returns false (having written nothing) when the backend cannot do it.
   */
  adamStep?(param: View, grad: View, expAvg: View, expAvgSq: View, maxExpAvgSq: View | null, hyper: AdamStepHyper): boolean;
  /** Frees a storage now rather than when it is collected (optional for garbage-collected backends). */
  release(storage: Storage): void;
  /**
   * Called when a storage made inside a `tidy` outlives every enclosing tidy (returned from the
   * outermost one, or kept): from now on only the backend's own reclamation (a finaliser) frees
   * it. Backends that defer that registration for tidied storages register it here.
   */
  escape?(storage: Storage): void;
  /** What the backend holds now. */
  memory(): MemoryInfo;
}

const registry = new Map<string, () => Backend>();
const instances = new Map<string, Backend>();
let current: string | null = null;

/** Makes a backend available to `setBackend` under `name`; the first registered becomes the default. */
export function registerBackend(name: string, factory: () => Backend): void {
  registry.set(name, factory);
  if (current === null) current = name;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...registry.keys()];
}

/** Chooses the backend new tensors are created on. */
export function setBackend(name: string): void {
  if (!registry.has(name)) {
    throw new Error(`setBackend: unknown backend '${name}' (registered: ${listBackends().join(', ') || 'none'})`);
  }
  current = name;
}

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  if (current === null) throw new Error('getBackend: no backend is registered');
  let b = instances.get(current);
  if (!b) {
    b = registry.get(current)!();
    instances.set(current, b);
  }
  return b;
}

/** The name of the current backend. */
export function getBackendName(): string {
  return getBackend().name;
}

/** A storage for an output that will be overwritten entirely: {@link Backend.empty} where there is one. */
export function allocForOverwrite(backend: Backend, dtype: DType, size: number): Storage {
  return backend.empty ? backend.empty(dtype, size) : backend.alloc(dtype, size);
}
