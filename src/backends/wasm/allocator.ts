/**
 * The heap allocator for tensor storage in WebAssembly linear memory.
 *
 * Each block is a 16-byte header (its total size, and a live flag) followed by the payload, so a
 * free needs no lookup table: V8's Map degrades badly under the delete/insert churn of a training
 * loop. Payload sizes are rounded to classes: multiples of 16 bytes up to 256, then four classes per
 * power of two (under 25% waste). Freed blocks go to a free list per class and are reused first
 * (training loops allocate the same shapes every step). New blocks are cut from the top of the
 * heap; when memory runs out, adjacent free blocks are merged (and the top lowered) and the
 * best-fitting free block is split, before the memory grows. Kernels never allocate.
 * @module
 */

/** Every payload starts at a multiple of this (SIMD loads and stores are 16 bytes wide). */
export const ALIGN = 16;
/** Bytes of the header before each payload: [total bytes, state, unused, unused] as int32. */
export const HEADER = 16;
// Header states: magic values, so a stray pointer into a payload is unlikely to pass for a block.
const LIVE = 0x6c697665;
const FREE = 0x66726565;

/** The payload size class `bytes` rounds up to. */
export function sizeClass(bytes: number): number {
  if (bytes <= ALIGN) return ALIGN;
  if (bytes <= 256) return Math.ceil(bytes / ALIGN) * ALIGN;
  // 2^⌊log2(bytes − 1)⌋ / 4, by counting leading zeros below 2 GiB (Math.log2 showed in profiles).
  const step = bytes <= 2 ** 31 ? 2 ** (29 - Math.clz32(bytes - 1)) : 2 ** Math.floor(Math.log2(bytes - 1)) / 4;
  return Math.ceil(bytes / step) * step;
}

/** Counts an allocator reports. */
export interface AllocatorStats {
  /** Payload bytes of live blocks (size classes, so ≥ the bytes asked for). */
  liveBytes: number;
  /** Number of live blocks. */
  liveBlocks: number;
  /** Bytes (headers included) in blocks waiting on free lists. */
  freeBytes: number;
  /** End of the used part of the heap. */
  top: number;
  /** Bytes the heap may use now without growing. */
  capacity: number;
}

/**
 * A size-class allocator over the address range [base, end) of a memory that `heap()` returns an
 * up-to-date Int32Array view of. `grow(minBytes)` must enlarge the memory by at least `minBytes`
 * and return the new end, or return the old end when it cannot.
 */
export class Allocator {
  private top: number;
  private end: number;
  /** Free block starts (header addresses), by total block size. */
  private readonly free = new Map<number, number[]>();
  private liveBytes = 0;
  private liveBlocks = 0;
  private freeBytes = 0;

