/**
 * `Module`: the base class of every layer and model, like `torch.nn.Module`.
 *
 * A module owns parameters, buffers and child modules, each under a name. Names join with dots
 * into PyTorch's keys (`features.3.bias`), so state dicts are portable both ways.
 *
 * Registration. Assigning a {@link Parameter} or a Module to a field registers it, as in PyTorch:
 * ```ts
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(4, 8);
 *   fc2 = new nn.Linear(8, 2);
 *   forward(x: Tensor): Tensor { return this.fc2.call(this.fc1.call(x).relu()); }
 * }
 * ```
 * JavaScript has no `__setattr__`, so fields are discovered lazily: whenever the module is walked
 * (parameters(), stateDict(), a register call…), its own enumerable properties are scanned in
 * insertion order and new Parameter/Module values are appended to the registry. Explicit
 * `registerParameter`, `registerModule` and `registerBuffer` record a name at once (and first
 * pick up earlier fields, so the order stays the order of assignment). Buffers are never
 * discovered from fields — a plain Tensor field may be a cache — they must be registered.
 *
 * Calling. JavaScript objects are not callable, so `module.call(x)` plays the part of `module(x)`;
 * it runs `forward(x)` (and is where hooks would go). Subclasses override `forward`.
 * @module
 */
import type { DType } from '../core/dtype.js';
import { isFloating } from '../core/dtype.js';
import { noGrad } from '../core/grad_mode.js';
import { fmtShape, sameShape } from '../core/shape.js';
import { keep } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import { copy_ } from '../ops/inplace.js';
import { to } from '../ops/elementwise.js';
import { detach } from '../ops/view.js';
import { Parameter } from './parameter.js';

/** Any module, whatever its forward signature (the element type of containers and walks). */
export type AnyModule = Module<unknown[], unknown>;

/** The innermost module whose forward threw each error, and its arguments. */
const failures = new WeakMap<object, { module: AnyModule; args: readonly unknown[] }>();

/**
 * The innermost module whose {@link Module.call} an error passed through, with the arguments it was
 * called with; null when the error did not come from a module's forward.
 */
export function failedModule(error: unknown): { module: AnyModule; args: readonly unknown[] } | null {
  return error !== null && typeof error === 'object' ? failures.get(error) ?? null : null;
}

/** A state dict: ordered names → tensors. */
export type StateDict = Map<string, Tensor>;

/** Options of {@link Module.stateDict}. */
export interface StateDictOptions {
  /** Prepended to every key (used for recursion; default ''). */
  prefix?: string;
  /** Return the parameters themselves rather than detached views of them (default false). */
  keepVars?: boolean;
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Refuse missing and unexpected keys (default true). Shape mismatches are always refused. */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} could not match. */
export interface LoadStateDictResult {
  /** Keys of this module that the dict lacks. */
  missingKeys: string[];
  /** Keys of the dict that this module lacks. */
  unexpectedKeys: string[];
}

/** Options of {@link Module.registerBuffer}. */
export interface RegisterBufferOptions {
  /** Include the buffer in the state dict (default true). */
  persistent?: boolean;
}

function checkName(owner: string, kind: string, name: string): void {
  if (typeof name !== 'string' || name === '') throw new Error(`${owner}.register${kind}: the name must be a non-empty string`);
  if (name.includes('.')) throw new Error(`${owner}.register${kind}: name '${name}' must not contain '.'`);
}

/** A module's own properties, by name (where registered parameters and children live). */
function slotsOf(m: object): Record<string, unknown> {
  return m as Record<string, unknown>;
}

/** Indents every line but the first by `n` spaces (PyTorch's `_addindent`). */
function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  return [lines[0], ...lines.slice(1).map((l) => ' '.repeat(n) + l)].join('\n');
}

/**
 * Base class of layers and models. `In` is the tuple of `forward`'s arguments, `Out` its result.
 * See the module docs above for how fields are registered and why `call` exists.
 */
