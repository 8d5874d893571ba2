/**
 * Shape arithmetic shared by every op and backend: sizes, strides, broadcasting, dims.
 * @module
 */

/** A tensor's shape: sizes of its dims, outermost first. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  return strides;
}

/** `[2,3]` — how shapes appear in error messages. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** True when both shapes have the same dims. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The broadcast shape of two shapes, NumPy/PyTorch rules; throws naming `op` when they don't broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dim ${i - n}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Wraps a possibly negative dim into [0, rank); throws naming `op` when out of range.
 * Pass the tensor's shape (rather than its rank) so the error can show it.
 */
export function normalizeDim(op: string, dim: number, rankOrShape: number | Shape): number {
  const rank = typeof rankOrShape === 'number' ? rankOrShape : rankOrShape.length;
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    const what = typeof rankOrShape === 'number' ? `rank ${rank}` : `shape ${fmtShape(rankOrShape)}`;
    throw new Error(`${op}: dim ${dim} is out of range for a tensor of ${what} (expected ${-r}..${r - 1})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** Normalises a dim or dims argument (undefined means all dims), sorted and without repeats. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, rankOrShape: number | Shape): number[] {
  const rank = typeof rankOrShape === 'number' ? rankOrShape : rankOrShape.length;
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(op, d, rankOrShape));
  if (new Set(out).size !== out.length) throw new Error(`${op}: dim ${JSON.stringify(list)} repeats a dim`);
  return out.sort((x, y) => x - y);
}

/** Checks that every size is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new Error(`${op}: invalid shape ${fmtShape(shape)} (sizes must be non-negative integers)`);
  }
}
