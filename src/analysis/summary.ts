/**
 * Model summary in the style of Keras' `model.summary()`: each layer's output shape and parameter
 * count, then the totals. The shapes come from one forward pass on zeros, traced by wrapping
 * every submodule's `call` for the duration of the pass (and restoring it afterwards).
 * @module
 */
import { zeros } from '../core/creation.js';
import type { DType } from '../core/dtype.js';
import { noGrad } from '../core/grad_mode.js';
import { tidy } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import type { AnyModule } from '../nn/module.js';
import { Module } from '../nn/module.js';

/** Options of {@link summary} and {@link summarize}. */
export interface SummaryOptions {
  /** Batch size of the traced input (default 1; shown as the first dim of every shape). */
  batchSize?: number;
  /** dtype of the traced input (default 'float32'). */
  dtype?: DType;
  /** Deepest nesting level listed (1 = the model's direct children; default: all). */
  depth?: number;
}

/** One traced call of a submodule. */
export interface SummaryRow {
  /** Dotted name (`features.3`). */
  readonly name: string;
  /** The module's class. */
  readonly type: string;
  /** 1 for the model's direct children, 2 for theirs, … */
  readonly depth: number;
  /** Shape of each tensor the call returned (one entry for a plain tensor; none for other results). */
  readonly outputShapes: readonly (readonly number[])[];
  /**
   * Parameters held by this module itself (not its children, which have rows of their own; at the
   * `depth` cut, the whole subtree's), on its first call; a module called again has 0 and `repeat` set.
   */
  readonly params: number;
  /** This module was already called (shared layer or reused activation). */
  readonly repeat: boolean;
}

/** The result of {@link summarize}. */
export interface ModelSummary {
  /** The model's class. */
  readonly model: string;
  /** The traced input shape, batch included. */
  readonly inputShape: readonly number[];
  /** One row per submodule call, in call order (a parent before its children). */
  readonly rows: readonly SummaryRow[];
  /** Parameter elements of the whole model, each shared parameter once (buffers not counted, as in PyTorch). */
  readonly totalParams: number;
  /** Those with requiresGrad. */
  readonly trainableParams: number;
  /** Those without (frozen). */
  readonly nonTrainableParams: number;
}

