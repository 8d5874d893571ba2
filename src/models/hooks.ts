/**
 * Forward hooks for a scope: watch every submodule's `call` while a function runs, like PyTorch's
 * `register_forward_hook` but undone when the function returns. The model zoo uses it to name the
 * layer where a forward pass fails; `inspect` uses it to read activations at a chosen layer.
 * @module
 */
import type { AnyModule } from '../nn/module.js';

/** Callbacks of {@link withForwardHooks}; `path` is the dotted name under the root (`layer1.0.conv1`). */
export interface ForwardHooks {
  /** After a module returns, with its arguments and its output. */
  post?: (path: string, module: AnyModule, args: readonly unknown[], output: unknown) => void;
  /** When a module throws (innermost module first, then each enclosing one), before the error propagates. */
  error?: (path: string, module: AnyModule, args: readonly unknown[], error: unknown) => void;
}

type CallFn = (...args: unknown[]) => unknown;

/**
 * Runs `fn` with `hooks` on every module below `root` (the root itself excluded) and returns its
 * result. Each module gets an own, non-enumerable `call` that wraps the previous one, removed again
 * when `fn` returns or throws; scopes nest (the inner hooks run first). Modules added while `fn`
 * runs are not watched.
 * @example
 * const seen: string[] = [];
 * withForwardHooks(model, { post: (path) => seen.push(path) }, () => model.call(x));
 */
export function withForwardHooks<T>(root: AnyModule, hooks: ForwardHooks, fn: () => T): T {
  const patched: [AnyModule, PropertyDescriptor | undefined][] = [];
  try {
    for (const [path, m] of root.namedModules()) {
      if (path === '') continue;
      const previous = Object.getOwnPropertyDescriptor(m, 'call');
      const inner = m.call as CallFn;
      const wrapped: CallFn = (...args) => {
        let out: unknown;
        try {
          out = inner.apply(m, args);
        } catch (e) {
          hooks.error?.(path, m, args, e);
          throw e;
        }
        hooks.post?.(path, m, args, out);
        return out;
      };
      Object.defineProperty(m, 'call', { value: wrapped, configurable: true, enumerable: false, writable: true });
      patched.push([m, previous]);
    }
    return fn();
  } finally {
    for (let i = patched.length - 1; i >= 0; i--) {
      const [m, previous] = patched[i];
      if (previous) Object.defineProperty(m, 'call', previous);
      else delete (m as { call?: unknown }).call;
    }
  }
}

/** Thrown by a hook to end a forward pass early; never escapes {@link activationAt}. */
class StopForward {
  constructor(readonly value: unknown) {}
}

/** Options of {@link activationAt}. */
export interface ActivationOptions {
  /** Return the layer's input instead of its output (default false). */
  input?: boolean;
}

/**
 * Runs `model.forward(x)` until the submodule at `path` (a dotted name from `namedModules()`) has
 * run, and returns its output (or, with `input: true`, its first argument) — the rest of the
 * network is skipped. The result is part of the autograd graph, so gradients flow back from it.
 * @example models.activationAt(net, 'layer3', x) // ResNet features after layer3
 */
export function activationAt(model: AnyModule, path: string, x: unknown, options: ActivationOptions = {}): unknown {
  const names = model.namedModules().map(([p]) => p).filter((p) => p !== '');
  if (!names.includes(path)) {
    throw new Error(`activationAt: ${model.constructor.name} has no submodule '${path}' (it has: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''})`);
  }
  try {
    withForwardHooks(model, {
      post: (p, _m, args, out) => {
        if (p === path) throw new StopForward(options.input ? args[0] : out);
      },
    }, () => model.forward(x));
  } catch (e) {
    if (e instanceof StopForward) return e.value;
    throw e;
  }
  throw new Error(`activationAt: submodule '${path}' of ${model.constructor.name} did not run in the forward pass`);
}