  constructor(base: number, end: number, private readonly grow: (minBytes: number) => number, private readonly heap: () => Int32Array) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.end = end;
  }

  /** A payload of at least `bytes` bytes, 16-byte aligned, not zeroed; throws when memory is exhausted. */
  alloc(bytes: number): number {
    const total = HEADER + sizeClass(bytes);
    const list = this.free.get(total);
    let start: number;
    if (list !== undefined && list.length > 0) {
      start = list.pop()!;
      this.freeBytes -= total;
    } else if (this.top + total <= this.end) {
      start = this.bump(total);
    } else {
      start = this.reuseOrGrow(total);
    }
    const h = this.heap();
    const at = start >>> 2;
    h[at] = total;
    h[at + 1] = LIVE;
    this.liveBytes += total - HEADER;
    this.liveBlocks++;
    return start + HEADER;
  }

  /** Returns a block to its free list; throws on a pointer that is not a live block. */
  release(ptr: number): void {
    const start = ptr - HEADER;
    const h = this.heap();
    const at = start >>> 2;
    if (ptr % ALIGN !== 0 || start < 0 || start >= this.top || h[at + 1] !== LIVE) {
      throw new Error(`wasm allocator: free of ${ptr}, which is not a live block (double free?)`);
    }
    const total = h[at];
    h[at + 1] = FREE;
    this.liveBytes -= total - HEADER;
    this.liveBlocks--;
    this.pushFree(start, total);
  }

  /** The payload size of a live block, or undefined. */
  sizeOf(ptr: number): number | undefined {
    const at = (ptr - HEADER) >>> 2;
    const h = this.heap();
    return ptr - HEADER < this.top && h[at + 1] === LIVE ? h[at] - HEADER : undefined;
  }

  /** True when a block of `bytes` can be had without growing the memory (its free list, the top, or a larger free block to split). */
  fits(bytes: number): boolean {
    const total = HEADER + sizeClass(bytes);
    const list = this.free.get(total);
    return (list !== undefined && list.length > 0) || this.top + total <= this.end || this.bestFit(total) !== Infinity;
  }

  /** Current counts. */
  stats(): AllocatorStats {
    return { liveBytes: this.liveBytes, liveBlocks: this.liveBlocks, freeBytes: this.freeBytes, top: this.top, capacity: this.end };
  }

  private pushFree(start: number, total: number): void {
    let list = this.free.get(total);
    if (list === undefined) {
      list = [];
      this.free.set(total, list);
    }
    list.push(start);
    this.freeBytes += total;
  }

  private bump(total: number): number {
    const start = this.top;
    this.top += total;
    return start;
  }

  private reuseOrGrow(total: number): number {
    // Split a free block first: merging walks every free block, and merging on every miss undid
    // the size-class lists that the next training step would have hit (after a big GEMM had left
    // the heap full of large free blocks, LeNet steps ran 1.5× slower).
    const split = this.takeBestFit(total);
    if (split !== null) return split;
    this.coalesce();
    if (this.top + total <= this.end) return this.bump(total);
    const merged = this.takeBestFit(total);
    if (merged !== null) return merged;
    const newEnd = this.grow(this.top + total - this.end);
    if (this.top + total > newEnd) {
      throw new Error(
        `wasm backend: out of memory allocating ${total - HEADER} bytes (${this.liveBytes} bytes held in ${this.liveBlocks} storages, ` +
        `${this.freeBytes} free but fragmented); release tensors with tidy() or dispose()`,
      );
    }
    this.end = newEnd;
    return this.bump(total);
  }

  /** The size of the smallest free block of at least `total` bytes (Infinity if none). */
  private bestFit(total: number): number {
    let best = Infinity;
    for (const [s, list] of this.free) if (s >= total && s < best && list.length > 0) best = s;
    return best;
  }

  /** The smallest free block of at least `total` bytes, its tail split off onto a free list; null if none. */
  private takeBestFit(total: number): number | null {
    const best = this.bestFit(total);
    if (best === Infinity) return null;
    const start = this.free.get(best)!.pop()!;
    this.freeBytes -= best;
    if (best - total >= HEADER + ALIGN) {
      this.markFree(start + total, best - total);
      this.pushFree(start + total, best - total);
    } else {
      total = best;
    }
    this.heap()[start >>> 2] = total;
    return start;
  }

  private markFree(start: number, total: number): void {
    const h = this.heap();
    h[start >>> 2] = total;
    h[(start >>> 2) + 1] = FREE;
  }

  /** Merges adjacent free blocks into larger ones and gives a free run at the top back to the heap. */
  private coalesce(): void {
    if (this.freeBytes === 0) return;
    const blocks: [number, number][] = [];
    for (const [s, list] of this.free) for (const p of list) blocks.push([p, s]);
    blocks.sort((x, y) => x[0] - y[0]);
    this.free.clear();
    this.freeBytes = 0;
    const merged: [number, number][] = [];
    for (const [p, s] of blocks) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last[0] + last[1] === p) last[1] += s;
      else merged.push([p, s]);
    }
    const tail = merged[merged.length - 1];
    if (tail !== undefined && tail[0] + tail[1] === this.top) {
      this.top = tail[0];
      merged.pop();
    }
    for (const [p, s] of merged) {
      this.markFree(p, s);
      this.pushFree(p, s);
    }
  }
}
