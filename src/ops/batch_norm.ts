/**
 * Batch normalisation's training forward as one primitive op (PyTorch's `native_batch_norm` with
 * `training=True`), on the backend's fused kernels where it has them, and its gradient.
 * @module
 */
import { isGradEnabled, noGrad } from '../core/grad_mode.js';
import { isFloating } from '../core/dtype.js';
import { fmtShape, numel } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, mul, sqrt, sub } from './elementwise.js';
import { checkSameBackend, checkTensor, record, wrap } from './helpers.js';
import { add_, mul_ } from './inplace.js';
import { mean as meanOf, sum } from './reduce.js';
import { reshape } from './view.js';

function checkPerChannel(op: string, name: string, t: Tensor | null, input: Tensor): void {
  if (t === null) return;
  checkTensor(op, name, t);
  const c = input.shape[1];
  if (t.numel() !== c) throw new Error(`${op}: ${name} ${fmtShape(t.shape)} must have one value per channel (${c}) of input ${fmtShape(input.shape)}`);
}

/** Every dim but 1, and the shape that broadcasts a [C] tensor over x. */
function channelDims(x: Tensor): { dims: number[]; perChannel: number[] } {
  return {
    dims: x.shape.map((_, d) => d).filter((d) => d !== 1),
    perChannel: x.shape.map((s, d) => (d === 1 ? s : 1)),
  };
}

/** The forward from existing ops, for backends without `batchNorm` (no graph is recorded). */
function compositeForward(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): [Tensor, Tensor, Tensor, Tensor] {
  return noGrad(() => {
    const C = x.shape[1];
    const { dims, perChannel } = channelDims(x);
    const mu = meanOf(x, dims, true);
    const centered = sub(x, mu);
    const variance = meanOf(mul(centered, centered), dims, true);
    const invstd = div(1, sqrt(add(variance, eps)));
    let out = mul(centered, invstd);
    if (weight) out = mul(out, reshape(weight, perChannel));
    if (bias) out = add(out, reshape(bias, perChannel));
    return [out, reshape(mu, [C]), reshape(invstd, [C]), reshape(variance, [C])];
  });
}

/**
 * The gradient from existing ops. With grad mode on (a graph that needs double backward), the
 * statistics are recomputed from x so that their own dependence on x is differentiated too.
 */
function compositeBackward(
  g: Tensor, x: Tensor, savedMean: Tensor, savedInvstd: Tensor, weight: Tensor | null, eps: number, inputGrad: boolean,
): [Tensor | null, Tensor, Tensor] {
  const { dims, perChannel } = channelDims(x);
  const M = x.numel() / x.shape[1];
  let mu = reshape(savedMean, perChannel);
  let invstd = reshape(savedInvstd, perChannel);
  if (isGradEnabled()) {
    mu = meanOf(x, dims, true);
    const centered = sub(x, mu);
    invstd = div(1, sqrt(add(meanOf(mul(centered, centered), dims, true), eps)));
  }
  const xhat = mul(sub(x, mu), invstd);
  const sumDy = sum(g, dims, true);
  const sumDyXhat = sum(mul(g, xhat), dims, true);
  let dx: Tensor | null = null;
  if (inputGrad) {
    const scale = weight ? mul(invstd, reshape(weight, perChannel)) : invstd;
    dx = mul(sub(sub(g, div(sumDy, M)), mul(xhat, div(sumDyXhat, M))), scale);
  }
  return [dx, sumDyXhat, sumDy];
}

