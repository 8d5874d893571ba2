/**
 * Receptive-field analysis: for every layer of a convolutional network, the output size, the
 * receptive field, the jump (effective stride) and the start offset, per spatial dim, and
 * whether the last layer sees the whole input (the course's rule for classification nets:
 * the receptive field must be at least the input size).
 *
 * ## The recurrence (per spatial dim)
 * Positions are pixel indices of the network's input: pixel i has its centre at i. The input
 * starts with size n₀, jump j₀ = 1, receptive field r₀ = 1, start s₀ = 0. A window layer with
 * kernel k, stride s, padding p (before) and dilation d, k_eff = d·(k − 1) + 1, maps
 * - n_out = ⌊(n + p + p_after − k_eff) / s⌋ + 1 (pooling's ceilMode rounds up);
 * - j_out = j·s;
 * - r_out = r + (k_eff − 1)·j;
 * - s_out = s + ((k_eff − 1)/2 − p)·j (the centre of the first output's receptive field).
 * The receptive field of output position o is then centred at s_out + o·j_out and spans r_out
 * pixels (it may reach beyond the image, into the padding).
 *
 * ## Describing a model
 * Each module is described by an {@link RFNode}: a layer transform ({@link RFLayer}), a
 * sequence (an array), or parallel paths ({@link RFParallel}). The description is found, in order:
 * 1. the module's own `receptiveFieldGraph()` method, if it has one — how a model author
 *    describes a composite whose `forward` is not a Sequential, in a few lines:
 *    ```ts
 *    class BasicBlock extends nn.Module {
 *      …
 *      receptiveFieldGraph(): RFNode {
 *        return { parallel: [[this.conv1, this.bn1, this.relu, this.conv2, this.bn2], this.shortcut ?? []] };
 *      }
 *    }
 *    ```
 *    (an empty array is the identity shortcut; an Inception module lists its four branches);
 * 2. a description registered for its class (or a parent class) with {@link registerReceptiveField} —
 *    every built-in layer is registered in `rf_layers.ts`;
 * 3. otherwise it is an error naming the module and these two ways out.
 *
 * Parallel paths (residual additions, Inception concatenations) must agree on output size and
 * jump; their receptive fields are merged by the union of the intervals they cover, which is the
 * maximum over paths when the paths are centred alike (the usual case: 'same'-style padding).
 * @module
 */
import type { AnyModule } from '../nn/module.js';
import { Module } from '../nn/module.js';
import { describeModule, type DimArg, type RFLayer, type RFNode, type RFParallel } from './rf_registry.js';
// Registers the built-in layers' descriptions.
import './rf_layers.js';

export {
  registerReceptiveField, type DimArg, type RFWindow, type RFTranspose, type RFAdaptive, type RFPad, type RFResize,
  type RFIdentity, type RFFlatten, type RFGlobal, type RFLayer, type RFParallel, type RFNode, type RFDescriber,
  type HasReceptiveFieldGraph,
} from './rf_registry.js';

/** One row of the analysis: the state after a layer. All arrays hold one entry per spatial dim. */
export interface RFRow {
  /** Dotted module name (`features.3`), or the layer's `name`. */
  readonly name: string;
  /** The module's class, or the layer kind for described layers; merges read `Class (merge of k paths)`. */
  readonly type: string;
  /** Spatial size of the output map (1 per dim after a global layer). */
  readonly outputSize: readonly number[];
  /** Receptive field size in input pixels (may exceed the input: it counts padding). */
  readonly receptiveField: readonly number[];
  /** Distance in input pixels between neighbouring outputs (the product of strides). */
  readonly jump: readonly number[];
  /** Centre of output 0's receptive field in input pixel coordinates (pixel i is centred at i). */
  readonly start: readonly number[];
  /** receptiveField ≥ input size in every dim. */
  readonly coversInput: boolean;
}

/** The result of {@link receptiveField}. */
export interface ReceptiveFieldResult {
  /** The spatial input size the analysis started from. */
  readonly inputSize: readonly number[];
  /** One row per layer, in execution order (parallel paths one after another, then a merge row). */
  readonly layers: readonly RFRow[];
  /** The receptive field of the last layer. */
  readonly receptiveField: readonly number[];
  /** The course's rule for classification nets: the last layer's receptive field ≥ the input size in every dim. */
  readonly seesWholeImage: boolean;
}

/** Per-dim state of the recurrence. */
interface Dim {
  size: number;
  jump: number;
  rf: number;
  start: number;
}

interface State {
  readonly dims: readonly Dim[];
  readonly flattened: boolean;
}

