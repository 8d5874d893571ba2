/**
 * A persistent pool of worker threads sharing the backend's linear memory. The calling thread posts
 * a task (a list of kernel calls, its parts), wakes the workers, and claims parts like them until
 * none is left, then waits (spinning briefly, then sleeping) for parts still running elsewhere:
 * a worker that is slow to wake (a busy or descheduled core) leaves its parts to the others. Workers start lazily, on the first call big enough to split, and the calls made while
 * they boot run on the calling thread alone; they are `unref()`ed, so they never keep a process alive.
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { KernelExports, ParallelKernel } from './kernels.js';
import { PARALLEL_KERNELS } from './kernels.js';
import {
  ARG_SLOTS, CLAIM, claimFromFront, DONE, ERROR_BYTES, FAILED, FN, MAX_PARTS, MAX_WORKERS, READY, SEQ, SPIN, TASK_FN, TOTAL, WORKER_BASE,
  WORKER_SLOTS,
} from './pool_layout.js';
import type { WasmMemory, WasmModule } from './wasm_api.js';
import type { WorkerInit } from './worker.js';

const KERNEL_ID = new Map<string, number>(PARALLEL_KERNELS.map((name, i) => [name, i]));

interface Slot {
  worker: Worker;
  index: number;
  dead: boolean;
}

/**
 * Starts a worker on worker.js with the process's Node options. The worker runs a file, so flags
 * only valid for --eval input (--input-type) are left out; and Node refuses V8 flags (such as
 * --no-concurrent-marking) in an explicit execArgv, which they need not be in: they are process-wide.
 */
function spawnWorker(init: WorkerInit): Worker {
  const url = new URL('./worker.js', import.meta.url);
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  try {
    return new Worker(url, { workerData: init, execArgv });
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return new Worker(url, { workerData: init, execArgv: [] });
  }
}

