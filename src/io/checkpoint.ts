/**
 * Full training checkpoints in one safetensors file: model weights, optimiser and scheduler state,
 * epoch, random generator state and free-form JSON metadata, written atomically so an
 * interrupted run can resume from the last complete checkpoint.
 *
 * Layout: the model's tensors under `model.<name>` (names as in `stateDict()`), the optimiser's
 * under `optimizer.<path>` (e.g. `optimizer.state.0.exp_avg`), the scheduler's under
 * `scheduler.<path>`; in `__metadata__`, JSON strings: `format` (`glubina.checkpoint`),
 * `version`, `epoch`, `rng_state`, `optimizer` and `scheduler` (their state with each tensor
 * replaced by `{"$tensor": name}`) and `metadata`.
 *
 * The container is generic: it takes state dicts and plain JSON, and knows nothing of nn or optim.
 * @module
 */
import type { Tensor } from '../core/tensor.js';
import { loadSafetensors, parseSafetensors, safetensorsChunks, type SafetensorsData, type SafetensorsReadOptions, type TensorMap } from './safetensors.js';
import { writeFileAtomic } from './atomic.js';
import { flattenTree, unflattenTree, type JsonValue } from './state_tree.js';

const FORMAT = 'glubina.checkpoint';
const VERSION = '1';

/** What a checkpoint holds. Everything but `model` is optional. */
export interface Checkpoint {
  /** The model's state dict (`model.stateDict()`). */
  model: TensorMap;
  /** The optimiser's state dict (`optimizer.stateDict()`): plain data and tensors. */
  optimizer?: object | null;
  /** The learning-rate scheduler's state dict. */
  scheduler?: object | null;
  /** Epochs completed. */
  epoch?: number | null;
  /** The random generator's state (`getRngState()`). */
  rngState?: readonly number[] | null;
  /** Anything else, as JSON (history, arguments, best accuracy…). */
  metadata?: JsonValue;
}

/** A checkpoint as loaded: absent parts are null. */
export interface LoadedCheckpoint<O = unknown, S = unknown> {
  model: Map<string, Tensor>;
  optimizer: O | null;
  scheduler: S | null;
  epoch: number | null;
  rngState: number[] | null;
  metadata: JsonValue;
}

/** The checkpoint as the tensors and metadata strings of one safetensors file. */
export function packCheckpoint(ckpt: Checkpoint): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const op = 'saveCheckpoint';
  const tensors = new Map<string, Tensor>();
  const modelEntries = ckpt.model instanceof Map ? [...ckpt.model.entries()] : Object.entries(ckpt.model as Record<string, Tensor>);
  for (const [k, t] of modelEntries) tensors.set(`model.${k}`, t);
  const metadata: Record<string, string> = { format: FORMAT, version: VERSION };
  if (ckpt.optimizer != null) metadata.optimizer = JSON.stringify(flattenTree(op, ckpt.optimizer, 'optimizer', tensors));
  if (ckpt.scheduler != null) metadata.scheduler = JSON.stringify(flattenTree(op, ckpt.scheduler, 'scheduler', tensors));
  if (ckpt.epoch != null) {
    if (!Number.isInteger(ckpt.epoch) || ckpt.epoch < 0) throw new Error(`${op}: epoch must be a non-negative integer, got ${ckpt.epoch}`);
    metadata.epoch = String(ckpt.epoch);
  }
  if (ckpt.rngState != null) metadata.rng_state = JSON.stringify(checkRngState(op, ckpt.rngState));
  if (ckpt.metadata !== undefined) {
    const extra = JSON.stringify(ckpt.metadata);
    if (extra === undefined) throw new Error(`${op}: metadata must be JSON data`);
    metadata.metadata = extra;
  }
  return { tensors, metadata };
}

function checkRngState(op: string, s: unknown): number[] {
  if (!Array.isArray(s) || s.length === 0 || !s.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
    throw new Error(`${op}: rng state must be a list of unsigned 32-bit integers, got ${JSON.stringify(s)}`);
  }
  return [...(s as number[])];
}

