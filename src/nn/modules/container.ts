/**
 * Containers: `Sequential` (a pipeline) and `ModuleList` (an indexed list), like PyTorch's.
 * @module
 */
import type { Tensor } from '../../core/tensor.js';
import { Module, type AnyModule } from '../module.js';

/** A module that maps a tensor to a tensor: what Sequential chains. */
export type TensorModule = Module<[Tensor], Tensor>;

function modulesOf<M>(slots: [string, AnyModule | null][]): M[] {
  return slots.filter(([, m]) => m !== null).map(([, m]) => m as M);
}

function normalizeIndex(op: string, index: number, length: number): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new Error(`${op}: index ${index} is out of range for ${length} modules`);
  }
  return index < 0 ? index + length : index;
}

/**
 * Runs its children one after another: `forward(x) = m_k(…m_1(m_0(x)))`. Children are named
 * `0`, `1`, `2`… as in PyTorch (so keys read `0.weight`), or take the names of a Map.
 * @example const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 */
export class Sequential extends Module {
  /** `new Sequential(a, b, c)`, or `new Sequential(new Map([['fc', a], ['act', b]]))` for named children. */
  constructor(...modules: TensorModule[] | [Map<string, TensorModule>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first instanceof Map) {
      for (const [name, m] of first) this.registerModule(name, m);
    } else {
      (modules as TensorModule[]).forEach((m) => this.append(m));
    }
  }

  /** Number of children. */
  get length(): number {
    return this.childSlots().length;
  }

  /** The child at `index` (negative counts from the end). */
  at(index: number): TensorModule {
    const kids = modulesOf<TensorModule>(this.childSlots());
    return kids[normalizeIndex('Sequential.at', index, kids.length)];
  }

  /** Adds a module at the end, named by its position. Returns this. */
  append(module: TensorModule): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Iterates over the children in order. */
  [Symbol.iterator](): IterableIterator<TensorModule> {
    return modulesOf<TensorModule>(this.childSlots())[Symbol.iterator]();
  }

  override forward(x: Tensor): Tensor {
    for (const m of modulesOf<TensorModule>(this.childSlots())) x = m.call(x);
    return x;
  }
}

/**
 * Holds modules in a list so their parameters are registered (a plain array would hide them).
 * It has no forward: iterate over it in the parent's forward. Children are named `0`, `1`, `2`…
 * @example this.blocks = new nn.ModuleList([new nn.Linear(8, 8), new nn.Linear(8, 8)]);
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    return this.childSlots().length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    const kids = modulesOf<M>(this.childSlots());
    return kids[normalizeIndex('ModuleList.at', index, kids.length)];
  }

  /** Adds a module at the end. Returns this. */
  append(module: M): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Adds several modules at the end. Returns this. */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): IterableIterator<M> {
    return modulesOf<M>(this.childSlots())[Symbol.iterator]();
  }

  override forward(): never {
    throw new Error('ModuleList: has no forward(); iterate over it in the parent module\'s forward');
  }
}
