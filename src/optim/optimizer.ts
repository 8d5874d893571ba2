/**
 * The optimiser base class, like `torch.optim.Optimizer`: parameter groups with per-group
 * hyper-parameters, lazily created per-parameter state, `zeroGrad`, `step` and state dicts.
 * Each algorithm is a subclass that keeps the state and calls a pure update function.
 * @module
 */
import { enableGrad, noGrad } from '../core/grad_mode.js';
import { keep } from '../core/memory.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { clone, detach } from '../ops/view.js';
import { to } from '../ops/elementwise.js';
import { fill_ } from '../ops/inplace.js';

/** Hyper-parameters every optimiser has. Others (momentum, betas…) are added by each algorithm. */
export interface BaseHyper {
  /** Learning rate γ. */
  lr: number;
}

/** Plain data a hyper-parameter or a state entry may hold (as a state dict keeps it). */
export type HyperValue = number | boolean | string | null | readonly number[];

/**
 * A parameter group as the optimiser keeps it: its tensors and every hyper-parameter, the
 * optimiser's defaults filled in. Schedulers write `lr` and add `initialLr`.
 */
export type ParamGroup<H extends BaseHyper = BaseHyper> = H & {
  /** The tensors this group updates. */
  params: Tensor[];
  /** The learning rate a scheduler started from (set by the first scheduler attached). */
  initialLr?: number;
};

/** A parameter group as given by the user: tensors plus any hyper-parameters that override the defaults. */
export type ParamGroupInput<H extends BaseHyper = BaseHyper> = Partial<H> & {
  /** The tensors of this group (a single tensor is accepted). */
  params: Iterable<Tensor> | Tensor;
};

/** What an optimiser is built from: tensors (one group) or parameter groups. */
export type Params<H extends BaseHyper = BaseHyper> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/** One entry of a parameter's state: a buffer, a counter, or null for a buffer not made yet. */
export type StateValue = Tensor | number | null;

/** A parameter's state: named buffers and counters (e.g. `{ step: 3, expAvg: Tensor, expAvgSq: Tensor }`). */
export type ParamState = Record<string, StateValue | undefined>;

/** A parameter group in a state dict: its hyper-parameters and its parameters as indices. */
export type ParamGroupState = { params: number[] } & Record<string, HyperValue | number[] | undefined>;

/**
 * An optimiser's state, as {@link Optimizer.stateDict} returns it and {@link Optimizer.loadStateDict}
 * takes it, laid out as PyTorch's: a parameter is its index in the order of the groups' params.
 * `state` holds an entry only for parameters that have state. Tensors are copies.
 * {@link splitStateDict} turns it into plain JSON data plus named tensors for a checkpoint.
 */
export interface OptimizerStateDict {
  /** State per parameter index. */
  state: Record<number, Record<string, StateValue>>;
  /** Hyper-parameters per group, params as indices. */
  paramGroups: ParamGroupState[];
}

/** A function that re-evaluates the model (calling backward) and returns the loss. */
export type Closure<T> = () => T;

