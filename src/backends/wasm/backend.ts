/**
 * The WebAssembly backend: tensor storage in one shared linear memory, SIMD kernels compiled from
 * AssemblyScript (assembly/), and a worker pool that computes on the same memory.
 *
 * Float32 has native kernels for every primitive (convolution's im2col/col2im and max pooling
 * included). Other dtypes (float64 for gradcheck, int32, bool)
 * and methods without a native kernel run the reference TypeScript kernels directly on this
 * backend's memory (a storage's `data` is a typed array over it); their results are copied in.
 * Any Backend method added later that this class does not define is bridged the same way, so a
 * kernel missing here is never an error, only slower.
 * @module
 */
import { availableParallelism } from 'node:os';
import { adamStepScalars, type AdamStepHyper, type Backend, type BinaryOp, type ReduceOp, type SgdStepHyper, type Storage, type UnaryOp, type View, type MemoryInfo } from '../../core/backend.js';
import type { Conv2dGeometry, Pool2dWindows } from '../../core/conv_shape.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { trackStorage } from '../../core/memory.js';
import { contiguousStrides, numel } from '../../core/shape.js';
import { JsBackend } from '../js/backend.js';
import { Allocator } from './allocator.js';
import {
  avgPool2dBackwardF32, avgPool2dF32, col2imF32, convFoldedF32, convInputGradF32, foldedWeightGradF32, hasFoldedWeightGrad, DIRECT_MAX_O, hasDirectInputGrad, hasDirectConv, hasImplicitConv, im2colF32, singleChannelConvF32, singleChannelWeightGradF32, maxPool2dF32,
} from './conv.js';
import { PARALLEL_MIN_NS, PART_MIN_NS, partBounds, PARTS_PER_THREAD, type WasmContext } from './context.js';
import { binaryF32, convertView, copySameDtype, fillView, hasConvertKernel, hasBinaryKernel, hasUnaryKernel, unaryF32, whereSelect } from './elementwise.js';
import { gatherAny, scatterAddF32 } from './indexing.js';
import { convImagesF32, convImagesInputGradF32, convImagesWeightGradF32, hasImageConv } from './conv_images.js';
import { compileKernels, instantiate, type KernelExports, type KernelVariant, type ParallelKernel } from './kernels.js';
import { coalesce, isContiguous, writeDescriptor } from './layout.js';
import { matmulF32 } from './matmul.js';
import { batchNormBackwardF32, batchNormF32 } from './norm.js';
import { ThreadPool } from './pool.js';
import { hasReduceKernel, reduceF32, softmaxF32 } from './reduce.js';
import { checkView, ELEMENT_BYTES, WasmStorage, type Block, type HeapViews } from './storage.js';
import { makeReclaimer } from './reclaim.js';
import { PAGE_BYTES, wasmApi, type WasmMemory } from './wasm_api.js';


/** Memory at start (16 MiB) and at most (4 GiB, the wasm32 limit), in pages. */
const INITIAL_PAGES = 256;
const MAXIMUM_PAGES = 65536;
const DESC_BYTES = 4096;
/** Bytes allocated since the last forced garbage collection before the memory may grow without one. */
const GC_AFTER_BYTES = 32 * 2 ** 20;

/**
 * Where the allocation counter stops: past 2^30 V8 stores the field as a heap number, a change of
 * the backend object's map that deoptimised ~25 functions at once (~200 LeNet-5 steps in, then
 * hundreds of steps in slower code until they were optimised again).
 */
const ALLOCATED_CAP = 2 ** 30 - 1;

/** Options of {@link WasmBackend}. */
export interface WasmBackendOptions {
  /** Which kernel build: 'auto' (relaxed SIMD where the engine has it) by default. */
  variant?: KernelVariant | 'auto';
  /** Threads, the calling one included; the number of cores by default. */
  threads?: number;
}

/** What {@link WasmBackend.memory} reports. */
export interface WasmMemoryInfo extends MemoryInfo {
  /** Bytes of linear memory reserved so far (it only grows). */
  heapBytes: number;
  /** Bytes in freed blocks waiting for reuse. */
  freeBytes: number;
}

/** The default thread count: GLUBINA_NUM_THREADS, else the number of cores. */
export function defaultThreads(): number {
  const env = Number(process.env.GLUBINA_NUM_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, availableParallelism());
}

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * Every Backend method is on the class: declared by this interface (merged with the class), and
 * bridged to the reference kernels at the bottom of this file when the class does not define it.
 */
