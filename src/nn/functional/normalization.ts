/**
 * Batch normalisation (Ioffe & Szegedy, 2015) over dim 1 of [N, C, ...] inputs.
 * @module
 */
import { noGrad } from '../../core/grad_mode.js';
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { isFloating } from '../../core/dtype.js';
import { batchNormTraining } from '../../ops/batch_norm.js';
import { add, div, mul, sqrt, sub } from '../../ops/elementwise.js';
import { checkTensor, composite } from '../../ops/helpers.js';
import { add_, mul_ } from '../../ops/inplace.js';
import { mean } from '../../ops/reduce.js';
import { detach, reshape } from '../../ops/view.js';

/** Options of {@link batchNorm} (PyTorch's keyword arguments). */
export interface BatchNormOptions {
  /** γ, one per channel (default: none, i.e. 1). */
  weight?: Tensor | null;
  /** β, one per channel (default: none, i.e. 0). */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics and update the running ones (default false). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

function checkPerChannel(op: string, name: string, t: Tensor | null | undefined, c: number): void {
  if (t == null) return;
  if (t.numel() !== c) throw new Error(`${op}: ${name} ${fmtShape(t.shape)} must have one value per channel (${c})`);
}

/**
 * y = (x − μ) / √(σ² + ε) · γ + β per channel c = dim 1 of x [N, C, ...].
 * Training: μ, σ² are the batch's mean and biased variance over every dim but 1, and the running
 * statistics (if given) are updated in place: r_μ ← (1 − m)·r_μ + m·μ and
 * r_σ² ← (1 − m)·r_σ² + m·σ²·n/(n − 1) (unbiased, n values per channel), as PyTorch does.
 * Evaluation: μ, σ² are the running statistics.
 * Training with a floating input (and γ, β of its dtype) is the fused primitive `batchNormTraining`
 * (one kernel forward and one backward); evaluation is composed from elementwise ops.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}, op = 'batchNorm'): Tensor {
  checkTensor(op, 'input', input);
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (input.ndim < 2) throw new Error(`${op}: expected an input [N, C, ...] with at least 2 dims, got ${fmtShape(input.shape)}`);
  const c = input.shape[1];
  checkPerChannel(op, 'runningMean', runningMean, c);
  checkPerChannel(op, 'runningVar', runningVar, c);
  checkPerChannel(op, 'weight', options.weight, c);
  checkPerChannel(op, 'bias', options.bias, c);
  const dims = input.shape.map((_, d) => d).filter((d) => d !== 1);
  const perChannel = input.shape.map((s, d) => (d === 1 ? s : 1));
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  if (training && isFloating(input.dtype) && [weight, bias].every((t) => t === null || t.dtype === input.dtype)) {
    // The fused primitive: one kernel forward, one backward, the same running-statistics update.
    return batchNormTraining(input, weight, bias, runningMean, runningVar, momentum, eps, op)[0];
  }
  let centered: Tensor;
  let variance: Tensor;
  if (training) {
    const n = input.numel() / Math.max(c, 1);
    if (n <= 1) throw new Error(`${op}: expected more than 1 value per channel when training, got input ${fmtShape(input.shape)}`);
    const mu = mean(input, dims, true);
    centered = sub(input, mu);
    variance = mean(mul(centered, centered), dims, true);
    noGrad(() => {
      if (runningMean) add_(mul_(runningMean, 1 - momentum), mul(reshape(detach(mu), runningMean.shape), momentum));
      if (runningVar) add_(mul_(runningVar, 1 - momentum), mul(reshape(detach(variance), runningVar.shape), (momentum * n) / (n - 1)));
    });
  } else {
    if (!runningMean || !runningVar) throw new Error(`${op}: runningMean and runningVar must be given in evaluation mode (training: false)`);
    // Inference under noGrad: the input-sized steps below are freed as soon as it returns.
    return composite([input, weight, bias, runningMean, runningVar], () =>
      normalize(sub(input, reshape(runningMean, perChannel)), reshape(runningVar, perChannel), eps, weight, bias, perChannel));
  }
  return normalize(centered, variance, eps, weight, bias, perChannel);
}

/** (centered / √(variance + eps)) · weight + bias, per channel. */
function normalize(centered: Tensor, variance: Tensor, eps: number, weight: Tensor | null, bias: Tensor | null, perChannel: number[]): Tensor {
  let out = div(centered, sqrt(add(variance, eps)));
  if (weight) out = mul(out, reshape(weight, perChannel));
  if (bias) out = add(out, reshape(bias, perChannel));
  return out;
}
