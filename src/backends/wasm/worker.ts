/**
 * A worker thread of the wasm backend's pool: instantiates the kernels over the shared memory, then
 * loops forever running the kernel calls the calling thread posts into its row of the control block.
 * It never touches the JavaScript heap of the caller and never allocates in the linear memory.
 * @module
 */
import { workerData } from 'node:worker_threads';
import { instantiate, PARALLEL_KERNELS } from './kernels.js';
import { ARG_SLOTS, ERROR_BYTES, FAILED, FN, NARGS, PENDING, READY, SEQ, SPIN, WORKER_BASE, WORKER_SLOTS } from './pool_layout.js';
import type { WasmMemory, WasmModule } from './wasm_api.js';

/** What the pool sends each worker at start. */
export interface WorkerInit {
  module: WasmModule;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  errors: SharedArrayBuffer;
  index: number;
}

function main(init: WorkerInit): void {
  const kernels = instantiate(init.module, init.memory) as unknown as Record<string, (...a: number[]) => void>;
  const fns = PARALLEL_KERNELS.map((name) => kernels[name]);
  const ctrl = new Int32Array(init.control);
  const args = new Float64Array(init.args, init.index * ARG_SLOTS * 8, ARG_SLOTS);
  const row = WORKER_BASE + init.index * WORKER_SLOTS;
  Atomics.store(ctrl, row + READY, 1);
  let seen = Atomics.load(ctrl, row + SEQ);
  for (;;) {
    let s = Atomics.load(ctrl, row + SEQ);
    for (let i = 0; s === seen && i < SPIN; i++) s = Atomics.load(ctrl, row + SEQ);
    if (s === seen) {
      Atomics.wait(ctrl, row + SEQ, seen);
      continue;
    }
    seen = s;
    const fn = Atomics.load(ctrl, row + FN);
    if (fn < 0) return;
    try {
      const n = ctrl[row + NARGS];
      const a = new Array<number>(n);
      for (let i = 0; i < n; i++) a[i] = args[i];
      fns[fn](...a);
    } catch (e) {
      // Report instead of dying: the caller is blocked waiting for PENDING to reach 0.
      const text = new TextEncoder().encode(`worker ${init.index}: ${e instanceof Error ? e.message : String(e)}`);
      new Uint8Array(init.errors).set(text.subarray(0, ERROR_BYTES - 1));
      Atomics.store(ctrl, FAILED, 1);
    }
    if (Atomics.sub(ctrl, PENDING, 1) === 1) Atomics.notify(ctrl, PENDING);
  }
}

main(workerData as WorkerInit);