export interface WasmBackend extends Backend {}

/** The WebAssembly SIMD backend, registered as `'wasm'`. */
export class WasmBackend implements WasmContext {
  /** {@inheritDoc Backend.name} */
  readonly name = 'wasm';
  /** {@inheritDoc WasmContext.backend} */
  readonly backend: Backend = this;
  /** {@inheritDoc WasmContext.kernels} */
  readonly kernels: KernelExports;
  /** Which build of the kernels runs: 'relaxed' (relaxed SIMD) or 'simd'. */
  readonly variant: KernelVariant;
  /** {@inheritDoc WasmContext.desc} */
  readonly desc: number;
  private readonly mem: WasmMemory;
  private heap: HeapViews;
  private readonly allocator: Allocator;
  private readonly pool: ThreadPool;
  private readonly reference = new JsBackend();
  private readonly scratchPtrs: number[] = [];
  private liveBytes = 0;
  private liveStorages = 0;
  private readonly reclaimer = makeReclaimer<Block>((block) => this.freeBlock(block));
  private allocatedSinceGc = 0;
  private liveAfterGc = 0;

  constructor(options: WasmBackendOptions = {}) {
    const env = process.env.GLUBINA_WASM_VARIANT;
    const preferred = options.variant ?? (env === 'simd' || env === 'relaxed' ? env : 'auto');
    const { module, variant } = compileKernels(preferred);
    this.variant = variant;
    this.mem = new wasmApi!.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.heap = this.makeViews();
    this.kernels = instantiate(module, this.mem);
    this.allocator = new Allocator(Math.max(this.kernels.dataEnd(), 1024), this.mem.buffer.byteLength, (min) => this.growBy(min), () => this.heap.i32);
    this.desc = this.allocator.alloc(DESC_BYTES);
    this.pool = new ThreadPool(module, this.mem, this.kernels);
    this.pool.setNumThreads(options.threads ?? defaultThreads());
  }

  // ----- memory -----

  /** {@inheritDoc WasmContext.views} */
  get views(): HeapViews {
    return this.heap;
  }

  private makeViews(): HeapViews {
    const buf = this.mem.buffer;
    return { u8: new Uint8Array(buf), i32: new Int32Array(buf), f32: new Float32Array(buf), f64: new Float64Array(buf) };
  }

  /** Grows the memory by at least `minBytes` (by a quarter of its size at least); returns the new end. */
  private growBy(minBytes: number): number {
    const have = this.mem.buffer.byteLength / PAGE_BYTES;
    const want = Math.min(MAXIMUM_PAGES - have, Math.max(Math.ceil(minBytes / PAGE_BYTES), Math.ceil(have / 4)));
    if (want > 0) {
      try {
        this.mem.grow(want);
      } catch {
        // The generous step was refused: try exactly what is needed (the allocator names a failure).
        try {
          this.mem.grow(Math.min(MAXIMUM_PAGES - have, Math.ceil(minBytes / PAGE_BYTES)));
        } catch {
          // Out of address space or RAM.
        }
      }
      this.heap = this.makeViews();
    }
    return this.mem.buffer.byteLength;
  }

  /** {@inheritDoc WasmContext.storage} */
  storage(dtype: DType, size: number, zero: boolean): WasmStorage {
    const bytes = size * ELEMENT_BYTES[dtype];
    if (!this.allocator.fits(bytes)) this.reclaim();
    const block: Block = { ptr: this.allocator.alloc(bytes), bytes, live: true };
    if (zero) this.kernels.zeroBytes(block.ptr, bytes);
    const s = new WasmStorage(this, dtype, size, block, this);
    this.liveBytes += bytes;
    this.liveStorages++;
    this.allocatedSinceGc = Math.min(this.allocatedSinceGc + bytes, ALLOCATED_CAP);
    // A storage inside a tidy gets its finaliser only if it escapes (see escape): most die with
    // their scope, and registering each cost ~5% of batch-1 inference plus garbage to collect.
    // No unregister token (V8 keeps a token table as large as its peak): a finaliser that finds
    // the block already freed does nothing.
    if (!trackStorage(s)) this.reclaimer.register(s, block);
    return s;
  }

  /** {@inheritDoc Backend.escape} */
  escape(storage: Storage): void {
    if (storage instanceof WasmStorage && storage.backend === this && !storage.disposed) this.reclaimer.register(storage, storage.block);
  }