function expand(what: string, v: DimArg | undefined, n: number, fallback: number): number[] {
  if (v === undefined) return new Array<number>(n).fill(fallback);
  const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v.length === 1 ? new Array<number>(n).fill(v[0]) : [...v];
  if (list.length !== n || list.some((x) => !Number.isFinite(x))) {
    throw new Error(`receptiveField: ${what} must be one number or ${n} numbers (one per spatial dim), got ${JSON.stringify(v)}`);
  }
  return list;
}

function layerName(layer: RFLayer | RFParallel, fallback: string): string {
  return layer.name ?? fallback;
}

function fmt(v: readonly number[]): string {
  return `[${v.join(', ')}]`;
}

/** Applies one layer transform to every dim. */
function applyLayer(layer: RFLayer, state: State, where: string): State {
  const n = state.dims.length;
  const spatialOnly = (): void => {
    if (state.flattened) throw new Error(`receptiveField: ${layer.kind} layer '${where}' comes after a Flatten; it needs a spatial map`);
  };
  switch (layer.kind) {
    case 'identity':
    case 'flatten':
      return { dims: state.dims, flattened: state.flattened || layer.kind === 'flatten' };
    case 'global':
      if (!state.flattened) {
        throw new Error(`receptiveField: '${where}' mixes all positions only after a Flatten, but gets an unflattened map of size ${fmt(state.dims.map((d) => d.size))}; add nn.Flatten before it`);
      }
      return {
        flattened: true,
        dims: state.dims.map((d) => ({ size: 1, jump: d.jump * d.size, rf: d.rf + (d.size - 1) * d.jump, start: d.start + ((d.size - 1) / 2) * d.jump })),
      };
    case 'window': {
      spatialOnly();
      const k = expand('kernel', layer.kernel, n, 1);
      const s = expand('stride', layer.stride, n, 1);
      const p = expand('padding', layer.padding, n, 0);
      const pa = expand('paddingAfter', layer.paddingAfter ?? layer.padding, n, 0);
      const dil = expand('dilation', layer.dilation, n, 1);
      const dims = state.dims.map((d, i) => {
        const kEff = dil[i] * (k[i] - 1) + 1;
        let size = Math.floor((d.size + p[i] + pa[i] - kEff) / s[i]) + 1;
        // PyTorch's ceil mode keeps a last partial window only if it starts inside the input or left padding.
        if (layer.ceilMode) {
          size = Math.floor((d.size + p[i] + pa[i] - kEff + s[i] - 1) / s[i]) + 1;
          if ((size - 1) * s[i] >= d.size + p[i]) size--;
        }
        return { size, jump: d.jump * s[i], rf: d.rf + (kEff - 1) * d.jump, start: d.start + ((kEff - 1) / 2 - p[i]) * d.jump };
      });
      return { flattened: false, dims: checkSizes(dims, where, state) };
    }
    case 'transpose': {
      spatialOnly();
      const k = expand('kernel', layer.kernel, n, 1);
      const s = expand('stride', layer.stride, n, 1);
      const p = expand('padding', layer.padding, n, 0);
      const dil = expand('dilation', layer.dilation, n, 1);
      const op = expand('outputPadding', layer.outputPadding, n, 0);
      const dims = state.dims.map((d, i) => {
        const kEff = dil[i] * (k[i] - 1) + 1;
        // Which inputs output o reads: i = (o + p − a·d)/s for the taps a where that is an integer.
        const reads = (o: number): number[] => {
          const out: number[] = [];
          for (let a = 0; a < k[i]; a++) {
            const t = o + p[i] - a * dil[i];
            if (((t % s[i]) + s[i]) % s[i] === 0) out.push(t / s[i]);
          }
          return out;
        };
        let spread = 0;
        for (let o = 0; o < s[i]; o++) {
          const r = reads(o);
          if (r.length) spread = Math.max(spread, Math.max(...r) - Math.min(...r));
        }
        const first = reads(0);
        const centre = first.length ? (Math.min(...first) + Math.max(...first)) / 2 : (p[i] - (kEff - 1) / 2) / s[i];
        return {
          size: (d.size - 1) * s[i] - 2 * p[i] + kEff + op[i],
          jump: d.jump / s[i],
          rf: d.rf + spread * d.jump,
          start: d.start + centre * d.jump,
        };
      });
      return { flattened: false, dims: checkSizes(dims, where, state) };
    }
    case 'adaptive': {
      spatialOnly();
      const raw = typeof layer.outputSize === 'number' ? new Array<number>(n).fill(layer.outputSize) : layer.outputSize.length === 1 ? new Array<number | null>(n).fill(layer.outputSize[0]) : [...layer.outputSize];
      if (raw.length !== n) throw new Error(`receptiveField: adaptive outputSize ${JSON.stringify(layer.outputSize)} of '${where}' needs ${n} entries`);
      const dims = state.dims.map((d, i) => {
        const m = raw[i] ?? d.size;
        let kMax = 0;
        for (let o = 0; o < m; o++) kMax = Math.max(kMax, Math.ceil(((o + 1) * d.size) / m) - Math.floor((o * d.size) / m));
        const k0 = Math.ceil(d.size / m);
        return { size: m, jump: (d.jump * d.size) / m, rf: d.rf + (kMax - 1) * d.jump, start: d.start + ((k0 - 1) / 2) * d.jump };
      });
      return { flattened: false, dims };
    }
    case 'pad': {
      spatialOnly();
      const b = expand('before', layer.before, n, 0);
      const a = expand('after', layer.after, n, 0);
      const dims = state.dims.map((d, i) => ({ size: d.size + b[i] + a[i], jump: d.jump, rf: d.rf, start: d.start - b[i] * d.jump }));
      return { flattened: false, dims: checkSizes(dims, where, state) };
    }
    case 'resize': {
      spatialOnly();
      if ((layer.size === undefined) === (layer.scaleFactor === undefined)) throw new Error(`receptiveField: resize '${where}' needs exactly one of size and scaleFactor`);
      const out = layer.size !== undefined
        ? expand('size', layer.size, n, 1)
        : expand('scaleFactor', layer.scaleFactor, n, 1).map((f, i) => Math.floor(state.dims[i].size * f));
      const mode = layer.mode ?? 'nearest';
      const dims = state.dims.map((d, i) => {
        const [n0, m] = [d.size, out[i]];
        const align = layer.alignCorners === true && mode === 'linear';
        const jump = align ? (m > 1 ? (d.jump * (n0 - 1)) / (m - 1) : d.jump) : (d.jump * n0) / m;
        if (mode !== 'linear' || n0 === 1) {
          const i0 = mode === 'nearest-exact' ? Math.min(Math.floor(n0 / (2 * m)), n0 - 1) : 0;
          return { size: m, jump, rf: d.rf, start: d.start + i0 * d.jump };
        }
        const i0 = align ? 0 : Math.min(Math.floor(Math.max(0, n0 / (2 * m) - 0.5)), n0 - 2);
        return { size: m, jump, rf: d.rf + d.jump, start: d.start + (i0 + 0.5) * d.jump };
      });
      return { flattened: false, dims: checkSizes(dims, where, state) };
    }
    default:
      throw new Error(`receptiveField: unknown layer kind '${(layer as { kind: string }).kind}' at '${where}'`);
  }
}