/**
 * Batch normalisation with the batch's statistics, PyTorch's `torch.native_batch_norm(input,
 * weight, bias, running_mean, running_var, training=True, momentum, eps)`. For x [N, C, ...] and
 * each channel c (dim 1) over its M = N·∏spatial values: mean μ, biased variance σ²,
 * invstd = 1/√(σ² + ε); output = (x − μ)·invstd·γ + β (γ = `weight`, β = `bias`, [C] or null).
 *
 * The running statistics, when given, are updated in place without a graph:
 * r_μ ← (1 − m)·r_μ + m·μ and r_σ² ← (1 − m)·r_σ² + m·σ²·M/(M − 1) (unbiased), m = `momentum`.
 *
 * One backend kernel computes everything (`Backend.batchNorm`), one more the gradient
 * (`Backend.batchNormBackward`); backends without them get the same result from composed ops.
 * Returns [output, mean [C], invstd [C]]; the gradient flows to input, weight and bias through
 * output only (mean and invstd carry none).
 * @example const [y, mean, invstd] = batchNormTraining(x, gamma, beta, runningMean, runningVar, 0.1, 1e-5);
 */
export function batchNormTraining(
  input: Tensor, weight: Tensor | null = null, bias: Tensor | null = null,
  runningMean: Tensor | null = null, runningVar: Tensor | null = null, momentum = 0.1, eps = 1e-5, op = 'batchNormTraining',
): [Tensor, Tensor, Tensor] {
  checkTensor(op, 'input', input);
  if (input.ndim < 2) throw new Error(`${op}: expected an input [N, C, ...] with at least 2 dims, got ${fmtShape(input.shape)}`);
  if (!isFloating(input.dtype)) throw new Error(`${op}: needs a floating-point input, got ${input.dtype} ${fmtShape(input.shape)}`);
  checkPerChannel(op, 'weight', weight, input);
  checkPerChannel(op, 'bias', bias, input);
  checkPerChannel(op, 'runningMean', runningMean, input);
  checkPerChannel(op, 'runningVar', runningVar, input);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && t.dtype !== input.dtype) throw new Error(`${op}: ${name} is ${t.dtype}, input ${fmtShape(input.shape)} is ${input.dtype}; they must match`);
  }
  checkSameBackend(op, [input, weight, bias, runningMean, runningVar].filter((t): t is Tensor => t !== null));
  const C = input.shape[1];
  const M = input.numel() / Math.max(C, 1);
  if (M <= 1) throw new Error(`${op}: expected more than 1 value per channel when training, got input ${fmtShape(input.shape)}`);

  // [C] views of γ and β for the kernels (the originals, of any [C]-sized shape, get the gradients).
  const w1 = weight && noGrad(() => reshape(weight, [C]));
  const b1 = bias && noGrad(() => reshape(bias, [C]));
  const fused = input.backend.batchNorm?.(input, w1, b1, eps) ?? null;
  const [output, mean, invstd, variance] = fused
    ? [wrap(fused[0], input.shape), wrap(fused[1], [C]), wrap(fused[2], [C]), wrap(fused[3], [C])]
    : compositeForward(input, w1, b1, eps);

  noGrad(() => {
    if (runningMean) add_(mul_(runningMean, 1 - momentum), mul(reshape(mean, runningMean.shape), momentum));
    if (runningVar) add_(mul_(runningVar, 1 - momentum), mul(reshape(variance, runningVar.shape), (momentum * M) / (M - 1)));
  });

  const inputs = [input, weight, bias].filter((t): t is Tensor => t !== null);
  const saved = weight ? [input, mean, invstd, weight] : [input, mean, invstd];
  record('NativeBatchNormBackward0', output, inputs, (g, s, needs) => {
    const [x, mu, inv] = s;
    const w = weight ? reshape(s[3], [C]) : null;
    const fusedGrad = isGradEnabled() ? null : x.backend.batchNormBackward?.(g, x, mu, inv, w, needs[0]) ?? null;
    const [dx, dw, db] = fusedGrad
      ? [fusedGrad[0] && wrap(fusedGrad[0], x.shape), wrap(fusedGrad[1], [C]), wrap(fusedGrad[2], [C])]
      : compositeBackward(g, x, mu, inv, w, eps, needs[0]);
    const grads: (Tensor | null)[] = [dx];
    if (weight) grads.push(reshape(dw, weight.shape));
    if (bias) grads.push(reshape(db, bias.shape));
    return grads;
  }, saved);
  return [output, mean, invstd];
}