  /**
   * Before the memory grows: free the storages the garbage collector has already found dead and,
   * when much has been allocated since the last collection, collect first. This bounds memory in
   * synchronous loops that never yield to the event loop (where finalisers would not run).
   */
  private reclaim(): void {
    this.reclaimer.cleanup();
    // Scale with what survived the last collection, so big live models are not collected too often.
    if (this.allocatedSinceGc >= Math.min(ALLOCATED_CAP, Math.max(GC_AFTER_BYTES, this.liveAfterGc)) && this.reclaimer.collect()) {
      this.allocatedSinceGc = 0;
      this.liveAfterGc = this.liveBytes;
    }
  }

  private freeBlock(block: Block): void {
    if (!block.live) return;
    block.live = false;
    this.allocator.release(block.ptr);
    this.liveBytes -= block.bytes;
    this.liveStorages--;
  }

  /** {@inheritDoc WasmContext.free} */
  free(s: WasmStorage): void {
    this.freeBlock(s.block);
  }

  /** {@inheritDoc WasmContext.check} */
  check(op: string, v: View): WasmStorage {
    return checkView(op, this, v);
  }

  /** {@inheritDoc WasmContext.address} */
  address(v: View): number {
    return (v.storage as WasmStorage).ptr + v.offset * ELEMENT_BYTES[v.storage.dtype];
  }

  /** {@inheritDoc WasmContext.contiguous} */
  contiguous(v: View): WasmStorage {
    const s = v.storage as WasmStorage;
    const out = this.storage(s.dtype, numel(v.shape), false);
    copySameDtype(this, v, { storage: out, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 }, s, out);
    return out;
  }

  // ----- threads -----

  /** Threads used for big ops (the calling thread included). */
  get numThreads(): number {
    return this.pool.numThreads;
  }

  /** Sets the thread count (1 = no workers). */
  setNumThreads(n: number): void {
    this.pool.setNumThreads(n);
  }

  /** Starts the workers now and blocks until they are ready (or `timeoutMs` passes); returns the ready count. */
  waitForThreads(timeoutMs = 5000): number {
    return this.pool.waitReady(timeoutMs);
  }

  /** Stops the worker threads (they restart on the next big op unless threads are set to 1). */
  closeThreads(): void {
    this.pool.close();
  }

  /** Calls split across threads so far (for tests and diagnostics). */
  get parallelCalls(): number {
    return this.pool.splitCalls;
  }

  /** {@inheritDoc WasmContext.threadsFor} */
  threadsFor(ns: number): number {
    if (ns < PARALLEL_MIN_NS || this.pool.numThreads === 1) return 1;
    return this.pool.ready();
  }

  /** {@inheritDoc WasmContext.runParts} */
  runParts(kernel: ParallelKernel, parts: readonly (readonly number[])[]): void {
    this.pool.run(kernel, parts);
  }

  /** {@inheritDoc WasmContext.parallel} */
  parallel(kernel: ParallelKernel, total: number, nsPerItem: number, grain: number, args: (start: number, end: number) => number[]): void {
    const ns = total * nsPerItem;
    let threads = this.threadsFor(ns);
    threads = Math.min(threads, Math.floor(total / grain));
    if (threads <= 1) {
      (this.kernels[kernel] as (...a: number[]) => void)(...args(0, total));
      return;
    }
    // Several parts per thread (one for small calls): threads claim them as they go, so a late or
    // slow thread holds up only its last small part.
    const perThread = Math.max(1, Math.min(PARTS_PER_THREAD, Math.round(ns / threads / PART_MIN_NS)));
    const bounds = partBounds(total, threads * perThread, grain);
    const parts: number[][] = [];
    for (let q = 1; q < bounds.length; q++) parts.push(args(bounds[q - 1], bounds[q]));
    this.pool.run(kernel, parts);
  }

  /** {@inheritDoc WasmContext.scratch} */
  scratch(t: number): number {
    while (this.scratchPtrs.length <= t) this.scratchPtrs.push(this.allocator.alloc(this.kernels.gemmScratchBytes()));
    return this.scratchPtrs[t];
  }

  // ----- the Backend interface -----

  /** {@inheritDoc Backend.alloc} */
  alloc(dtype: DType, size: number): Storage {
    return this.storage(dtype, size, true);
  }

