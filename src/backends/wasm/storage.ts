/**
 * Storages of the wasm backend: a block of the shared linear memory, released explicitly
 * (`dispose`, `tidy`) or, as a safety net, when the garbage collector finds no tensor viewing it.
 * @module
 */
import { nextStorageSerial, type Backend, type Storage, type View } from '../../core/backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { fmtShape } from '../../core/shape.js';

/** Bytes per element of each dtype. */
export const ELEMENT_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** What a storage's finaliser needs: the block, and whether it is still held. */
export interface Block {
  ptr: number;
  /** Bytes asked for (the allocator may have rounded up). */
  bytes: number;
  live: boolean;
}

/** Typed views over the whole memory, refreshed by the backend after the memory grows. */
export interface HeapViews {
  u8: Uint8Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
}

/** A storage in the wasm backend's linear memory. */
export class WasmStorage implements Storage {
  version = 0;
  /** {@inheritDoc Storage.serial} */
  readonly serial = nextStorageSerial();

  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly size: number,
    readonly block: Block,
    private readonly heap: { readonly views: HeapViews },
  ) {}

  /** Byte address of element 0. */
  get ptr(): number {
    return this.block.ptr;
  }

  /** True once released: any further use is an error. */
  get disposed(): boolean {
    return !this.block.live;
  }

  /**
   * The elements as a typed array over the linear memory (no copy). The reference kernels read and
   * write storages through `data`, which is how this backend runs them for dtypes and ops it has no
   * native kernel for. Valid until the memory grows.
   */
  get data(): TypedArray {
    if (!this.block.live) throw new Error(`wasm backend: a storage of ${this.size} ${this.dtype} elements was used after it was disposed`);
    const v = this.heap.views;
    const p = this.block.ptr;
    switch (this.dtype) {
      case 'float32': return v.f32.subarray(p >>> 2, (p >>> 2) + this.size);
      case 'float64': return v.f64.subarray(p >>> 3, (p >>> 3) + this.size);
      case 'int32': return v.i32.subarray(p >>> 2, (p >>> 2) + this.size);
      case 'bool': return v.u8.subarray(p, p + this.size);
    }
  }
}

/**
 * Checks that a kernel input lives on `backend` and has not been disposed, naming the op and the
 * backend, e.g. `add: tensor [2,3] was disposed (backend 'wasm')`.
 */
export function checkView(op: string, backend: Backend, v: View): WasmStorage {
  const s = v.storage;
  if (!(s instanceof WasmStorage) || s.backend !== backend) {
    throw new Error(`${op}: tensor ${fmtShape(v.shape)} lives on backend '${s.backend.name}', not '${backend.name}'; move it first`);
  }
  if (!s.block.live) throw new Error(`${op}: tensor ${fmtShape(v.shape)} was disposed (backend '${backend.name}')`);
  return s;
}
