/**
 * Training history as data: one record per epoch, and its `metrics.jsonl` form (one JSON object
 * per line, appended as each epoch ends, so a log survives an interrupted run).
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';

/**
 * One epoch of training. Loss and metrics are means over the epoch's samples: train values while
 * the weights were changing (as Keras and most progress bars report them), validation values with
 * the weights at the end of the epoch. Validation fields are null without a validation set;
 * further metrics add `train<Name>` / `val<Name>` keys.
 */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  trainLoss: number;
  /** Training accuracy (null when the `acc` metric is not computed). */
  trainAcc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  /** Learning rate of the first parameter group during the epoch. */
  lr: number;
  /** Wall time of the epoch (training and validation), in seconds. */
  seconds: number;
  /** Extra metrics, e.g. `trainTop5Acc`. */
  [key: string]: number | null;
}

/** The history key of a metric on a split: `('val', 'acc')` → `valAcc`. */
export function metricKey(split: 'train' | 'val', name: string): string {
  return `${split}${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** JSON cannot hold NaN or ±Infinity: they become null. */
function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The record as one line of JSON (non-finite numbers as null). */
export function recordToJson(record: EpochRecord): string {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(record)) out[k] = finiteOrNull(v);
  return JSON.stringify(out);
}

/** Appends one record to a JSON-lines file (created if missing). */
export function appendJsonl(path: string, record: EpochRecord): void {
  appendFileSync(path, `${recordToJson(record)}\n`);
}

/** Writes the whole history as JSON lines, atomically (used when a resumed run rewrites its log). */
export function writeJsonl(path: string, history: readonly EpochRecord[]): void {
  writeFileAtomic(path, history.map((r) => `${recordToJson(r)}\n`).join(''));
}

/** Reads a JSON-lines history; a missing file is an empty history. Throws naming the bad line. */
export function readJsonl(path: string): EpochRecord[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`readJsonl: ${path}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as { epoch?: unknown }).epoch !== 'number') {
      throw new Error(`readJsonl: ${path}:${i + 1}: expected an epoch record {"epoch": …}`);
    }
    return v as EpochRecord;
  });
}

/** Checks that a value read back from a checkpoint is a history (a list of epoch records). */
export function checkHistory(op: string, v: unknown): EpochRecord[] {
  if (!Array.isArray(v) || !v.every((r) => typeof r === 'object' && r !== null && typeof (r as { epoch?: unknown }).epoch === 'number')) {
    throw new Error(`${op}: the saved history is not a list of epoch records`);
  }
  return v as EpochRecord[];
}