export class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (the default), false after {@link Module.eval}; Dropout and BatchNorm read it. */
  training = true;

  // Registry: names in registration order. The values live on the instance itself (params and
  // modules as ordinary properties; buffers in #buffers behind accessors).
  readonly #paramNames = new Set<string>();
  readonly #moduleNames = new Set<string>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();

  /** Picks up Parameter and Module fields assigned since the last scan, in insertion order. */
  #discover(): void {
    const slots = slotsOf(this);
    for (const key of Object.keys(slots)) {
      const v = slots[key];
      if (v instanceof Parameter && !this.#paramNames.has(key) && !this.#buffers.has(key)) this.#paramNames.add(key);
      else if (v instanceof Module && !this.#moduleNames.has(key)) this.#moduleNames.add(key);
    }
  }

  /** The class name, as the repr and errors print it. */
  #cls(): string {
    return this.constructor.name;
  }

  /**
   * Adds a parameter under `name` (also reachable as `this[name]`). `null` reserves the name
   * (e.g. a layer built with `bias: false`); null parameters are skipped everywhere.
   */
  registerParameter(name: string, param: Parameter | null): void {
    checkName(this.#cls(), 'Parameter', name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new Error(`${this.#cls()}.registerParameter: '${name}' must be a Parameter or null; wrap a tensor as new Parameter(t)`);
    }
    this.#discover();
    this.#checkFree(name, 'Parameter');
    this.#paramNames.add(name);
    slotsOf(this)[name] = param;
  }

  /** Adds a child module under `name` (PyTorch's `add_module`), also reachable as `this[name]`. */
  registerModule(name: string, module: AnyModule | null): void {
    checkName(this.#cls(), 'Module', name);
    if (module !== null && !(module instanceof Module)) throw new Error(`${this.#cls()}.registerModule: '${name}' must be a Module or null`);
    this.#discover();
    this.#checkFree(name, 'Module');
    this.#moduleNames.add(name);
    slotsOf(this)[name] = module;
  }

  /**
   * Adds a buffer: a tensor that is part of the module's state but not learned (BatchNorm's running
   * statistics). Persistent buffers go into the state dict. It becomes reachable as `this[name]`.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: RegisterBufferOptions = {}): void {
    checkName(this.#cls(), 'Buffer', name);
    if (tensor !== null && !(tensor instanceof Tensor)) throw new Error(`${this.#cls()}.registerBuffer: '${name}' must be a Tensor or null`);
    if (tensor) keep(tensor); // module state outlives any enclosing tidy
    if (this.#buffers.has(name)) {
      this.#buffers.set(name, tensor);
    } else {
      this.#discover();
      this.#checkFree(name, 'Buffer');
      this.#buffers.set(name, tensor);
      const buffers = this.#buffers;
      Object.defineProperty(this, name, {
        configurable: true,
        enumerable: false,
        get: () => buffers.get(name) ?? null,
        set: (v: Tensor | null) => {
          if (v !== null && !(v instanceof Tensor)) throw new Error(`${this.#cls()}: buffer '${name}' must be set to a Tensor or null`);
          buffers.set(name, v && keep(v));
        },
      });
    }
    if (options.persistent === false) this.#nonPersistent.add(name);
    else this.#nonPersistent.delete(name);
  }

  /** The buffer registered as `name` (null if registered as null); throws if there is none. */
  getBuffer(name: string): Tensor | null {
    if (!this.#buffers.has(name)) throw new Error(`${this.#cls()}.getBuffer: no buffer named '${name}' (buffers: ${[...this.#buffers.keys()].join(', ') || 'none'})`);
    return this.#buffers.get(name) ?? null;
  }

  /** Throws unless `name` is free or already holds a `kind` (call after #discover). */
  #checkFree(name: string, kind: 'Parameter' | 'Module' | 'Buffer'): void {
    const own = Object.prototype.hasOwnProperty.call(this, name);
    const registered = this.#paramNames.has(name) || this.#moduleNames.has(name) || this.#buffers.has(name);
    const value = slotsOf(this)[name];
    const taken =
      (kind !== 'Parameter' && this.#paramNames.has(name)) ||
      (kind !== 'Module' && this.#moduleNames.has(name)) ||
      (kind !== 'Buffer' && this.#buffers.has(name)) ||
      (!own && name in this) ||
      (own && !registered && value !== undefined && value !== null);
    if (taken) throw new Error(`${this.#cls()}.register${kind}: attribute '${name}' already exists`);
  }

  /** Own parameters in registration order, null slots skipped. */
  #ownParameters(): [string, Parameter][] {
    this.#discover();
    const out: [string, Parameter][] = [];
    for (const name of this.#paramNames) {
      const v = slotsOf(this)[name];
      if (v instanceof Parameter) out.push([name, v]);
      else if (v instanceof Tensor) {
        throw new Error(`${this.#cls()}: '${name}' is a registered parameter but now holds a plain Tensor; assign new Parameter(t), or use registerBuffer`);
      }
    }
    return out;
  }

  #ownBuffers(persistentOnly: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.#buffers) if (t !== null && !(persistentOnly && this.#nonPersistent.has(name))) out.push([name, t]);
    return out;
  }

  /** Registered child slots in order, repeats and nulls included (what containers iterate). */
  protected childSlots(): [string, AnyModule | null][] {
    this.#discover();
    return [...this.#moduleNames].map((name) => {
      const v = slotsOf(this)[name];
      return [name, v instanceof Module ? v : null];
    });
  }

  /** Direct children with their names, in registration order (null slots skipped, shared ones once). */
  namedChildren(): [string, AnyModule][] {
    this.#discover();
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    for (const name of this.#moduleNames) {
      const v = slotsOf(this)[name];
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([name, v]);
      }
    }
    return out;
  }

  /** Direct children. */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all below it, pre-order, each once, named by dotted path ('' for this one). */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const walk = (m: AnyModule, p: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [name, child] of m.namedChildren()) walk(child, p ? `${p}.${name}` : name);
    };
    walk(this as unknown as AnyModule, prefix);
    return out;
  }

  /** This module and all below it, pre-order. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters of this module and (if `recurse`) its descendants with dotted names, e.g.
   * `0.weight`, `features.3.bias` — PyTorch's names and order. A shared parameter appears once.
   */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, AnyModule][] = recurse ? this.namedModules(prefix) : [[prefix, this as unknown as AnyModule]];
    for (const [p, m] of mods) {
      for (const [name, param] of m.#ownParameters()) {
        if (seen.has(param)) continue;
        seen.add(param);
        out.push([p ? `${p}.${name}` : name, param]);
      }
    }
    return out;
  }

  /** The parameters (what an optimiser takes). */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** Buffers (non-null) of this module and its descendants with dotted names. */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, AnyModule][] = recurse ? this.namedModules(prefix) : [[prefix, this as unknown as AnyModule]];
    for (const [p, m] of mods) {
      for (const [name, b] of m.#ownBuffers(false)) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([p ? `${p}.${name}` : name, b]);
      }
    }
    return out;
  }

  /** The buffers. */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** Number of parameter elements (each shared parameter counted once). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !options.trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.numel(), 0);
  }

  /** Sets training mode here and below (`mode = false` is {@link Module.eval}). Returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Evaluation mode: Dropout becomes the identity, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter (freeze with `false`). Returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Drops every parameter's gradient (sets `.grad = null`, like PyTorch's `set_to_none=True`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls `fn` on every child (recursively) and then on this module, like PyTorch's `apply`. Returns this. */
  apply(fn: (module: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this as unknown as AnyModule);
    return this;
  }

  /**
   * Converts floating parameters and buffers (not integer ones such as `num_batches_tracked`) to
   * `dtype`, in place for the module: parameters are replaced by new Parameters. Returns this.
   * Build optimisers after converting, as in PyTorch.
   */
  to(dtype: DType): this {
    // One replacement per tensor, so parameters shared between modules stay shared.
    const converted = new Map<Tensor, Tensor>();
    const convert = (t: Tensor, make: (c: Tensor) => Tensor): Tensor => {
      let c = converted.get(t);
      if (!c) {
        c = make(noGrad(() => to(detach(t), dtype)));
        converted.set(t, c);
      }
      return c;
    };
    for (const m of this.modules()) {
      for (const [name, p] of m.#ownParameters()) {
        if (!isFloating(p.dtype) || p.dtype === dtype) continue;
        slotsOf(m)[name] = convert(p, (c) => {
          const q = new Parameter(c, p.requiresGrad);
          if (p.grad) q.grad = noGrad(() => to(p.grad!, dtype));
          return q;
        });
      }
      for (const [name, b] of m.#buffers) {
        if (b !== null && isFloating(b.dtype) && b.dtype !== dtype) m.#buffers.set(name, convert(b, (c) => keep(c)));
      }
    }
    return this;
  }

  /** Converts floating parameters and buffers to float64 (for gradcheck). */
  double(): this {
    return this.to('float64');
  }

  /** Converts floating parameters and buffers to float32. */
  float(): this {
    return this.to('float32');
  }

  /**
   * The module's state: every parameter and persistent buffer, keyed by dotted name, in PyTorch's
   * order (each module's parameters, then its buffers, then its children, recursively). Values are
   * detached views sharing memory with the module (the tensors themselves with `keepVars`).
   * BatchNorm's buffers keep PyTorch's keys: `running_mean`, `running_var`, `num_batches_tracked`.
   */
  stateDict(options: StateDictOptions = {}): StateDict {
    const out: StateDict = new Map();
    const keepVars = options.keepVars ?? false;
    const walk = (m: AnyModule, p: string): void => {
      for (const [name, t] of m.#ownParameters()) out.set(p + name, keepVars ? t : detach(t));
      for (const [name, t] of m.#ownBuffers(true)) out.set(p + name, keepVars ? t : detach(t));
      m.#discover();
      for (const name of m.#moduleNames) {
        const child = slotsOf(m)[name];
        if (child instanceof Module) walk(child, `${p}${name}.`);
      }
    };
    walk(this as unknown as AnyModule, options.prefix ?? '');
    return out;
  }

  /**
   * Copies `state` (a Map or a plain object of name → tensor) into the parameters and buffers.
   * All keys and shapes are checked before anything is copied, so a failed load changes nothing.
   * Throws listing every size mismatch (key and both shapes) and, when `strict` (the default),
   * every missing and unexpected key. Values are converted to each target's dtype.
   */
  loadStateDict(state: StateDict | Readonly<Record<string, Tensor>>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const entries = state instanceof Map ? [...state.entries()] : Object.entries(state);
    const given = new Map<string, Tensor>(entries);
    const own = this.stateDict({ keepVars: true });
    const missingKeys: string[] = [];
    const errors: string[] = [];
    for (const [key, target] of own) {
      const src = given.get(key);
      if (src === undefined) {
        missingKeys.push(key);
      } else if (!(src instanceof Tensor)) {
        errors.push(`while copying the parameter named "${key}", expected a Tensor, got ${src === null ? 'null' : typeof src}`);
      } else if (!sameShape(src.shape, target.shape)) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${fmtShape(src.shape)} from checkpoint, the shape in current model is ${fmtShape(target.shape)}`);
      }
    }
    const unexpectedKeys = [...given.keys()].filter((k) => !own.has(k));
    if (strict) {
      if (unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
      if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    }
    if (errors.length) {
      throw new Error(`loadStateDict: error(s) in loading state_dict for ${this.#cls()}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      for (const [key, target] of own) {
        const src = given.get(key);
        if (src !== undefined) copy_(target, src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The computation. Subclasses override it; call modules through {@link Module.call}. */
  forward(...args: In): Out {
    void args;
    throw new Error(`${this.#cls()}: missing the required forward() method`);
  }

  /**
   * Runs the module: `module.call(x)` is PyTorch's `module(x)` (it calls {@link Module.forward}).
   * When forward throws, the innermost module that failed is noted on the error (see
   * {@link failedModule}), so a model can name the layer without hooking every call.
   */
  call(...args: In): Out {
    try {
      return this.forward(...args);
    } catch (e) {
      if (e !== null && typeof e === 'object' && !failures.has(e)) failures.set(e, { module: this as unknown as AnyModule, args });
      throw e;
    }
  }

  /** The text inside the parentheses of this module's repr, e.g. `inFeatures=4, outFeatures=3, bias=true`. */
  extraRepr(): string {
    return '';
  }

  /**
   * PyTorch-style summary: the class name with {@link Module.extraRepr}, children indented below.
   * @example
   * Sequential(
   *   (0): Linear(inFeatures=4, outFeatures=3, bias=true)
   *   (1): ReLU()
   * )
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    this.#discover();
    const childLines = [...this.#moduleNames].map((key) => {
      const child = slotsOf(this)[key];
      return `(${key}): ${addIndent(child instanceof Module ? child.toString() : 'None', 2)}`;
    });
    const lines = [...extraLines, ...childLines];
    let main = `${this.#cls()}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
  }

  /** Node's `console.log` prints the repr. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