  /** {@inheritDoc Backend.empty} */
  empty(dtype: DType, size: number): Storage {
    return this.storage(dtype, size, false);
  }

  /** {@inheritDoc Backend.fromArray} */
  fromArray(data: TypedArray): Storage {
    const dtype = dtypeOf(data);
    const s = this.storage(dtype, data.length, false);
    s.data.set(data);
    return s;
  }

  /** {@inheritDoc Backend.read} */
  read(view: View): TypedArray {
    const s = this.check('read', view);
    if (isContiguous(view.shape, view.strides)) {
      const n = numel(view.shape);
      const all = s.data;
      return all.slice(view.offset, view.offset + n);
    }
    const tmp = this.contiguous(view);
    const out = tmp.data.slice();
    this.free(tmp);
    return out;
  }

  /** {@inheritDoc Backend.copy} */
  copy(src: View, dst: View): void {
    const s = this.check('copy', src);
    const d = this.check('copy', dst);
    if (s.dtype === d.dtype) copySameDtype(this, src, dst, s, d);
    else if (s !== d && hasConvertKernel(s.dtype, d.dtype)) convertView(this, src, dst, s, d);
    else this.reference.copy(src, dst); // other conversions: the reference kernel, on this memory
  }

  /** {@inheritDoc Backend.fill} */
  fill(dst: View, value: number): void {
    fillView(this, dst, this.check('fill', dst), value);
  }

  /** {@inheritDoc Backend.unary} */
  unary(op: UnaryOp, x: View, outDtype: DType, args?: readonly number[]): Storage {
    this.check(op, x);
    if (hasUnaryKernel(op, x, outDtype)) return unaryF32(this, op, x, args);
    return this.adopt(this.reference.unary(op, x, outDtype, args));
  }

  /** {@inheritDoc Backend.binary} */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage {
    this.check(op, a);
    this.check(op, b);
    if (hasBinaryKernel(op, a, b, outDtype)) return binaryF32(this, op, a, b);
    return this.adopt(this.reference.binary(op, a, b, outDtype));
  }

  /** {@inheritDoc Backend.where} */
  where(cond: View, a: View, b: View, outDtype: DType): Storage {
    this.check('where', cond);
    this.check('where', a);
    this.check('where', b);
    if (cond.storage.dtype === 'bool' && a.storage.dtype === outDtype && b.storage.dtype === outDtype) {
      return whereSelect(this, cond, a, b, outDtype);
    }
    return this.adopt(this.reference.where(cond, a, b, outDtype));
  }

  /** {@inheritDoc Backend.reduce} */
  reduce(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): Storage {
    this.check(op, x);
    if (hasReduceKernel(op, x, outDtype)) return reduceF32(this, op, x, dims, outDtype);
    return this.adopt(this.reference.reduce(op, x, dims, outDtype));
  }

  /** {@inheritDoc Backend.matmul} */
  matmul(a: View, b: View, outDtype: DType, init?: View): Storage {
    this.check('matmul', a);
    this.check('matmul', b);
    if (init !== undefined) this.check('matmul', init);
    if (a.storage.dtype === 'float32' && b.storage.dtype === 'float32' && outDtype === 'float32' && (init === undefined || init.storage.dtype === 'float32')) {
      return matmulF32(this, a, b, init);
    }
    return this.adopt(this.reference.matmul(a, b, outDtype, init));
  }

  /** {@inheritDoc Backend.gather} */
  gather(x: View, dim: number, index: View): Storage {
    this.check('gather', x);
    this.check('gather', index);
    if (index.storage.dtype === 'int32') return gatherAny(this, x, dim, index);
    return this.adopt(this.reference.gather(x, dim, index));
  }

  /** {@inheritDoc Backend.scatterAdd} */
  scatterAdd(self: View, dim: number, index: View, src: View): Storage {
    this.check('scatterAdd', self);
    this.check('scatterAdd', index);
    this.check('scatterAdd', src);
    if (self.storage.dtype === 'float32' && src.storage.dtype === 'float32' && index.storage.dtype === 'int32') {
      return scatterAddF32(this, self, dim, index, src);
    }
    return this.adopt(this.reference.scatterAdd(self, dim, index, src));
  }

  /** {@inheritDoc Backend.softmax} */
  softmax(x: View, dim: number, log: boolean): Storage {
    this.check(log ? 'logSoftmax' : 'softmax', x);
    if (x.storage.dtype === 'float32') return softmaxF32(this, x, dim, log);
    return this.adopt(this.reference.softmax(x, dim, log));
  }