/** Worker threads running kernels over one shared memory. */
export class ThreadPool {
  private readonly control = new SharedArrayBuffer((WORKER_BASE + MAX_WORKERS * WORKER_SLOTS) * 4);
  private readonly argsBuffer = new SharedArrayBuffer(MAX_PARTS * ARG_SLOTS * 8);
  private readonly errors = new SharedArrayBuffer(ERROR_BYTES);
  private readonly ctrl = new Int32Array(this.control);
  private readonly args = new Float64Array(this.argsBuffer);
  private readonly slots: Slot[] = [];
  private wanted = 1;
  /** Calls that ran on more than one thread. */
  splitCalls = 0;

  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly local: KernelExports,
  ) {}

  /** Threads that take part in a split call (the calling thread included). */
  get numThreads(): number {
    return this.wanted;
  }

  /** Sets the thread count; extra workers are stopped now, missing ones start on the next big call. */
  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS + 1) {
      throw new Error(`setNumThreads: expected an integer from 1 to ${MAX_WORKERS + 1}, got ${n}`);
    }
    this.wanted = n;
    while (this.slots.length > n - 1) this.stop(this.slots.pop()!);
  }

  /** Threads usable right now (the calling thread plus the workers that have finished booting). */
  ready(): number {
    if (this.wanted === 1) return 1;
    this.start();
    let n = 1;
    for (const s of this.slots) if (!s.dead && Atomics.load(this.ctrl, this.row(s.index) + READY) === 1) n++;
    return n;
  }

  /** Blocks until every wanted worker is ready (or `timeoutMs` passes); returns the ready count. */
  waitReady(timeoutMs = 5000): number {
    const until = Date.now() + timeoutMs;
    let n = this.ready();
    while (n < this.wanted && Date.now() < until) {
      Atomics.wait(this.ctrl, DONE, Atomics.load(this.ctrl, DONE), 1); // a 1 ms sleep
      n = this.ready();
    }
    return n;
  }

  /**
   * Runs `kernel` once per argument list (a part) on the calling thread and the ready workers, each
   * claiming parts until none is left, and returns when all have finished. Parts that use
   * per-thread scratch must each have their own (a part may run on any thread).
   */
  run(kernel: ParallelKernel, parts: readonly (readonly number[])[]): void {
    const fn = this.local[kernel] as (...a: number[]) => void;
    if (parts.length === 1) {
      fn(...parts[0]);
      return;
    }
    if (parts.length > MAX_PARTS) throw new Error(`wasm backend: ${kernel} split into ${parts.length} parts, at most ${MAX_PARTS}`);
    const workers = this.slots.filter((s) => !s.dead && Atomics.load(this.ctrl, this.row(s.index) + READY) === 1);
    this.splitCalls++;
    for (let p = 0; p < parts.length; p++) {
      const a = parts[p];
      if (a.length >= ARG_SLOTS) throw new Error(`wasm backend: ${kernel} has ${a.length} arguments, at most ${ARG_SLOTS - 1}`);
      this.args[p * ARG_SLOTS] = a.length;
      this.args.set(a, p * ARG_SLOTS + 1);
    }
    Atomics.store(this.ctrl, TASK_FN, KERNEL_ID.get(kernel)!);
    Atomics.store(this.ctrl, FAILED, 0);
    Atomics.store(this.ctrl, DONE, 0);
    Atomics.store(this.ctrl, TOTAL, parts.length);
    // Publishing the claim word last: a thread that claims a part sees the task written above.
    Atomics.store(this.ctrl, CLAIM, parts.length << 16);
    for (const w of workers.slice(0, parts.length - 1)) {
      const row = this.row(w.index);
      Atomics.add(this.ctrl, row + SEQ, 1);
      Atomics.notify(this.ctrl, row + SEQ);
    }
    let failure: unknown = null;
    for (;;) {
      const part = claimFromFront(this.ctrl);
      if (part < 0) break;
      try {
        fn(...parts[part]);
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(this.ctrl, DONE, 1);
    }
    // Spin first: the workers usually finish within microseconds of this thread.
    let done = Atomics.load(this.ctrl, DONE);
    for (let i = 0; done !== parts.length && i < SPIN; i++) done = Atomics.load(this.ctrl, DONE);
    while (done !== parts.length) {
      Atomics.wait(this.ctrl, DONE, done, 1000);
      done = Atomics.load(this.ctrl, DONE);
    }
    if (failure !== null) throw failure;
    if (Atomics.load(this.ctrl, FAILED) !== 0) {
      const bytes = new Uint8Array(this.errors);
      const end = bytes.indexOf(0);
      throw new Error(`wasm backend: ${new TextDecoder().decode(bytes.slice(0, end < 0 ? ERROR_BYTES : end))}`);
    }
  }

  /** Stops every worker. */
  close(): void {
    while (this.slots.length > 0) this.stop(this.slots.pop()!);
  }

  private row(index: number): number {
    return WORKER_BASE + index * WORKER_SLOTS;
  }

  private start(): void {
    const used = new Set(this.slots.map((s) => s.index));
    while (this.slots.length < this.wanted - 1) {
      let index = 0;
      while (used.has(index)) index++;
      used.add(index);
      const row = this.row(index);
      Atomics.store(this.ctrl, row + READY, 0);
      Atomics.store(this.ctrl, row + FN, 0); // a stopped worker's slot held the exit flag
      const init: WorkerInit = {
        module: this.module, memory: this.memory, control: this.control, args: this.argsBuffer, errors: this.errors, index,
      };
      const worker = spawnWorker(init);
      const slot: Slot = { worker, index, dead: false };
      // A worker that fails to boot is dropped; its share runs on the calling thread.
      worker.on('error', () => { slot.dead = true; });
      worker.on('exit', () => { slot.dead = true; });
      worker.unref();
      this.slots.push(slot);
    }
  }

  private stop(slot: Slot): void {
    const row = this.row(slot.index);
    slot.dead = true;
    this.ctrl[row + FN] = -1;
    Atomics.add(this.ctrl, row + SEQ, 1);
    Atomics.notify(this.ctrl, row + SEQ);
    Atomics.store(this.ctrl, row + READY, 0);
    void slot.worker.terminate();
  }
}