function checkSizes(dims: Dim[], where: string, before: State): Dim[] {
  if (dims.some((d) => !(d.size >= 1))) {
    throw new Error(`receptiveField: '${where}' gives output size ${fmt(dims.map((d) => d.size))} from input size ${fmt(before.dims.map((d) => d.size))}`);
  }
  return dims;
}

function isLayer(node: object): node is RFLayer {
  return 'kind' in node;
}

function isParallel(node: object): node is RFParallel {
  return 'parallel' in node;
}

/** Walks the description, appending rows; `names` maps modules to their dotted names. */
class Walker {
  readonly rows: RFRow[] = [];

  constructor(private readonly names: Map<AnyModule, string>, private readonly inputSize: readonly number[]) {}

  row(name: string, type: string, state: State): void {
    const rf = state.dims.map((d) => d.rf);
    this.rows.push({
      name: name === '' ? '(root)' : name,
      type,
      outputSize: state.dims.map((d) => d.size),
      receptiveField: rf,
      jump: state.dims.map((d) => d.jump),
      start: state.dims.map((d) => d.start),
      coversInput: rf.every((r, i) => r >= this.inputSize[i]),
    });
  }

  walk(node: RFNode, state: State, context: string, depth: number): State {
    if (depth > 64) throw new Error(`receptiveField: description nested too deeply at '${context}' (a module describing itself?)`);
    if (node instanceof Module) {
      const name = this.names.get(node) ?? context;
      const described = describeModule(node, name);
      if (isLayer(described as object) && !(described instanceof Module)) {
        const next = applyLayer(described as RFLayer, state, name);
        this.row(name, node.constructor.name, next);
        return next;
      }
      return this.walk(described, state, name, depth + 1);
    }
    if (Array.isArray(node)) {
      let s = state;
      node.forEach((child: RFNode) => { s = this.walk(child, s, context, depth + 1); });
      return s;
    }
    const obj = node as RFLayer | RFParallel;
    if (isParallel(obj)) return this.merge(obj, state, context, depth);
    if (isLayer(obj)) {
      const name = layerName(obj, context ? `${context}.${obj.kind}` : obj.kind);
      const next = applyLayer(obj, state, name);
      this.row(name, obj.kind, next);
      return next;
    }
    throw new Error(`receptiveField: cannot read the description at '${context}': expected a Module, a layer { kind }, an array or { parallel }`);
  }