  /** {@inheritDoc Backend.im2col} */
  im2col(x: View, geometry: Conv2dGeometry): Storage {
    this.check('im2col', x);
    if (x.storage.dtype === 'float32') return im2colF32(this, x, geometry);
    return this.adopt(this.reference.im2col(x, geometry));
  }

  /** {@inheritDoc Backend.col2im} */
  col2im(cols: View, geometry: Conv2dGeometry): Storage {
    this.check('col2im', cols);
    if (cols.storage.dtype === 'float32') return col2imF32(this, cols, geometry);
    return this.adopt(this.reference.col2im(cols, geometry));
  }

  /** {@inheritDoc Backend.im2colBatched} */
  im2colBatched(x: View, geometry: Conv2dGeometry): Storage {
    this.check('im2colBatched', x);
    if (x.storage.dtype === 'float32') return im2colF32(this, x, geometry, true);
    return this.adopt(this.reference.im2colBatched(x, geometry));
  }

  /** {@inheritDoc Backend.col2imBatched} */
  col2imBatched(cols: View, geometry: Conv2dGeometry, batch: number): Storage {
    this.check('col2imBatched', cols);
    if (cols.storage.dtype === 'float32') return col2imF32(this, cols, geometry, batch);
    return this.adopt(this.reference.col2imBatched(cols, geometry, batch));
  }

  /** {@inheritDoc Backend.conv2dFolded} */
  conv2dFolded(x: View, weight: View, geometry: Conv2dGeometry, bias: View | null, keepColumns: boolean): { output: Storage; columns: Storage | null } | null {
    this.check('conv2d', x);
    this.check('conv2d', weight);
    if (bias !== null) this.check('conv2d', bias);
    // Measured on LeNet-5 (A/B in one process): inference at batch 256 24.9 → 20.6 ms on one thread,
    // and two-thread training steps 8.1–8.3 → 7.6 ms.
    if (!hasImplicitConv(x, weight, geometry) || (bias !== null && bias.storage.dtype !== 'float32')) return null;
    // The weight gradient rebuilds the columns in cache where it can (conv2dFoldedWeightGrad): storing
    // 3.8 MB of them for LeNet-5's C3 and reading them back cost a one-thread training step 5% more
    // (6.57 vs 6.94 ms; two threads 4.65 vs 4.68, A/B in one process).
    const keep = keepColumns && !hasFoldedWeightGrad(weight.shape[0], x, geometry);
    return convFoldedF32(this, x, weight, geometry, bias, keep);
  }

  /** {@inheritDoc Backend.conv2dFoldedWeightGrad} */
  conv2dFoldedWeightGrad(grad: View, x: View, geometry: Conv2dGeometry): Storage | null {
    this.check('conv2d backward', grad);
    this.check('conv2d backward', x);
    return grad.storage.dtype === 'float32' && hasFoldedWeightGrad(grad.shape[0], x, geometry) ? foldedWeightGradF32(this, grad, x, geometry) : null;
  }

  /** {@inheritDoc Backend.conv2dInputGrad} */
  conv2dInputGrad(grad: View, weight: View, geometry: Conv2dGeometry, batch: number): Storage | null {
    this.check('conv2d backward', grad);
    this.check('conv2d backward', weight);
    return hasDirectInputGrad(grad, weight, geometry) ? convInputGradF32(this, grad, weight, geometry, batch) : null;
  }

  /** {@inheritDoc Backend.conv2dImages} */
  conv2dImages(x: View, weight: View, geometry: Conv2dGeometry, bias: View | null): Storage | null {
    this.check('conv2d', x);
    this.check('conv2d', weight);
    if (bias !== null) this.check('conv2d', bias);
    if (!hasImageConv(this, x, weight, geometry) || (bias !== null && bias.storage.dtype !== 'float32')) return null;
    return convImagesF32(this, x, weight, geometry, bias);
  }

  /** {@inheritDoc Backend.conv2dImagesInputGrad} */
  conv2dImagesInputGrad(grad: View, weight: View, geometry: Conv2dGeometry): Storage | null {
    this.check('conv2d backward', grad);
    this.check('conv2d backward', weight);
    return grad.storage.dtype === 'float32' && weight.storage.dtype === 'float32' ? convImagesInputGradF32(this, grad, weight, geometry) : null;
  }