function fmtShape(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** 12345 → "12,345" (Keras' thousands separator). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function shapesOf(out: unknown): number[][] {
  if (out instanceof Tensor) return [[...out.shape]];
  if (Array.isArray(out)) return out.filter((t): t is Tensor => t instanceof Tensor).map((t) => [...t.shape]);
  return [];
}

type CallFn = (...args: unknown[]) => unknown;

/**
 * Traces one forward pass of `model` on zeros of shape [batchSize, ...inputShape] (in eval mode and
 * without gradients, so BatchNorm's running statistics and the training flags are left as they
 * were) and returns the rows and totals. Throws naming the submodule whose call failed.
 * @example summarize(net, [1, 28, 28]).rows.map((r) => r.outputShapes[0])
 */
export function summarize(model: AnyModule, inputShape: readonly number[], options: SummaryOptions = {}): ModelSummary {
  if (!(model instanceof Module)) throw new Error('summary: model must be an nn.Module');
  const batch = options.batchSize ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`summary: batchSize must be a positive integer, got ${batch}`);
  if (inputShape.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`summary: inputShape must hold positive integers, got ${fmtShape(inputShape)}`);
  const shape = [batch, ...inputShape];
  type Row = { -readonly [K in keyof SummaryRow]: SummaryRow[K] } & { subtree: number };
  const rows: Row[] = [];
  const seen = new Set<AnyModule>();
  const stack: string[] = [];
  let failedAt: string | null = null;
  const named = model.namedModules();
  const modes = named.map(([, m]) => m.training);
  const patched: { m: AnyModule; own: boolean; prev: unknown }[] = [];
  for (const [name, m] of named) {
    if (m === model) continue;
    const slots = m as unknown as Record<string, unknown>;
    const own = Object.prototype.hasOwnProperty.call(m, 'call');
    const original = slots.call as CallFn;
    patched.push({ m, own, prev: own ? slots.call : undefined });
    Object.defineProperty(m, 'call', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: (...args: unknown[]): unknown => {
        const repeat = seen.has(m);
        seen.add(m);
        const own = m.parameters(false).reduce((n, p) => n + p.numel(), 0);
        const row: Row = { name, type: m.constructor.name, depth: stack.length + 1, outputShapes: [], params: repeat ? 0 : own, repeat, subtree: repeat ? 0 : m.numParameters() };
        rows.push(row);
        stack.push(name);
        try {
          const out = original.apply(m, args);
          row.outputShapes = shapesOf(out);
          return out;
        } catch (e) {
          if (failedAt === null) {
            failedAt = name;
            const inputs = args.filter((a): a is Tensor => a instanceof Tensor).map((t) => fmtShape(t.shape)).join(', ');
            throw new Error(`summary: the forward pass failed in '${name}' (${m.constructor.name}) with input ${inputs}: ${(e as Error).message}`);
          }
          throw e;
        } finally {
          stack.pop();
        }
      },
    });
  }
  try {
    model.eval();
    tidy(() => {
      noGrad(() => model.call(zeros(shape, { dtype: options.dtype ?? 'float32' })));
    });
  } catch (e) {
    if (failedAt !== null) throw e;
    throw new Error(`summary: the forward pass of ${model.constructor.name} failed on input ${fmtShape(shape)}: ${(e as Error).message}`);
  } finally {
    for (const { m, own, prev } of patched) {
      if (own) (m as unknown as Record<string, unknown>).call = prev;
      else delete (m as unknown as Record<string, unknown>).call;
    }
    named.forEach(([, m], i) => { m.training = modes[i]; });
  }
  const params = model.parameters();
  const total = params.reduce((n, p) => n + p.numel(), 0);
  const trainable = params.filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0);
  const depth = options.depth ?? Infinity;
  return {
    model: model.constructor.name,
    inputShape: shape,
    // A row at the depth cut stands for its hidden children too, so its count is its whole subtree's.
    rows: rows.filter((r) => r.depth <= depth).map(({ subtree, ...r }) => (r.depth === depth ? { ...r, params: subtree } : r)),
    totalParams: total,
    trainableParams: trainable,
    nonTrainableParams: total - trainable,
  };
}

/** The summary as Keras prints it: a table of layers, output shapes and parameter counts, then the totals. */
export function formatSummary(s: ModelSummary): string {
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const body = s.rows.map((r) => [
    `${'  '.repeat(r.depth - 1)}${r.name} (${r.type})`,
    r.outputShapes.map(fmtShape).join(', ') || '-',
    r.repeat ? '(repeat)' : thousands(r.params),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c])).join('   ').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  return [
    `Model: ${s.model}, input ${fmtShape(s.inputShape)}`,
    rule('_'),
    line(header),
    rule('='),
    ...body.map(line),
    rule('='),
    `Total params: ${thousands(s.totalParams)}`,
    `Trainable params: ${thousands(s.trainableParams)}`,
    `Non-trainable params: ${thousands(s.nonTrainableParams)}`,
    rule('_'),
  ].join('\n');
}

/**
 * A Keras-style summary of `model` for one sample of shape `inputShape` (batch excluded, e.g.
 * [1, 28, 28]), as text: each submodule call with its output shape and its own parameter count
 * (children indented under their parent), then total / trainable / non-trainable parameters.
 * Use {@link summarize} for the rows as data.
 * @example console.log(analysis.summary(net, [1, 28, 28]));
 */
export function summary(model: AnyModule, inputShape: readonly number[], options: SummaryOptions = {}): string {
  return formatSummary(summarize(model, inputShape, options));
}
