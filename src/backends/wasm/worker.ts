/**
 * A worker thread of the wasm backend's pool: instantiates the kernels over the shared memory, then
 * loops forever: woken through its row of the control block, it claims and runs parts of the posted task.
 * It never touches the JavaScript heap of the caller and never allocates in the linear memory.
 * @module
 */
import { workerData } from 'node:worker_threads';
import { instantiate, PARALLEL_KERNELS } from './kernels.js';
import {
  ARG_SLOTS, claimFromBack, DONE, ERROR_BYTES, FAILED, FN, READY, SEQ, SPIN, TASK_FN, TOTAL, WORKER_BASE, WORKER_SLOTS,
} from './pool_layout.js';
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
  const args = new Float64Array(init.args);
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
    if (Atomics.load(ctrl, row + FN) < 0) return;
    runClaimedParts(ctrl, args, fns, init);
  }
}

/** Claims and runs parts of the current task until none is left (see pool_layout.ts). */
function runClaimedParts(ctrl: Int32Array, args: Float64Array, fns: ((...a: number[]) => void)[], init: WorkerInit): void {
  for (;;) {
    const part = claimFromBack(ctrl);
    if (part < 0) return;
    // Read after the claim: the task cannot change until this part is done.
    const total = Atomics.load(ctrl, TOTAL);
    // The task's data stays put until every part, this one included, is done.
    try {
      const at = part * ARG_SLOTS;
      const n = args[at];
      const a = new Array<number>(n);
      for (let i = 0; i < n; i++) a[i] = args[at + 1 + i];
      fns[Atomics.load(ctrl, TASK_FN)](...a);
    } catch (e) {
      // Report instead of dying: the caller is blocked until every part is done.
      const text = new TextEncoder().encode(`worker ${init.index}: ${e instanceof Error ? e.message : String(e)}`);
      new Uint8Array(init.errors).set(text.subarray(0, ERROR_BYTES - 1));
      Atomics.store(ctrl, FAILED, 1);
    }
    if (Atomics.add(ctrl, DONE, 1) + 1 === total) Atomics.notify(ctrl, DONE);
  }
}

main(workerData as WorkerInit);