  /** {@inheritDoc Backend.conv2dImagesWeightGrad} */
  conv2dImagesWeightGrad(grad: View, x: View, geometry: Conv2dGeometry): Storage | null {
    this.check('conv2d backward', grad);
    this.check('conv2d backward', x);
    return grad.storage.dtype === 'float32' && x.storage.dtype === 'float32' ? convImagesWeightGradF32(this, grad, x, geometry) : null;
  }

  /** {@inheritDoc Backend.conv2dSingleChannel} */
  conv2dSingleChannel(x: View, weight: View, geometry: Conv2dGeometry, bias: View | null): Storage | null {
    this.check('conv2d', x);
    this.check('conv2d', weight);
    if (bias !== null) this.check('conv2d', bias);
    if (bias !== null && bias.storage.dtype !== 'float32') return null;
    return hasDirectConv(x, weight, geometry) ? singleChannelConvF32(this, x, weight, geometry, bias) : null;
  }

  /** {@inheritDoc Backend.conv2dSingleChannelWeightGrad} */
  conv2dSingleChannelWeightGrad(grad: View, x: View, geometry: Conv2dGeometry, withBias: boolean): { weight: Storage; bias: Storage | null } | null {
    this.check('conv2d', grad);
    this.check('conv2d', x);
    if (grad.storage.dtype !== 'float32' || x.storage.dtype !== 'float32' || grad.shape[1] > DIRECT_MAX_O) return null;
    return singleChannelWeightGradF32(this, grad, x, geometry, withBias);
  }

  /** {@inheritDoc Backend.sgdStep} */
  sgdStep(param: View, grad: View, momentumBuffer: View | null, hyper: SgdStepHyper): boolean {
    this.check('sgdStep', param);
    this.check('sgdStep', grad);
    if (momentumBuffer !== null) this.check('sgdStep', momentumBuffer);
    const views = momentumBuffer === null ? [param, grad] : [param, grad, momentumBuffer];
    if (views.some((v) => v.storage.dtype !== 'float32')) return this.reference.sgdStep(param, grad, momentumBuffer, hyper);
    if (views.some((v) => !isContiguous(v.shape, v.strides))) return false;
    const n = numel(param.shape);
    const flags = (hyper.momentum !== 0 ? 1 : 0) | (hyper.first ? 2 : 0) | (hyper.nesterov ? 4 : 0) | (hyper.maximize ? 8 : 0) |
      (hyper.weightDecay !== 0 ? 16 : 0) | (1 - hyper.dampening !== 1 ? 32 : 0);
    const pp = this.address(param);
    const pg = this.address(grad);
    const pb = momentumBuffer === null ? 0 : this.address(momentumBuffer);
    this.parallel('sgdStepF32', n, 1, 1024, (s, e) => [pp, pg, pb, s, e, -hyper.lr, hyper.momentum, 1 - hyper.dampening, hyper.weightDecay, flags]);
    return true;
  }

