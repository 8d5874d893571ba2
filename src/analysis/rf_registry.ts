/**
 * The vocabulary of receptive-field descriptions ({@link RFNode}) and the registry of
 * descriptions per module class; `receptive_field.ts` has the maths and the walk.
 * @module
 */
import type { AnyModule } from '../nn/module.js';

/** One number for every spatial dim, or one per dim. */
export type DimArg = number | readonly number[];

/** Convolution or pooling: a sliding window (see the module docs for the formulas). */
export interface RFWindow {
  readonly kind: 'window';
  readonly kernel: DimArg;
  /** Default 1. */
  readonly stride?: DimArg;
  /** Padding before (top/left); also after unless `paddingAfter` says otherwise. Default 0. */
  readonly padding?: DimArg;
  /** Padding after (bottom/right) when it differs ('same' with an even kernel). */
  readonly paddingAfter?: DimArg;
  /** Default 1. */
  readonly dilation?: DimArg;
  /** Pooling's ceilMode: round the output size up (default false). */
  readonly ceilMode?: boolean;
  /** Shown in the row (default: the module's name). */
  readonly name?: string;
}

/**
 * Transposed convolution (also max-unpooling). Output o receives input i through tap a when
 * o = i·s − p + a·d, so it reads the inputs i = (o + p − a·d)/s that are integers
 * (the border ignored, as convolutions count their padding). Then
 * - n_out = (n − 1)·s − 2p + d·(k − 1) + 1 + outputPadding;
 * - j_out = j / s (the mean spacing of the outputs: s of them share each input step);
 * - r_out = r + j·max over o of (i_max(o) − i_min(o)), the worst case (e.g. k = s: r; k = 3, s = 2: r + j);
 * - s_out = s + j·(i_min(0) + i_max(0))/2, the centre of what output 0 reads (if it reads no input,
 *   only the bias, the centre of its window p − (d·(k − 1))/2, divided by s, stands in).
 */
export interface RFTranspose {
  readonly kind: 'transpose';
  readonly kernel: DimArg;
  readonly stride?: DimArg;
  readonly padding?: DimArg;
  readonly dilation?: DimArg;
  readonly outputPadding?: DimArg;
  readonly name?: string;
}

/**
 * Adaptive pooling to `outputSize` (null keeps a size). Window o covers [⌊o·n/m⌋, ⌈(o+1)·n/m⌉), so
 * it is treated as a pooling with stride n/m (exact when m divides n, else the mean step) whose
 * kernel is the largest window: r_out = r + (k_max − 1)·j; the start is the centre of window 0.
 * With outputSize 1 (global pooling) the kernel covers the whole remaining map.
 */
export interface RFAdaptive {
  readonly kind: 'adaptive';
  readonly outputSize: number | readonly (number | null)[];
  readonly name?: string;
}

/** Explicit padding: n_out = n + before + after, s_out = s − before·j (negative amounts crop). */
export interface RFPad {
  readonly kind: 'pad';
  readonly before: DimArg;
  readonly after: DimArg;
  readonly name?: string;
}

/**
 * Interpolation from n to m positions: j_out = j·n/m (j·(n − 1)/(m − 1) with `alignCorners`).
 * 'nearest' copies one input per output (r unchanged); 'linear' (bilinear per dim) blends two
 * neighbours (r + j, the worst case over outputs). The start is the centre of what output 0 reads:
 * input 0 for 'nearest', input ⌊n/(2m)⌋ for 'nearest-exact', and for 'linear' the midpoint of its
 * two taps i₀ and i₀ + 1, i₀ = ⌊max(0, n/(2m) − 1/2)⌋ (0 with alignCorners).
 */
export interface RFResize {
  readonly kind: 'resize';
  /** Output size (one per dim), or… */
  readonly size?: DimArg;
  /** …the factor (output = ⌊n·f⌋). */
  readonly scaleFactor?: DimArg;
  /** Default 'nearest'. */
  readonly mode?: 'nearest' | 'nearest-exact' | 'linear';
  /** Linear mode only (default false). */
  readonly alignCorners?: boolean;
  readonly name?: string;
}

/** Pointwise (activations, normalisation, dropout): nothing changes. */
export interface RFIdentity {
  readonly kind: 'identity';
  readonly name?: string;
}

/** Flatten: the map becomes a vector; layers after it see positions no more, except `global` ones. */
export interface RFFlatten {
  readonly kind: 'flatten';
  readonly name?: string;
}

/**
 * A layer that mixes every position of a flattened map (Linear after Flatten): a window covering
 * the whole map, so the output sees everything the map saw.
 */
export interface RFGlobal {
  readonly kind: 'global';
  readonly name?: string;
}

/** How one layer transforms positions. */
export type RFLayer = RFWindow | RFTranspose | RFAdaptive | RFPad | RFResize | RFIdentity | RFFlatten | RFGlobal;

/** Paths that all start from the same input and are merged (added or concatenated) at the end. */
export interface RFParallel {
  readonly parallel: readonly RFNode[];
  /** Shown in the merge row (default: the module's name). */
  readonly name?: string;
}

/** A module, a layer transform, a sequence (array, empty = identity) or parallel paths. */
export type RFNode = AnyModule | RFLayer | readonly RFNode[] | RFParallel;

/** Describes a module of some class as an {@link RFNode} (usually its layer transform or its children). */
export type RFDescriber<M> = (module: M) => RFNode;

/** The optional hook a module implements to describe itself. */
export interface HasReceptiveFieldGraph {
  receptiveFieldGraph(): RFNode;
}

// Keyed by constructor; looked up along the prototype chain so subclasses inherit descriptions.
const registry = new Map<object, RFDescriber<AnyModule>>();

/**
 * Registers how modules of class `cls` (and its subclasses, unless they have their own entry)
 * transform receptive fields.
 * @example registerReceptiveField(MyPool, (m) => ({ kind: 'window', kernel: m.k, stride: m.k }))
 */
export function registerReceptiveField<M extends AnyModule>(cls: { readonly prototype: M }, describe: RFDescriber<M>): void {
  registry.set(cls, describe as RFDescriber<AnyModule>);
}

function hasGraph(m: AnyModule): m is AnyModule & HasReceptiveFieldGraph {
  return typeof (m as Partial<HasReceptiveFieldGraph>).receptiveFieldGraph === 'function';
}

/** The description of `m`: its own hook, else its class's registered describer; throws naming the module otherwise. */
export function describeModule(m: AnyModule, name: string): RFNode {
  if (hasGraph(m)) return m.receptiveFieldGraph();
  for (let p: object | null = Object.getPrototypeOf(m) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const describe = registry.get((p as { constructor: object }).constructor);
    if (describe) return describe(m);
  }
  throw new Error(
    `receptiveField: no receptive-field description for ${m.constructor.name} '${name || '(root)'}'; give the class a ` +
      'receptiveFieldGraph() method (e.g. { parallel: [[conv1, relu, conv2], []] } for a residual block) or call registerReceptiveField',
  );
}

