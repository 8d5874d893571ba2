/**
 * Turning optimiser and scheduler state dicts into plain JSON data plus named tensors (the form a
 * checkpoint writer saves: the JSON as metadata, the tensors in a safetensors file) and back.
 * @module
 */
import { Tensor } from '../core/tensor.js';

/** JSON data. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A state dict split into JSON-able data and the tensors it referred to. */
export interface SplitState {
  /**
   * The state dict with each tensor replaced by `{ "$tensor": name }` and each non-finite number
   * (JSON has none) by `{ "$number": "Infinity" | "-Infinity" | "NaN" }`.
   */
  data: JsonValue;
  /** The tensors by name; the name is the tensor's path in the dict, e.g. `state.0.expAvg`. */
  tensors: Record<string, Tensor>;
}

/** Anything a state dict holds: plain data, tensors, and objects and arrays of them. */
export type StateTree = Tensor | number | boolean | string | null | undefined | readonly StateTree[] | { readonly [key: string]: StateTree };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor);
}

/**
 * Splits a state dict (from `optimizer.stateDict()` or `scheduler.stateDict()`) into JSON-able
 * data and named tensors. Tensors are not copied. Undefined object fields are dropped.
 * @example
 * const { data, tensors } = optim.splitStateDict(opt.stateDict());
 * writeFileSync('opt.json', JSON.stringify(data)); // tensors go to safetensors
 */
export function splitStateDict(stateDict: StateTree | object): SplitState {
  const tensors: Record<string, Tensor> = {};
  const walk = (v: unknown, path: string): JsonValue => {
    if (v instanceof Tensor) {
      if (path in tensors) throw new Error(`splitStateDict: two tensors would be named '${path}'`);
      tensors[path] = v;
      return { $tensor: path };
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    const at = (k: string | number): string => (path === '' ? String(k) : `${path}.${k}`);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, at(i)));
    if (isPlainObject(v)) {
      const out: { [key: string]: JsonValue } = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x, at(k));
      return out;
    }
    throw new Error(`splitStateDict: cannot store ${typeof v} at '${path || '(root)'}' as JSON`);
  };
  return { data: walk(stateDict, ''), tensors };
}

/**
 * Rebuilds a state dict from {@link splitStateDict}'s output (after a JSON round trip), ready for
 * `loadStateDict`. Throws naming the tensor when one is missing.
 */
export function joinStateDict<T = unknown>(split: SplitState): T {
  const walk = (v: JsonValue): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$tensor' && typeof v.$tensor === 'string') {
        const t = split.tensors[v.$tensor];
        if (!(t instanceof Tensor)) throw new Error(`joinStateDict: tensor '${v.$tensor}' is missing`);
        return t;
      }
      if (keys.length === 1 && keys[0] === '$number' && typeof v.$number === 'string') return Number(v.$number);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(split.data) as T;
}
