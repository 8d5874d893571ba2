/**
 * Returning the memory of unreachable storages, also inside long synchronous loops.
 *
 * A `FinalizationRegistry` callback normally runs only between event-loop tasks, so a training loop
 * that never awaits would hold every intermediate it ever made. V8 can run the callbacks on demand
 * (`cleanupSome`) and collect garbage on demand (`gc`), but only exposes them behind flags that take
 * effect in contexts created after they are set: so the registry and `gc` come from a fresh `vm`
 * context made with those flags on (then switched off again). Where that fails, the plain registry
 * of this context is used and reclamation happens between tasks only.
 * @module
 */
import { createRequire } from 'node:module';

type Registry<T> = { register(target: object, held: T): void };
type CleanupSome = (this: Registry<unknown>) => void;

/** A finalisation registry that can also run its callbacks and a garbage collection on demand. */
export interface Reclaimer<T> {
  /** Calls the callback with `held` once `target` is garbage. */
  register(target: object, held: T): void;
  /** Runs the callbacks of targets already found dead (a no-op where unsupported). */
  cleanup(): void;
  /** A full garbage collection followed by {@link Reclaimer.cleanup}; false where unsupported. */
  collect(): boolean;
}

// The registry itself is always one of this context's: V8 runs its callbacks in the registry's own
// context, and a registry made in the vm context crashed Node's shutdown ("illegal access") when its
// pending callbacks ran after that context was torn down. Only the two functions are borrowed.
let tools: { cleanupSome: CleanupSome | null; gc: (() => void) | null } | null = null;

function loadTools(): { cleanupSome: CleanupSome | null; gc: (() => void) | null } {
  if (tools) return tools;
  tools = { cleanupSome: null, gc: null };
  try {
    const require = createRequire(import.meta.url);
    const v8 = require('node:v8') as { setFlagsFromString(f: string): void };
    const vm = require('node:vm') as { createContext(): object; runInContext(code: string, ctx: object): unknown };
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    v8.setFlagsFromString('--expose-gc');
    const ctx = vm.createContext();
    v8.setFlagsFromString('--no-harmony-weak-refs-with-cleanup-some');
    v8.setFlagsFromString('--no-expose-gc');
    const cleanupSome = vm.runInContext('FinalizationRegistry.prototype.cleanupSome', ctx) as CleanupSome | undefined;
    const gc = vm.runInContext('typeof gc === "function" ? gc : null', ctx) as (() => void) | null;
    if (typeof cleanupSome === 'function') tools = { cleanupSome, gc };
  } catch {
    // Not Node's V8, or the flags are gone: callbacks run between tasks only.
  }
  return tools;
}

/** A reclaimer calling `callback(held)` for each collected target. */
export function makeReclaimer<T>(callback: (held: T) => void): Reclaimer<T> {
  const { cleanupSome, gc } = loadTools();
  const registry = new FinalizationRegistry<T>(callback);
  const cleanup = (): void => {
    cleanupSome?.call(registry);
  };
  return {
    register: (target, held) => registry.register(target, held),
    cleanup,
    collect: () => {
      if (gc === null || cleanupSome === null) return false;
      gc();
      cleanup();
      return true;
    },
  };
}
