/**
 * The Tensor: a strided view onto a backend's storage, plus the fields autograd needs.
 * Operations (add, matmul, sum…) are attached as methods by the ops layer; backward by autograd.
 * @module
 */
import type { Backend, Storage, View } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { isFloating } from './dtype.js';
import { contiguousStrides, numel, normalizeDim, type Shape } from './shape.js';
import { formatTensor } from './format.js';

/** Nested arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | boolean | NestedArray[];

/** A node of the backward graph: the op that produced a tensor and how to send its gradient back. */
export interface GradNode {
  /** PyTorch-style name, e.g. `MulBackward0`. */
  readonly name: string;
  /** The op's inputs that take part in autograd, in order (null where an input needs no grad). */
  readonly inputs: readonly (Tensor | null)[];
  /** Maps the gradient of this node's output to gradients of its inputs. */
  apply(grad: Tensor): (Tensor | null)[];
  /** Drops saved tensors once backward has run (unless the graph is retained). */
  release(): void;
  /** True once {@link GradNode.release} has run. */
  readonly released: boolean;
}

/** A multi-dimensional array of numbers with optional gradient tracking, like `torch.Tensor`. */
export class Tensor {
  /** The memory this tensor views. Several tensors may share one storage. */
  readonly storage: Storage;
  /** Sizes of each dim. */
  readonly shape: readonly number[];
  /** Elements to skip in storage per step along each dim. */
  readonly strides: readonly number[];
  /** Index of element [0,…,0] in storage. */
  readonly offset: number;
  /** Accumulated gradient after `backward()`, for leaves that require grad (and tensors that `retainGrad()`). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for a leaf. */
  gradFn: GradNode | null = null;
  /** True when a non-leaf keeps its `.grad` (see {@link Tensor.retainGrad}). */
  retainsGrad = false;
  private _requiresGrad = false;

  /** Wraps a storage; most code should use the creation functions (`tensor`, `zeros`, …) instead. */
  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    // Frozen arrays (another tensor's shape or strides) are shared as they are: copying them was a
    // visible part of every op's cost.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.strides = strides === undefined ? Object.freeze(contiguousStrides(shape)) : Object.isFrozen(strides) ? strides : Object.freeze([...strides]);
    this.offset = offset;
  }

  /** Element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }

  /** The backend that owns this tensor's memory. */
  get backend(): Backend {
    return this.storage.backend;
  }

  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dims (PyTorch's `dim()`). */
  dim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    return numel(this.shape);
  }

  /** The shape, or the size of one dim. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    return this.shape[normalizeDim('size', dim, this.shape)];
  }

  /** Whether gradients flow to this tensor. Only floating tensors can require grad. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloating(this.dtype)) {
      throw new Error(`requiresGrad: only floating-point tensors can require gradients, this one is ${this.dtype} [${this.shape.join(',')}]`);
    }
    if (!value && this.gradFn !== null) {
      throw new Error(`requiresGrad: can only change the flag of leaf tensors; this one comes from ${this.gradFn.name} (use detach())`);
    }
    this._requiresGrad = value;
  }

  /** Sets `requiresGrad` in place and returns this tensor, like `requires_grad_()`. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** True for tensors made by the user (no `gradFn`). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Keeps `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error("retainGrad: can't retain the grad of a tensor that doesn't require grad");
    if (!this.isLeaf) this.retainsGrad = true;
    return this;
  }

  /** How kernels see this tensor. */
  view_(): View {
    return this;
  }

  /** True when elements are laid out row-major with no gaps. */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  /** The elements, row-major, as a new typed array. */
  dataSync(): TypedArray {
    return this.backend.read(this);
  }

  /** Same as {@link Tensor.dataSync}; mirrors TensorFlow.js's async reader for code that awaits. */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** The elements as nested arrays (a number for a 0-d tensor; booleans for bool), like `tolist()`. */
  toArray(): NestedArray {
    const data = this.dataSync();
    const flat: ArrayLike<number | boolean> = this.dtype === 'bool' ? Array.from(data, (v) => v !== 0) : data;
    if (this.ndim === 0) return flat[0];
    let pos = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[d]; i++) out.push(d === this.ndim - 1 ? flat[pos++] : build(d + 1));
      return out;
    };
    return build(0);
  }

  /** The single element as a number; throws unless the tensor holds exactly one element. */
  item(): number {
    const n = this.numel();
    if (n !== 1) throw new Error(`item: a tensor with ${n} elements (shape [${this.shape.join(',')}]) cannot be converted to a number`);
    return this.dataSync()[0];
  }

  /** PyTorch-style printing: `tensor([[1., 2.], [3., 4.]], requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }

  /** Node's `console.log` uses this. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
