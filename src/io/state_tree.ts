/**
 * State trees: plain data (objects, arrays, numbers, strings, booleans, null) with tensors at
 * some leaves — what `optimizer.stateDict()` and `scheduler.stateDict()` return. A tree is stored
 * as JSON in which each tensor is replaced by `{ "$tensor": name }` and each non-finite number by
 * `{ "$number": "Infinity" | "-Infinity" | "NaN" }` (the convention of `optim.splitStateDict`).
 * @module
 */
import { Tensor } from '../core/tensor.js';

/** JSON data. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Object literals and JSON objects only: a Map, Set, Date or class instance would lose its data as JSON. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces the tensors of `tree` by references named `prefix.path.to.leaf` and adds them to
 * `out`. Throws on values JSON cannot hold (functions, typed arrays, Maps, …) and on name clashes.
 */
export function flattenTree(op: string, tree: unknown, prefix: string, out: Map<string, Tensor>): JsonValue {
  const walk = (v: unknown, path: string): JsonValue => {
    if (v instanceof Tensor) {
      if (out.has(path)) throw new Error(`${op}: two tensors would be stored as '${path}'`);
      out.set(path, v);
      return { $tensor: path };
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    if (isPlainObject(v)) {
      const o: { [key: string]: JsonValue } = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = walk(x, `${path}.${k}`);
      return o;
    }
    const what = v === undefined ? 'undefined'
      : typeof v === 'object' ? `a ${(Object.getPrototypeOf(v) as { constructor?: { name?: string } }).constructor?.name ?? 'non-plain object'}`
      : typeof v;
    throw new Error(`${op}: cannot store ${what} at '${path}' (use plain objects, arrays, numbers, strings and tensors)`);
  };
  return walk(tree, prefix);
}

/**
 * Rebuilds a tree stored by {@link flattenTree}, taking tensors from `tensors` and recording the
 * names it used in `used`. Throws naming the reference when a tensor is missing.
 */
export function unflattenTree(op: string, json: unknown, tensors: ReadonlyMap<string, Tensor>, used: Set<string>): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$tensor') {
        const name = v.$tensor;
        const t = typeof name === 'string' ? tensors.get(name) : undefined;
        if (!t) throw new Error(`${op}: the state refers to tensor ${JSON.stringify(name)}, which the file does not hold`);
        used.add(name as string);
        return t;
      }
      if (keys.length === 1 && keys[0] === '$number') {
        const s = v.$number;
        if (s !== 'Infinity' && s !== '-Infinity' && s !== 'NaN') throw new Error(`${op}: bad $number ${JSON.stringify(s)}`);
        return Number(s);
      }
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x);
      return o;
    }
    return v;
  };
  return walk(json);
}