/** Formats a number the way error messages show it. */
function show(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

/**
 * Base class of all optimisers. A subclass names the algorithm, gives defaults, checks a group's
 * hyper-parameters, creates a parameter's state and updates one parameter; the base does the rest.
 *
 * `step()` runs under noGrad: updates are in-place ops on the parameters and the state buffers.
 * A parameter whose `.grad` is null is skipped (its state is untouched), as in PyTorch.
 * @typeParam H the hyper-parameters of one group
 * @typeParam S the state of one parameter
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper, S extends ParamState = ParamState> {
  /** Algorithm name used in error messages, e.g. `Adam`. */
  readonly name: string;
  /** Hyper-parameters used for groups that don't set their own (undefined where a group must set it). */
  readonly defaults: Readonly<Partial<H>>;
  /** The parameter groups; change `lr` here (or with a scheduler) to change the learning rate. */
  paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created lazily on a parameter's first step. */
  state: Map<Tensor, S> = new Map();

  /**
   * @param name the algorithm, for error messages
   * @param params tensors, or parameter groups `[{ params, lr, … }]`
   * @param defaults hyper-parameters for groups that don't override them
   */
  protected constructor(name: string, params: Params<H>, defaults: Partial<H>) {
    this.name = name;
    this.defaults = Object.freeze({ ...defaults });
    if (params instanceof Tensor) {
      throw new Error(`${name}: params must be an iterable of Tensors or of parameter groups, got a single Tensor ${fmtShape(params.shape)}; wrap it in an array`);
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new Error(`${name}: params must be an iterable of Tensors or of parameter groups, got ${params === null ? 'null' : typeof params}`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<H>>)];
    if (list.length === 0) throw new Error(`${name}: got an empty parameter list`);
    const groups: ParamGroupInput<H>[] = list[0] instanceof Tensor
      ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<H>]
      : (list as ParamGroupInput<H>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Throws, naming the algorithm, when a merged group's hyper-parameters are out of range. */
  protected abstract checkGroup(group: H): void;

  /** A fresh state for `param` in `group` (zeros buffers, step 0…). */
  protected abstract initState(param: Tensor, group: ParamGroup<H>): S;

  /** Updates `param` (and its state) in place from `grad`. Runs under noGrad. */
  protected abstract update(param: Tensor, grad: Tensor, state: S, group: ParamGroup<H>): void;

  /**
   * Adds a group of parameters with its own hyper-parameters (the defaults fill the rest), e.g.
   * to start training layers that were frozen. A parameter may belong to one group only.
   */
  addParamGroup(group: ParamGroupInput<H>): void {
    if (group === null || typeof group !== 'object' || group instanceof Tensor || !('params' in group)) {
      throw new Error(`${this.name}: a parameter group must be an object with a 'params' field`);
    }
    const index = this.paramGroups.length;
    const raw = group.params;
    if (raw instanceof Set) {
      throw new Error(`${this.name}: parameter group ${index}: params must be ordered (an array), not a Set, so that state dicts map parameters consistently`);
    }
    const params = raw instanceof Tensor ? [raw] : [...raw];
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) {
        throw new Error(`${this.name}: parameter group ${index}: params[${i}] is ${p === null ? 'null' : typeof p}, not a Tensor`);
      }
      if (!p.isLeaf && !p.retainsGrad) {
        throw new Error(`${this.name}: parameter group ${index}: params[${i}] ${fmtShape(p.shape)} is not a leaf tensor (it comes from ${p.gradFn?.name}); optimise the leaf, or detach() it`);
      }
    });
    if (new Set(params).size !== params.length) {
      throw new Error(`${this.name}: parameter group ${index} lists the same tensor more than once`);
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) {
      throw new Error(`${this.name}: parameter group ${index} has parameters that are already in another group`);
    }
    const merged: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.defaults)) merged[k] = v;
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) merged[k] = v;
    for (const [k, v] of Object.entries(merged)) {
      if (v === undefined) throw new Error(`${this.name}: parameter group ${index} does not set the required hyper-parameter '${k}' (give it to ${this.name} or to the group)`);
    }
    this.checkGroup(merged as unknown as H);
    this.paramGroups.push({ ...(merged as unknown as H), params });
  }

  /**
   * Forgets the gradients of every parameter: sets `.grad` to null (PyTorch's `set_to_none=True`,
   * so a parameter that gets no gradient next time is skipped by `step`), or zeroes them in place.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else {
          const grad = p.grad;
          noGrad(() => fill_(grad, 0));
        }
      }
    }
  }

  /**
   * One update of every parameter that has a gradient. With a closure (which should zero the
   * gradients, compute the loss and call backward) the closure runs first, with grad enabled,
   * and its result is returned.
   */
  step<T = undefined>(closure?: Closure<T>): T | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p, group);
          this.update(p, p.grad, state, group);
          // State buffers (momentum, moments) outlive any tidy() the step runs in, as they must.
          for (const v of Object.values(state as object)) if (v instanceof Tensor) keep(v);
        }
      }
    });
    return loss;
  }

  /** The state of `param`, created on first use. */
  protected stateOf(param: Tensor, group: ParamGroup<H>): S {
    let s = this.state.get(param);
    if (s === undefined) {
      s = noGrad(() => this.initState(param, group));
      this.state.set(param, s);
    }
    return s;
  }

  /**
   * A snapshot of the optimiser: hyper-parameters per group and state per parameter, parameters
   * referred to by index (their order across the groups), state tensors copied. Pass it to
   * {@link Optimizer.loadStateDict} of an optimiser built over the same parameters to resume exactly.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, HyperValue | number[] | undefined> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k !== 'params') packed[k] = Array.isArray(v) ? [...(v as number[])] : (v as HyperValue);
      }
      const ids = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...packed, params: ids } as ParamGroupState;
    });
    const state: Record<number, Record<string, StateValue>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(s)) {
        if (v !== undefined) entry[k] = v instanceof Tensor ? noGrad(() => clone(detach(v))) : v;
      }
      state[i] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restores hyper-parameters and state saved by {@link Optimizer.stateDict}. The groups must have
   * the same number of parameters as when saved; state tensors are copied (cast to the parameter's
   * dtype), so the saved dict stays independent.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const saved = stateDict.paramGroups;
    if (!Array.isArray(saved) || saved.length !== this.paramGroups.length) {
      throw new Error(`${this.name}.loadStateDict: the saved state has ${Array.isArray(saved) ? saved.length : 'no'} parameter groups, this optimiser has ${this.paramGroups.length}`);
    }
    saved.forEach((g, i) => {
      const n = this.paramGroups[i].params.length;
      if (g.params.length !== n) {
        throw new Error(`${this.name}.loadStateDict: saved parameter group ${i} has ${g.params.length} parameters, this optimiser's has ${n}`);
      }
    });
    const byId = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => byId.set(id, this.paramGroups[i].params[j])));
    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const p = byId.get(Number(key));
      if (p === undefined) throw new Error(`${this.name}.loadStateDict: state for parameter ${key}, which no saved group lists`);
      const s: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(entry)) {
        if (v instanceof Tensor) {
          if (v.numel() !== 1 && (v.ndim !== p.ndim || v.shape.some((d, i) => d !== p.shape[i]))) {
            throw new Error(`${this.name}.loadStateDict: state '${k}' of parameter ${key} has shape ${fmtShape(v.shape)}, the parameter has ${fmtShape(p.shape)}`);
          }
          s[k] = noGrad(() => clone(v.dtype === p.dtype ? detach(v) : to(detach(v), p.dtype)));
        } else {
          s[k] = v;
        }
      }
      state.set(p, s as S);
    }
    this.paramGroups = this.paramGroups.map((g, i) => {
      const hyper: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(saved[i])) {
        if (k !== 'params') hyper[k] = Array.isArray(v) ? [...v] : v;
      }
      return { ...(hyper as unknown as H), params: g.params };
    });
    this.state = state;
  }

  /** PyTorch-style summary of the groups' hyper-parameters. */
  toString(): string {
    let s = `${this.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const k of Object.keys(g).filter((k) => k !== 'params').sort()) {
        s += `    ${k}: ${show((g as unknown as Record<string, unknown>)[k])}\n`;
      }
    });
    return `${s})`;
  }
}
