/**
 * The layout of the control block the calling thread and the workers share (Int32 slots), and of
 * the argument block (Float64 slots, one row per part of the current task), and the two ways of
 * claiming a part.
 *
 * A task is a list of parts (kernel calls); every thread, the caller included, claims parts from
 * CLAIM until none is left, so a worker that wakes late (or is descheduled) costs its share only if
 * it has already claimed it.
 * @module
 */

/**
 * The claim word: (end of the unclaimed parts) << 16 | (next unclaimed part). The calling thread
 * claims from the front (one atomic add), workers from the back (compare-and-swap), so that in a
 * 2-thread pool each thread keeps working on the same end of consecutive ops' data.
 */
export const CLAIM = 0;
/** Set to 1 by a worker whose kernel threw; the message is in the error bytes. */
export const FAILED = 1;
/** Parts of the current task finished; the thread finishing the last wakes the caller. */
export const DONE = 2;
/** Kernel id of the current task. */
export const TASK_FN = 3;
/** Parts in the current task. */
export const TOTAL = 4;
/** First slot of worker w's row: `WORKER_BASE + w * WORKER_SLOTS`. */
export const WORKER_BASE = 16;
/** Slots per worker row. */
export const WORKER_SLOTS = 16;
/** Offsets within a worker row: wake-up sequence number, ready flag, exit flag (−1 = exit). */
export const SEQ = 0;
export const READY = 1;
export const FN = 2;
/** Float64 slots per part: the argument count, then the arguments. */
export const ARG_SLOTS = 32;
/** Most parts one task may have. */
export const MAX_PARTS = 256;
/** Bytes for a failing worker's message. */
export const ERROR_BYTES = 1024;
/** Most workers a pool may have. */
export const MAX_WORKERS = 63;
/**
 * Busy-wait iterations (~9 ns each, so ~1.8 ms) before a thread sleeps. A worker woken from sleep
 * joins 35–200 µs late on this VM, and a training step's split ops are often more than 0.2 ms
 * apart (small ops and JavaScript in between): spinning this long keeps the worker awake through
 * a step. In-process A/B over alternating windows of 2-thread LeNet-5 training against 20,000
 * iterations: 0.892 and 0.925 of the time (1,000,000: 0.93–0.98). The cost is up to ~1.8 ms of a
 * core after the last split op before the caller goes idle, as OpenMP runtimes spin too.
 */
export const SPIN = 200_000;

/** The calling thread's claim: the first unclaimed part of the current task, or -1 when none is left. */
export function claimFromFront(ctrl: Int32Array): number {
  const word = Atomics.add(ctrl, CLAIM, 1);
  const part = word & 0xffff;
  return part < word >>> 16 ? part : -1;
}

/** A worker's claim: the last unclaimed part of the current task, or -1 when none is left. */
export function claimFromBack(ctrl: Int32Array): number {
  for (;;) {
    const word = Atomics.load(ctrl, CLAIM);
    const end = word >>> 16;
    if ((word & 0xffff) >= end) return -1;
    if (Atomics.compareExchange(ctrl, CLAIM, word, word - 0x10000) === word) return end - 1;
  }
}
