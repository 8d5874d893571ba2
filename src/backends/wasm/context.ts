/**
 * What the kernel families (elementwise, reduce, matmul, indexing) need from the wasm backend:
 * its kernels, memory views, storage allocation, the descriptor area and the thread split.
 * @module
 */
import type { Backend, View } from '../../core/backend.js';
import type { DType } from '../../core/dtype.js';
import type { KernelExports, ParallelKernel } from './kernels.js';
import type { HeapViews, WasmStorage } from './storage.js';

/**
 * Estimated work (ns) below which a call stays on one thread. A worker's wake-up costs 30–80 µs,
 * but the calling thread never waits for a part nobody has claimed (see pool.ts), so a split costs
 * it little more than the notify. Lowered from 250 µs to 100 µs: a 2-thread LeNet-5 training step
 * was 7–9% faster (in-process A/B over alternating windows), its 0.1–0.25 ms activation, pooling
 * and bias ops now shared. Then to 30 µs, with small calls in one part per thread (see
 * {@link PART_MIN_NS}): 0.960–0.971 of the step (three A/Bs; the MLP 0.979). The split now keeps
 * each image range on the thread whose cache holds it: LeNet-5's pooling and tanh gradient on
 * C1's 301k floats had run on one thread between split ops, reading the other thread's half from
 * its cache. Lowering it to 50 or 25 µs with four parts per thread had been slower (1.022, 1.011).
 */
export const PARALLEL_MIN_NS = 30_000;

/**
 * Parts per thread of a split call whose parts are interchangeable (elementwise, reductions,
 * convolutions): threads claim parts as they go, so a thread that wakes late (30–200 µs here) or is
 * descheduled holds up only its last small part.
 */
export const PARTS_PER_THREAD = 4;

/** Estimated work per part below which a split call has fewer than {@link PARTS_PER_THREAD} parts per thread. */
export const PART_MIN_NS = 25_000;

/**
 * Boundaries [0, …, n] of `count` parts of n items (whole multiples of `grain`, the last part taking
 * the rest), largest at both ends and halving towards the middle: the calling thread claims parts
 * from the front and the workers from the back (pool_layout.ts), so the parts claimed last are the
 * small ones in the middle, and a thread that runs out of parts waits for a small part, not a large
 * one. With equal parts the calling thread waited 15–40 µs (median) at the end of each of
 * LeNet-5's split convolutions on 2 threads.
 */
export function partBounds(n: number, count: number, grain = 1): number[] {
  const units = Math.ceil(n / grain);
  const parts = Math.max(1, Math.min(count, units));
  const weights = Array.from({ length: parts }, (_, q) => 2 ** -Math.min(q, parts - 1 - q));
  const total = weights.reduce((a, b) => a + b, 0);
  const bounds = [0];
  let sum = 0;
  for (let q = 0; q < parts; q++) {
    sum += weights[q];
    // At least one unit per part, and room for one unit in each part after this one.
    const at = q === parts - 1 ? units : Math.min(units - (parts - 1 - q), Math.max(bounds[q] / grain + 1, Math.round((units * sum) / total)));
    bounds.push(Math.min(n, at * grain));
  }
  return bounds;
}

/** The backend's internals as the kernel families see them. */
export interface WasmContext {
  readonly backend: Backend;
  readonly kernels: KernelExports;
  /** Typed views over the whole memory (refreshed when it grows; do not hold across allocations). */
  readonly views: HeapViews;
  /** Byte address of the descriptor area (4 KiB, reused by every call). */
  readonly desc: number;
  /** A fresh storage; zero-filled when `zero`. */
  storage(dtype: DType, size: number, zero: boolean): WasmStorage;
  /** Checks a view (live, on this backend) and returns its storage. */
  check(op: string, v: View): WasmStorage;
  /** Byte address of a view's element 0. */
  address(v: View): number;
  /** A contiguous copy of `v` in a fresh storage (the caller releases it). */
  contiguous(v: View): WasmStorage;
  /** Frees a backend-internal storage now. */
  free(s: WasmStorage): void;
  /** Threads worth using for `ns` of estimated work (1 when small or no worker is ready). */
  threadsFor(ns: number): number;
  /** Runs a kernel once per argument list, in parallel; the first list on the calling thread. */
  runParts(kernel: ParallelKernel, parts: readonly (readonly number[])[]): void;
  /** Splits the flat range [0, total) across threads (chunks multiple of `grain`) and runs `kernel` on each. */
  parallel(kernel: ParallelKernel, total: number, nsPerItem: number, grain: number, args: (start: number, end: number) => number[]): void;
  /** Byte address of thread `t`'s GEMM packing scratch. */
  scratch(t: number): number;
}
