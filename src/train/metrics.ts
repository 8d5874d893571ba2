/**
 * Metrics accumulated over an epoch: each batch adds its counts, `compute()` gives the epoch's value.
 * Updates read plain numbers out of the tensors, so a metric holds no tensor between batches.
 * @module
 */
import { noGrad } from '../core/grad_mode.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { eq } from '../ops/elementwise.js';
import { argmax, sum } from '../ops/reduce.js';

/**
 * A metric over batches, like torchmetrics' `Metric`: `reset()` at the start of an epoch,
 * `update(output, target)` per batch, `compute()` at the end.
 */
export interface Metric {
  /**
   * Short name, used in history keys: `acc` gives `trainAcc` and `valAcc`.
   * Names containing "acc" are shown as percentages.
   */
  readonly name: string;
  /** Whether larger is better (for early stopping and best checkpoints). */
  readonly higherIsBetter: boolean;
  /** Forgets every batch seen. */
  reset(): void;
  /** Adds one batch: the model's output and the targets. */
  update(output: Tensor, target: Tensor): void;
  /** The value over the batches since the last reset (NaN before any batch). */
  compute(): number;
}

/** Checks logits [N, C] against integer class targets [N]. */
function checkClassification(op: string, output: Tensor, target: Tensor): void {
  if (output.ndim !== 2) throw new Error(`${op}: expected logits [N, C], got ${fmtShape(output.shape)}`);
  if (target.ndim !== 1 || target.shape[0] !== output.shape[0]) {
    throw new Error(`${op}: expected class targets [${output.shape[0]}] for logits ${fmtShape(output.shape)}, got ${fmtShape(target.shape)}`);
  }
  if (target.dtype !== 'int32') throw new Error(`${op}: targets must be class indices (int32), got ${target.dtype}`);
}

/**
 * Classification accuracy: the fraction of samples whose largest logit is the target class,
 * `acc = (1/N) Σᵢ [argmax_c outputᵢ,c = targetᵢ]` (ties go to the first class, as `argmax`).
 */
export class Accuracy implements Metric {
  readonly name = 'acc';
  readonly higherIsBetter = true;
  /** Correct predictions so far. */
  correct = 0;
  /** Samples so far. */
  total = 0;

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  update(output: Tensor, target: Tensor): void {
    checkClassification('Accuracy', output, target);
    this.correct += noGrad(() => sum(eq(argmax(output, 1), target)).item());
    this.total += target.shape[0];
  }

  compute(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }
}

/** Top-k accuracy: the fraction of samples whose target is among the k largest logits. */
export class TopKAccuracy implements Metric {
  readonly name: string;
  readonly higherIsBetter = true;
  readonly k: number;
  correct = 0;
  total = 0;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`TopKAccuracy: k must be a positive integer, got ${k}`);
    this.k = k;
    this.name = `top${k}Acc`;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  update(output: Tensor, target: Tensor): void {
    checkClassification(this.name, output, target);
    if (this.k > output.shape[1]) throw new Error(`${this.name}: k = ${this.k} exceeds the ${output.shape[1]} classes`);
    const [n, c] = output.shape;
    const logits = output.dataSync();
    const t = target.dataSync();
    for (let i = 0; i < n; i++) {
      // The target is in the top k when fewer than k classes beat it (ties count against it).
      const v = logits[i * c + t[i]];
      let above = 0;
      for (let j = 0; j < c && above < this.k; j++) {
        const u = logits[i * c + j];
        if (u > v || (u === v && j < t[i])) above++;
      }
      if (above < this.k) this.correct++;
    }
    this.total += n;
  }

  compute(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }
}

/**
 * A confusion matrix `m[target][predicted]` of counts, for per-class accuracy and error analysis.
 * Not a {@link Metric} (its value is a matrix); update it from an evaluation loop.
 */
export class ConfusionMatrix {
  readonly numClasses: number;
  /** Counts, row = true class, column = predicted class. */
  readonly counts: number[][];

  constructor(numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`ConfusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
    this.numClasses = numClasses;
    this.counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  update(output: Tensor, target: Tensor): void {
    checkClassification('ConfusionMatrix', output, target);
    if (output.shape[1] !== this.numClasses) {
      throw new Error(`ConfusionMatrix: logits have ${output.shape[1]} classes, the matrix ${this.numClasses}`);
    }
    const pred = noGrad(() => argmax(output, 1)).dataSync();
    const t = target.dataSync();
    for (let i = 0; i < t.length; i++) {
      if (!(t[i] >= 0 && t[i] < this.numClasses)) throw new Error(`ConfusionMatrix: target ${t[i]} at index ${i} is not a class 0…${this.numClasses - 1}`);
      this.counts[t[i]][pred[i]]++;
    }
  }

  /** Accuracy per true class (NaN for a class never seen). */
  perClassAccuracy(): number[] {
    return this.counts.map((row, c) => {
      const n = row.reduce((a, b) => a + b, 0);
      return n === 0 ? NaN : row[c] / n;
    });
  }
}

/** A metric by name: `'acc'` / `'accuracy'`, or `'top5'` (any k). */
export function metricFromName(name: string): Metric {
  if (name === 'acc' || name === 'accuracy') return new Accuracy();
  const m = /^top(\d+)$/.exec(name);
  if (m) return new TopKAccuracy(Number(m[1]));
  throw new Error(`metric: unknown metric '${name}' (known: 'acc', 'accuracy', 'topK' such as 'top5')`);
}