  merge(node: RFParallel, state: State, context: string, depth: number): State {
    if (node.parallel.length === 0) throw new Error(`receptiveField: parallel block '${context}' has no paths`);
    const outs = node.parallel.map((path) => this.walk(path, state, context, depth + 1));
    const name = layerName(node, context);
    const first = outs[0];
    outs.forEach((o, k) => {
      const same = o.flattened === first.flattened && o.dims.every((d, i) => d.size === first.dims[i].size && Math.abs(d.jump - first.dims[i].jump) < 1e-9);
      if (!same) {
        throw new Error(
          `receptiveField: the paths of '${name}' disagree: path 0 gives size ${fmt(first.dims.map((d) => d.size))} and jump ${fmt(first.dims.map((d) => d.jump))}, ` +
            `path ${k} gives size ${fmt(o.dims.map((d) => d.size))} and jump ${fmt(o.dims.map((d) => d.jump))}`,
        );
      }
    });
    // Union of the intervals [start − (r − 1)/2, start + (r − 1)/2] covered by output 0 on each path.
    const dims = first.dims.map((d, i) => {
      const lo = Math.min(...outs.map((o) => o.dims[i].start - (o.dims[i].rf - 1) / 2));
      const hi = Math.max(...outs.map((o) => o.dims[i].start + (o.dims[i].rf - 1) / 2));
      return { size: d.size, jump: d.jump, rf: hi - lo + 1, start: (lo + hi) / 2 };
    });
    const merged = { dims, flattened: first.flattened };
    const owner = [...this.names.entries()].find(([, n]) => n === context)?.[0];
    this.row(name, `${owner && node.name === undefined ? owner.constructor.name : 'parallel'} (merge of ${outs.length} paths)`, merged);
    return merged;
  }
}

/**
 * Receptive field of every layer of `model` for an input of one sample's shape `inputShape`
 * ([C, H, W] for 2-d, [C, L] for 1-d; the channel count is not used). Analytic: nothing runs.
 * See the module docs for the formulas, the conventions and how composite modules describe
 * themselves.
 * @example
 * const r = receptiveField(net, [1, 32, 32]);
 * r.layers.map((l) => l.receptiveField[0]); // [5, 6, 14, 16, 32, …]
 * r.seesWholeImage; // true
 */
export function receptiveField(model: AnyModule, inputShape: readonly number[]): ReceptiveFieldResult {
  if (!(model instanceof Module)) throw new Error('receptiveField: model must be an nn.Module');
  if (inputShape.length < 2 || inputShape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`receptiveField: inputShape must be one sample's shape [C, ...spatial] with at least one spatial dim, got ${fmt(inputShape)}`);
  }
  const inputSize = inputShape.slice(1);
  const names = new Map(model.namedModules().map(([name, m]) => [m, name || '(root)'] as [AnyModule, string]));
  const walker = new Walker(names, inputSize);
  const start: State = { flattened: false, dims: inputSize.map((size) => ({ size, jump: 1, rf: 1, start: 0 })) };
  const end = walker.walk(model, start, '', 0);
  const rf = end.dims.map((d) => d.rf);
  return { inputSize, layers: walker.rows, receptiveField: rf, seesWholeImage: rf.every((r, i) => r >= inputSize[i]) };
}

/**
 * The analysis as a table: one line per layer with output size, receptive field, jump and start
 * (dims joined by ×), and a last line with the course's verdict.
 */
export function formatReceptiveField(result: ReceptiveFieldResult): string {
  const x = (v: readonly number[]): string => v.map((e) => String(Math.round(e * 1000) / 1000)).join('×');
  const header = ['Layer (type)', 'Output', 'RF', 'Jump', 'Start'];
  const body = result.layers.map((l) => [`${l.name} (${l.type})`, x(l.outputSize), x(l.receptiveField), x(l.jump), x(l.start)]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const verdict = result.seesWholeImage
    ? `The last layer sees the whole ${x(result.inputSize)} input (receptive field ${x(result.receptiveField)}).`
    : `The last layer does NOT see the whole ${x(result.inputSize)} input (receptive field ${x(result.receptiveField)}).`;
  return [line(header), ...body.map(line), verdict].join('\n');
}
