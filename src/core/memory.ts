/**
 * Deterministic memory release, for backends whose storage lives outside the JavaScript heap (the
 * wasm backend's linear memory): `tidy(fn)` frees what `fn` allocated except what it returns,
 * `keep(t)` exempts a tensor from enclosing tidies, `dispose(x)` / `t.dispose()` free now.
 *
 * Without them, storage is still freed once no tensor references it, by the backend's
 * `FinalizationRegistry`; but finalisers only run between event-loop tasks, so a long synchronous
 * loop (a training loop that never awaits) should wrap each step in `tidy`.
 * On the garbage-collected JS backend, releasing is a no-op.
 * @example
 * const loss = tidy(() => {
 *   const l = model.forward(x).sub(y).pow(2).mean();
 *   l.backward();
 *   return l;          // kept; every other intermediate is freed here
 * });
 * @module
 */
import type { Storage } from './backend.js';
import { Tensor } from './tensor.js';

declare module './tensor.js' {
  interface Tensor {
    /**
     * Frees this tensor's storage now. Other views of the same storage (reshapes, slices,
     * transposes) become unusable too: using any of them throws, naming the op and the backend.
     */
    dispose(): void;
    /** True once the storage this tensor views has been released. */
    readonly isDisposed: boolean;
  }
}

const scopes: Storage[][] = [];
const kept = new WeakSet<Storage>();

/**
 * Called by backends for every storage they create, so that an enclosing `tidy` can free it.
 * Returns true when a tidy tracks it: the tidy then frees it, or hands it to `Backend.escape` if
 * it survives every scope, so the backend may skip registering a finaliser until then.
 */
export function trackStorage(storage: Storage): boolean {
  if (scopes.length === 0) return false;
  scopes[scopes.length - 1].push(storage);
  return true;
}

/**
 * Adds the storages of the tensors in `value` (a tensor, arrays, maps, plain objects of them) to
 * `out`, with each tensor's `.grad` when `grads` is set.
 */
function collect(value: unknown, out: Set<Storage>, grads: boolean, seen = new Set<unknown>(), depth = 0): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || depth > 8) return;
  seen.add(value);
  if (value instanceof Tensor) {
    out.add(value.storage);
    if (grads && value.grad) collect(value.grad, out, grads, seen, depth + 1);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, grads, seen, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, grads, seen, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, grads, seen, depth + 1);
  }
}

function isThenable(x: unknown): boolean {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * Runs `fn` and frees every storage created during it, except those viewed by the tensors it returns
 * (directly, in arrays, maps or plain objects, and their `.grad`) and those passed to {@link keep}.
 * Storages it keeps are handed to the enclosing tidy, if any. If `fn` throws, everything it created
 * (and did not keep) is freed. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`tidy: expected a function, got ${typeof fn}`);
  const scope: Storage[] = [];
  scopes.push(scope);
  let result: T;
  let ok = false;
  try {
    result = fn();
    ok = true;
  } finally {
    scopes.pop();
    const survivors = new Set<Storage>();
    if (ok) collect(result!, survivors, true);
    const parent = scopes[scopes.length - 1];
    for (const s of scope) {
      if (survivors.has(s) || kept.has(s)) {
        if (parent && !kept.has(s)) parent.push(s);
        else s.backend.escape?.(s);
      } else {
        s.backend.release(s);
      }
    }
  }
  if (isThenable(result!)) {
    throw new Error('tidy: the function returned a Promise; tidy only tracks synchronous code (await outside it)');
  }
  return result!;
}

/**
 * Exempts a tensor's storage from every enclosing and future `tidy` (it is still freed by
 * `dispose()` or when unreachable). Use it for state created inside a tidy that must outlive it,
 * such as optimiser moments or a cached buffer. Returns the tensor.
 */
export function keep<T extends Tensor>(tensor: T): T {
  kept.add(tensor.storage);
  return tensor;
}

/** Frees the storage of every tensor in `value` (a tensor, or arrays/maps/plain objects of them). */
export function dispose(value: unknown): void {
  const found = new Set<Storage>();
  collect(value, found, false);
  for (const s of found) s.backend.release(s);
}

Tensor.prototype.dispose = function dispose(this: Tensor): void {
  this.backend.release(this.storage);
};

Object.defineProperty(Tensor.prototype, 'isDisposed', {
  get(this: Tensor): boolean {
    return (this.storage as { disposed?: boolean }).disposed === true;
  },
  configurable: true,
});
