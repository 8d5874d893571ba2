/**
 * The layout of the control block the calling thread and the workers share (Int32 slots), and of
 * the argument block (Float64 slots, one row per worker).
 * @module
 */

/** Workers still running the current task; the last to finish wakes the caller. */
export const PENDING = 0;
/** Set to 1 by a worker whose kernel threw; the message is in the error bytes. */
export const FAILED = 1;
/** First slot of worker w's row: `WORKER_BASE + w * WORKER_SLOTS`. */
export const WORKER_BASE = 16;
/** Slots per worker row. */
export const WORKER_SLOTS = 16;
/** Offsets within a worker row: task sequence number, ready flag, kernel id (−1 = exit), argument count. */
export const SEQ = 0;
export const READY = 1;
export const FN = 2;
export const NARGS = 3;
/** Float64 argument slots per worker. */
export const ARG_SLOTS = 32;
/** Bytes for a failing worker's message. */
export const ERROR_BYTES = 1024;
/** Most workers a pool may have. */
export const MAX_WORKERS = 63;
/** Busy-wait iterations before sleeping: a spin costs about a microsecond, a wake-up from sleep 30–50. */
export const SPIN = 20000;