/**
 * Saves a checkpoint atomically as one safetensors file (temporary file, fsync, rename).
 * @example
 * io.saveCheckpoint('run/last.safetensors', {
 *   model: model.stateDict(), optimizer: opt.stateDict(), scheduler: sched.stateDict(),
 *   epoch, rngState: getRngState(), metadata: { history },
 * });
 */
export function saveCheckpoint(path: string, ckpt: Checkpoint): void {
  const { tensors, metadata } = packCheckpoint(ckpt);
  writeFileAtomic(path, safetensorsChunks(tensors, metadata));
}

/** Reads a checkpoint from parsed safetensors data, validating its structure. */
export function unpackCheckpoint<O = unknown, S = unknown>(data: SafetensorsData, name = '<buffer>'): LoadedCheckpoint<O, S> {
  const op = `loadCheckpoint: ${name}`;
  const m = data.metadata;
  if (m.format !== FORMAT) {
    throw new Error(`${op}: not a glubina checkpoint (metadata format is ${JSON.stringify(m.format ?? null)}, expected "${FORMAT}"); plain weights load with loadSafetensors`);
  }
  if (m.version !== VERSION) throw new Error(`${op}: checkpoint version ${JSON.stringify(m.version)} is not supported (expected ${VERSION})`);
  const json = (key: string): unknown => {
    if (m[key] === undefined) return undefined;
    try {
      return JSON.parse(m[key]);
    } catch (e) {
      throw new Error(`${op}: metadata '${key}' is not valid JSON (${(e as Error).message})`);
    }
  };
  const used = new Set<string>();
  const model = new Map<string, Tensor>();
  for (const [k, t] of data.tensors) {
    if (k.startsWith('model.')) {
      model.set(k.slice(6), t);
      used.add(k);
    }
  }
  const optimizerJson = json('optimizer');
  const schedulerJson = json('scheduler');
  const optimizer = optimizerJson === undefined ? null : (unflattenTree(op, optimizerJson, data.tensors, used) as O);
  const scheduler = schedulerJson === undefined ? null : (unflattenTree(op, schedulerJson, data.tensors, used) as S);
  const stray = [...data.tensors.keys()].filter((k) => !used.has(k));
  if (stray.length > 0) throw new Error(`${op}: tensors ${stray.map((s) => `'${s}'`).join(', ')} belong to no part of the checkpoint`);
  let epoch: number | null = null;
  if (m.epoch !== undefined) {
    epoch = Number(m.epoch);
    if (!/^\d+$/.test(m.epoch) || !Number.isSafeInteger(epoch)) throw new Error(`${op}: epoch ${JSON.stringify(m.epoch)} is not a non-negative integer`);
  }
  const rngRaw = json('rng_state');
  const rngState = rngRaw === undefined ? null : checkRngState(op, rngRaw);
  const metadata = (json('metadata') ?? null) as JsonValue;
  return { model, optimizer, scheduler, epoch, rngState, metadata };
}

/**
 * Loads and validates a checkpoint written by {@link saveCheckpoint}. The safetensors layer checks
 * the file itself (header bounds, offsets, dtypes, shapes); this checks the checkpoint's structure.
 * Shapes are validated against the model when the state dict is loaded into it.
 * @example
 * const ck = io.loadCheckpoint('run/last.safetensors');
 * model.loadStateDict(ck.model); opt.loadStateDict(ck.optimizer); setRngState(ck.rngState);
 */
export function loadCheckpoint<O = unknown, S = unknown>(path: string, options: SafetensorsReadOptions = {}): LoadedCheckpoint<O, S> {
  return unpackCheckpoint<O, S>(loadSafetensors(path, options), path);
}

/** The in-memory variants: a checkpoint's bytes, and a checkpoint from bytes. */
export function serializeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const { tensors, metadata } = packCheckpoint(ckpt);
  return Buffer.concat(safetensorsChunks(tensors, metadata));
}

/** Parses a checkpoint from bytes (see {@link serializeCheckpoint}). */
export function parseCheckpoint<O = unknown, S = unknown>(bytes: Uint8Array, name = '<buffer>'): LoadedCheckpoint<O, S> {
  return unpackCheckpoint<O, S>(parseSafetensors(bytes, name), name);
}