  /** {@inheritDoc Backend.adamStep} */
  adamStep(param: View, grad: View, expAvg: View, expAvgSq: View, maxExpAvgSq: View | null, hyper: AdamStepHyper): boolean {
    const views = maxExpAvgSq === null ? [param, grad, expAvg, expAvgSq] : [param, grad, expAvg, expAvgSq, maxExpAvgSq];
    for (const v of views) this.check('adamStep', v);
    if (views.some((v) => v.storage.dtype !== 'float32')) return this.reference.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, hyper);
    if (views.some((v) => !isContiguous(v.shape, v.strides))) return false;
    const n = numel(param.shape);
    // Flags as in assembly/kernels/optim.ts: 1 amsgrad, 2 maximize, 4 L2 weight decay (Adam), 8 decoupled decay (AdamW).
    const flags = (hyper.amsgrad ? 1 : 0) | (hyper.maximize ? 2 : 0) | (!hyper.decoupled && hyper.weightDecay !== 0 ? 4 : 0) | (hyper.decoupled ? 8 : 0);
    const c = adamStepScalars(hyper);
    const [pp, pg, pm, pv] = [this.address(param), this.address(grad), this.address(expAvg), this.address(expAvgSq)];
    const px = maxExpAvgSq === null ? 0 : this.address(maxExpAvgSq);
    // The float64 scalars become float32 when passed to the kernel (round to nearest, as Math.fround).
    this.parallel('adamStepF32', n, 2, 1024, (s, e) => [
      pp, pg, pm, pv, px, s, e, c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.negStepSize, c.biasCorrection2Sqrt,
      c.eps, c.weightDecay, c.decay, flags,
    ]);
    return true;
  }

  /** {@inheritDoc Backend.batchNorm} */
  batchNorm(x: View, weight: View | null, bias: View | null, eps: number): [Storage, Storage, Storage, Storage] | null {
    const views = [x, weight, bias].filter((v): v is View => v !== null);
    for (const v of views) this.check('batchNorm', v);
    if (views.every((v) => v.storage.dtype === 'float32')) return batchNormF32(this, x, weight, bias, eps);
    return this.adopt(this.reference.batchNorm(x, weight, bias, eps));
  }

  /** {@inheritDoc Backend.batchNormBackward} */
  batchNormBackward(grad: View, x: View, mean: View, invstd: View, weight: View | null, inputGrad: boolean): [Storage | null, Storage, Storage] | null {
    const views = [grad, x, mean, invstd, weight].filter((v): v is View => v !== null);
    for (const v of views) this.check('batchNormBackward', v);
    if (views.every((v) => v.storage.dtype === 'float32')) return batchNormBackwardF32(this, grad, x, mean, invstd, weight, inputGrad);
    return this.adopt(this.reference.batchNormBackward(grad, x, mean, invstd, weight, inputGrad));
  }

  /** {@inheritDoc Backend.avgPool2d} */
  avgPool2d(x: View, geometry: Conv2dGeometry, divisors: Float64Array): Storage {
    this.check('avgPool2d', x);
    if (x.storage.dtype === 'float32') return avgPool2dF32(this, x, geometry, divisors);
    return this.adopt(this.reference.avgPool2d(x, geometry, divisors));
  }

  /** {@inheritDoc Backend.avgPool2dBackward} */
  avgPool2dBackward(grad: View, geometry: Conv2dGeometry, divisors: Float64Array): Storage {
    this.check('avgPool2dBackward', grad);
    if (grad.storage.dtype === 'float32') return avgPool2dBackwardF32(this, grad, geometry, divisors);
    return this.adopt(this.reference.avgPool2dBackward(grad, geometry, divisors));
  }

  /** {@inheritDoc Backend.maxPool2d} */
  maxPool2d(x: View, windows: Pool2dWindows): [Storage, Storage] {
    this.check('maxPool2d', x);
    if (x.storage.dtype === 'float32') return maxPool2dF32(this, x, windows);
    return this.adopt(this.reference.maxPool2d(x, windows));
  }

  /** {@inheritDoc Backend.release} */
  release(storage: Storage): void {
    if (storage instanceof WasmStorage && storage.backend === this) this.free(storage);
  }

  /** {@inheritDoc Backend.memory} */
  memory(): WasmMemoryInfo {
    const st = this.allocator.stats();
    return { bytes: this.liveBytes, storages: this.liveStorages, heapBytes: this.mem.buffer.byteLength, freeBytes: st.freeBytes };
  }

  /** Copies the reference backend's results (storages, or arrays of them) into this memory. */
  adopt<T>(result: T): T {
    if (Array.isArray(result)) return result.map((r) => this.adopt(r)) as T;
    if (result !== null && typeof result === 'object' && 'backend' in result && (result as unknown as Storage).backend === this.reference) {
      return this.fromArray((result as unknown as { data: TypedArray }).data) as T;
    }
    return result;
  }
}

function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}


/** Views among a bridged method's arguments (tensors, or arrays of them). */
function viewsIn(args: readonly unknown[]): View[] {
  const out: View[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...viewsIn(a));
    else if (a !== null && typeof a === 'object' && 'storage' in a && 'shape' in a && 'strides' in a) out.push(a as View);
  }
  return out;
}

// Bridge every reference-backend method this class lacks (conv, pooling, … as they are added).
for (const name of Object.getOwnPropertyNames(JsBackend.prototype)) {
  if (name === 'constructor' || name in WasmBackend.prototype) continue;
  const bridged = function (this: WasmBackend, ...args: unknown[]): unknown {
    for (const v of viewsIn(args)) this.check(name, v);
    const ref = (this as unknown as { reference: Record<string, AnyMethod> }).reference;
    return this.adopt(ref[name].apply(ref, args));
  };
  Object.defineProperty(WasmBackend.prototype, name, { value: bridged, writable: true, configurable: true });
}
