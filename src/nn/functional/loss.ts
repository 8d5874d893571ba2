/**
 * Loss functions with PyTorch 1.13's semantics: MSE, L1, NLL, cross-entropy (class indices or
 * probabilities, class weights, ignoreIndex, label smoothing, [N, C, d1, …] inputs), BCE,
 * BCE with logits, triplet margin and cosine embedding.
 *
 * Every loss takes `reduction`: 'none' (one loss per sample), 'mean' (default) or 'sum'.
 * Shapes must match exactly where PyTorch would broadcast with a warning: a silent broadcast of
 * [N, 1] against [N] is a classic bug. The trailing `op` argument only names the caller in
 * error messages (loss modules pass their class name).
 * @module
 */
import { allocArray, isFloating, type TypedArray } from '../../core/dtype.js';
import { noGrad } from '../../core/grad_mode.js';
import { fmtShape, sameShape } from '../../core/shape.js';
import { Tensor } from '../../core/tensor.js';
import { logSoftmax } from '../../ops/activation.js';
import { abs, add, clamp, div, eq, exp, log, log1p, maximum, minimum, mul, ne, neg, pow, sqrt, sub, to, where } from '../../ops/elementwise.js';
import { checkTensor, record } from '../../ops/helpers.js';
import { gather, indexSelect, scatterAdd } from '../../ops/indexing.js';
import { amax, mean, sum } from '../../ops/reduce.js';
import { reshape, squeeze, unsqueeze } from '../../ops/view.js';

/** How per-element losses are combined. */
export type Reduction = 'none' | 'mean' | 'sum';

/** The option every loss has. */
export interface ReductionOptions {
  /** 'none' | 'mean' (default) | 'sum'. */
  reduction?: Reduction;
}

/** Options of {@link nllLoss}. */
export interface NLLLossOptions extends ReductionOptions {
  /** A weight per class [C]; 'mean' then divides by the sum of the targets' weights. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing, not even to the mean's denominator (default −100). */
  ignoreIndex?: number;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NLLLossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Options of {@link binaryCrossEntropy}. */
export interface BCELossOptions extends ReductionOptions {
  /** Rescales each element's loss (broadcast to the input). */
  weight?: Tensor | null;
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BCEWithLogitsOptions extends BCELossOptions {
  /** Weight of the positive term per class (broadcast along the last dim): > 1 raises recall. */
  posWeight?: Tensor | null;
}

/** Options of {@link tripletMarginLoss}. */
export interface TripletMarginOptions extends ReductionOptions {
  /** The margin α (default 1). */
  margin?: number;
  /** The norm of the distance (default 2). */
  p?: number;
  /** Added to the difference before the norm, keeping its gradient finite (default 1e-6). */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (default false). */
  swap?: boolean;
}

/** Options of {@link cosineEmbeddingLoss}. */
export interface CosineEmbeddingOptions extends ReductionOptions {
  /** Dissimilar pairs are penalised only above this cosine (default 0). */
  margin?: number;
}

/** Returns `reduction` (default 'mean') or throws naming `op` and the bad value. */
export function checkReduction(op: string, reduction: Reduction | undefined): Reduction {
  const r = reduction ?? 'mean';
  if (r !== 'none' && r !== 'mean' && r !== 'sum') throw new Error(`${op}: reduction must be 'none', 'mean' or 'sum', got '${String(r)}'`);
  return r;
}

/** Applies `reduction` to per-element losses. */
export function applyReduction(op: string, loss: Tensor, reduction: Reduction | undefined): Tensor {
  const r = checkReduction(op, reduction);
  return r === 'none' ? loss : r === 'mean' ? mean(loss) : sum(loss);
}

function checkFloat(op: string, name: string, t: Tensor): void {
  checkTensor(op, name, t);
  if (!isFloating(t.dtype)) throw new Error(`${op}: ${name} must be a floating-point tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
}

function checkSameShape(op: string, input: Tensor, target: Tensor, names = ['input', 'target']): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: ${names[0]} ${fmtShape(input.shape)} and ${names[1]} ${fmtShape(target.shape)} must have the same shape`);
  }
}

/** `target` as the input's float dtype (a differentiable conversion). */
function asInputDtype(input: Tensor, target: Tensor): Tensor {
  return isFloating(target.dtype) && target.dtype === input.dtype ? target : to(target, input.dtype);
}

/** Mean squared error: ℓᵢ = (xᵢ − yᵢ)². */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}, op = 'mseLoss'): Tensor {
  checkFloat(op, 'input', input);
  checkTensor(op, 'target', target);
  checkSameShape(op, input, target);
  const d = sub(input, asInputDtype(input, target));
  return applyReduction(op, mul(d, d), options.reduction);
}

/** Mean absolute error: ℓᵢ = |xᵢ − yᵢ| (gradient 0 where they are equal, as PyTorch). */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}, op = 'l1Loss'): Tensor {
  checkFloat(op, 'input', input);
  checkTensor(op, 'target', target);
  checkSameShape(op, input, target);
  return applyReduction(op, abs(sub(input, asInputDtype(input, target))), options.reduction);
}

/** The per-element NLL terms and what the weighted mean divides by. */
interface NllParts {
  /** −w[yᵢ]·x[i, yᵢ], 0 where ignored; the target's shape. */
  losses: Tensor;
  /** True where the target is not ignoreIndex. */
  valid: Tensor;
  /** w[yᵢ] (1 without weights), 0 where ignored. */
  weights: Tensor;
}

function classDimOf(input: Tensor): number {
  return input.ndim === 1 ? 0 : 1;
}

/**
 * Validates class-index targets for log-probabilities `input` (int32, the input's shape without the
 * class dim, each a class or ignoreIndex) and the class weights; returns the target values.
 */
function checkedTargets(op: string, input: Tensor, target: Tensor, weight: Tensor | null | undefined, ignoreIndex: number): TypedArray {
  checkFloat(op, 'input', input);
  checkTensor(op, 'target', target);
  if (input.ndim === 0) throw new Error(`${op}: input must be [C] or [N, C, ...], got a 0-d tensor`);
  const cd = classDimOf(input);
  const numClasses = input.shape[cd];
  const expected = input.shape.filter((_, d) => d !== cd);
  if (target.dtype !== 'int32') {
    throw new Error(`${op}: target must hold int32 class indices, got ${target.dtype} ${fmtShape(target.shape)}` +
      (isFloating(target.dtype) ? ' (class probabilities need the input\'s shape, with crossEntropy)' : ''));
  }
  if (!sameShape(target.shape, expected)) {
    throw new Error(`${op}: target ${fmtShape(target.shape)} does not match input ${fmtShape(input.shape)} (expected target ${fmtShape(expected)})`);
  }
  if (weight != null && (weight.ndim !== 1 || weight.shape[0] !== numClasses)) {
    throw new Error(`${op}: weight ${fmtShape(weight.shape)} must have one value per class [${numClasses}]`);
  }
  const values = target.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== ignoreIndex && (v < 0 || v >= numClasses)) {
      throw new Error(`${op}: target ${v} is out of range for ${numClasses} classes (expected 0..${numClasses - 1}, or ignoreIndex ${ignoreIndex})`);
    }
  }
  return values;
}

/** Validates class-index targets and picks x[i, yᵢ] (input holds log-probabilities), as tensor ops. */
function nllParts(op: string, input: Tensor, target: Tensor, weight: Tensor | null | undefined, ignoreIndex: number): NllParts {
  checkedTargets(op, input, target, weight, ignoreIndex);
  const cd = classDimOf(input);
  const valid = ne(target, ignoreIndex);
  const safe = where(valid, target, 0);
  const picked = squeeze(gather(input, cd, unsqueeze(safe, cd)), cd);
  const w = weight != null ? reshape(indexSelect(to(weight, input.dtype), 0, reshape(safe, [-1])), target.shape) : to(valid, input.dtype);
  const weights = where(valid, w, 0);
  return { losses: where(valid, neg(mul(picked, weights)), 0), valid, weights };
}

function reduceNll(op: string, parts: NllParts, reduction: Reduction | undefined): Tensor {
  if (checkReduction(op, reduction) === 'mean') return div(sum(parts.losses), sum(parts.weights));
  return applyReduction(op, parts.losses, reduction);
}

/**
 * The NLL of class indices as one autograd node, as PyTorch's nll_loss (NllLossBackward0): one
 * gather picks x[i, yᵢ] and the terms and sums are formed here, where {@link nllParts}' dozen tensor
 * ops and their backward nodes cost ~35 µs of a 64-sample training step. The same values: ℓᵢ =
 * −w[yᵢ]·x[i, yᵢ] (0 where ignored), 'mean' Σℓᵢ / Σ w[yᵢ] (summed in double); and the same gradient
 * bits, −(g / Σw)·w[yᵢ] at [i, yᵢ] and 0 elsewhere.
 */
function fusedNll(op: string, input: Tensor, target: Tensor, weight: Tensor | null | undefined, ignoreIndex: number, reduction: Reduction | undefined): Tensor {
  const values = checkedTargets(op, input, target, weight, ignoreIndex);
  const r = checkReduction(op, reduction);
  const cd = classDimOf(input);
  const be = input.backend;
  const n = values.length;
  const classWeights = weight != null ? to(weight, input.dtype).dataSync() : null;
  const safe = new Int32Array(n);
  const valid = new Uint8Array(n);
  const w = allocArray(input.dtype, n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === ignoreIndex) continue;
    safe[i] = v;
    valid[i] = 1;
    w[i] = classWeights === null ? 1 : classWeights[v];
    totalWeight += w[i];
  }
  const index = unsqueeze(new Tensor(be.fromArray(safe), target.shape), cd);
  const picked = noGrad(() => gather(input, cd, index)).dataSync();
  const losses = allocArray(input.dtype, n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) continue;
    losses[i] = -(picked[i] * w[i]);
    total += losses[i];
  }
  // Rounded as the tensor ops round: each sum to the dtype, then the quotient.
  const round = input.dtype === 'float32' ? Math.fround : (x: number): number => x;
  const denominator = round(totalWeight);
  const value = r === 'none' ? losses : allocArray(input.dtype, 1).fill(r === 'mean' ? round(total) / denominator : total);
  const out = new Tensor(be.fromArray(value), r === 'none' ? target.shape : []);
  const weights = new Tensor(be.fromArray(w), target.shape);
  const ignores = valid.includes(0) ? new Tensor(be.fromArray(valid), target.shape) : null;
  return record('NllLossBackward0', out, [input], (g) => {
    const scale = r === 'mean' ? div(g, denominator) : g;
    let src = mul(neg(scale), weights);
    // Ignored targets point at class 0: add an exact 0 there (the scale may be inf or NaN).
    if (ignores !== null) src = where(ignores, src, 0);
    const grad = new Tensor(be.alloc(input.dtype, input.numel()), input.shape);
    return [scatterAdd(grad, cd, index, unsqueeze(src, cd))];
  });
}

/**
 * Negative log-likelihood of class indices, for log-probabilities x [N, C, d1, …] (or [C]) and
 * int32 targets [N, d1, …] (or []): ℓᵢ = −w[yᵢ]·x[i, yᵢ]; 'mean' is Σℓᵢ / Σ w[yᵢ] over the
 * targets that are not `ignoreIndex`.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}, op = 'nllLoss'): Tensor {
  return fusedNll(op, input, target, options.weight, options.ignoreIndex ?? -100, options.reduction);
}

/**
 * Cross-entropy of logits x [N, C, d1, …] (or [C]), = nllLoss(logSoftmax(x, 1), y), PyTorch 1.13's
 * semantics exactly. Two kinds of target:
 * - int32 class indices [N, d1, …]: with label smoothing ε the loss is
 *   (1 − ε)·NLL + (ε/C)·S, where S's terms are sᵢ = −Σ_c w_c·log pᵢc (0 where ignored), and for
 *   'mean' both parts divide by Σ w[yᵢ] over non-ignored targets (the count without weights);
 * - class probabilities shaped like x (float): ℓᵢ = −Σ_c w_c·qᵢc·log pᵢc with q smoothed to
 *   (1 − ε)·q + ε/C; 'mean' divides by the number of samples N·d1·… (not by weights).
 * @example crossEntropy(logits, tensor([2, 0, 1], { dtype: 'int32' }), { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}, op = 'crossEntropy'): Tensor {
  checkFloat(op, 'input', input);
  checkTensor(op, 'target', target);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  if (input.ndim === 0) throw new Error(`${op}: input must be [C] or [N, C, ...], got a 0-d tensor`);
  const cd = classDimOf(input);
  const numClasses = input.shape[cd];
  const logp = logSoftmax(input, cd);
  const weight = options.weight;
  if (weight != null && (weight.ndim !== 1 || weight.shape[0] !== numClasses)) {
    throw new Error(`${op}: weight ${fmtShape(weight.shape)} must have one value per class [${numClasses}]`);
  }
  const classShape = input.shape.map((s, d) => (d === cd ? s : 1));
  const wB = weight != null ? reshape(to(weight, input.dtype), classShape) : null;
  if (isFloating(target.dtype)) {
    checkSameShape(op, input, target);
    let q = asInputDtype(input, target);
    if (eps > 0) q = add(mul(q, 1 - eps), eps / numClasses);
    const terms = wB ? mul(mul(logp, q), wB) : mul(logp, q);
    const reduction = checkReduction(op, options.reduction);
    if (reduction === 'mean') return div(neg(sum(terms)), input.numel() / Math.max(numClasses, 1));
    if (reduction === 'sum') return neg(sum(terms));
    return applyReduction(op, neg(sum(terms, cd)), reduction);
  }
  if (eps === 0) return fusedNll(op, logp, target, weight, options.ignoreIndex ?? -100, options.reduction);
  const parts = nllParts(op, logp, target, weight, options.ignoreIndex ?? -100);
  const nll = reduceNll(op, parts, options.reduction);
  const smooth = where(parts.valid, neg(sum(wB ? mul(logp, wB) : logp, cd)), 0);
  const reduction = options.reduction ?? 'mean';
  const s = reduction === 'mean' ? div(sum(smooth), sum(parts.weights)) : applyReduction(op, smooth, reduction);
  return add(mul(nll, 1 - eps), mul(s, eps / numClasses));
}

const BCE_EPS = 1e-12;

/**
 * −(y·log x + (1 − y)·log(1 − x)) elementwise, logs clamped at −100. Its own gradient rule, as
 * PyTorch's: ∂/∂x = (x − y) / max(x(1 − x), 1e-12), finite where a saturated sigmoid gives exactly
 * 0 or 1 (the chain rule through the clamp would give 0/0 there).
 */
function bceTerms(x: Tensor, y: Tensor): Tensor {
  const logX = (v: Tensor): Tensor => clamp(log(v), -100);
  const log1mX = (v: Tensor): Tensor => clamp(log1p(neg(v)), -100);
  const out = noGrad(() => neg(add(mul(y, logX(x)), mul(sub(1, y), log1mX(x)))));
  return record('BinaryCrossEntropyBackward0', out, [x, y], (g, [sx, sy]) => [
    div(mul(g, sub(sx, sy)), maximum(mul(sx, sub(1, sx)), BCE_EPS)),
    mul(g, sub(log1mX(sx), logX(sx))),
  ], [x, y]);
}

/**
 * Binary cross-entropy of probabilities x ∈ [0, 1] and targets y of the same shape:
 * ℓᵢ = −wᵢ·(yᵢ·log xᵢ + (1 − yᵢ)·log(1 − xᵢ)), each log clamped to ≥ −100 as PyTorch does, so
 * x = 0 or 1 gives a finite loss.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCELossOptions = {}, op = 'binaryCrossEntropy'): Tensor {
  checkFloat(op, 'input', input);
  checkTensor(op, 'target', target);
  checkSameShape(op, input, target);
  const xs = input.dataSync();
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i] >= 0 && xs[i] <= 1)) throw new Error(`${op}: every input must be a probability in [0, 1], got ${xs[i]} (apply sigmoid, or use binaryCrossEntropyWithLogits)`);
  }
  let loss = bceTerms(input, asInputDtype(input, target));
  if (options.weight != null) loss = mul(loss, to(options.weight, input.dtype));
  return applyReduction(op, loss, options.reduction);
}

/**
 * Binary cross-entropy on logits x, stable for any |x|: with p the posWeight (1 if none),
 * ℓᵢ = wᵢ·((1 − yᵢ)·xᵢ + (1 + (p − 1)·yᵢ)·log(1 + e^(−xᵢ))), the softplus computed as
 * log(e^(−m) + e^(−x−m)) + m with m = max(−x, 0); without posWeight this equals
 * max(x, 0) − x·y + log(1 + e^(−|x|)).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}, op = 'binaryCrossEntropyWithLogits'): Tensor {
  checkFloat(op, 'input', input);
  checkTensor(op, 'target', target);
  checkSameShape(op, input, target);
  const y = asInputDtype(input, target);
  const m = clamp(neg(input), 0);
  const softplusNeg = add(log(add(exp(neg(m)), exp(sub(neg(input), m)))), m);
  const pw = options.posWeight;
  const logWeight = pw != null ? add(mul(sub(to(pw, input.dtype), 1), y), 1) : null;
  let loss = add(mul(sub(1, y), input), logWeight ? mul(logWeight, softplusNeg) : softplusNeg);
  if (options.weight != null) loss = mul(loss, to(options.weight, input.dtype));
  return applyReduction(op, loss, options.reduction);
}

/** ‖x1 − x2 + ε‖_p over the last dim (PyTorch's `pairwise_distance`, ε inside the norm). */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6): Tensor {
  const d = add(sub(x1, x2), eps);
  const last = Math.max(x1.ndim, x2.ndim) - 1;
  if (p === 2) return sqrt(sum(mul(d, d), last));
  if (p === 1) return sum(abs(d), last);
  if (p === Infinity) return amax(abs(d), last);
  return pow(sum(pow(abs(d), p), last), 1 / p);
}

/**
 * FaceNet's triplet loss: ℓᵢ = max(d(aᵢ, pᵢ) − d(aᵢ, nᵢ) + α, 0) with d the p-norm distance
 * ‖a − b + ε‖_p and α the margin; with `swap`, d(a, n) is replaced by min(d(a, n), d(p, n)).
 * Inputs are [N, D] (or [D]), all the same shape.
 */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginOptions = {}, op = 'tripletMarginLoss'): Tensor {
  checkFloat(op, 'anchor', anchor);
  checkFloat(op, 'positive', positive);
  checkFloat(op, 'negative', negative);
  checkSameShape(op, anchor, positive, ['anchor', 'positive']);
  checkSameShape(op, anchor, negative, ['anchor', 'negative']);
  if (anchor.ndim < 1) throw new Error(`${op}: inputs must be [N, D] or [D], got ${fmtShape(anchor.shape)}`);
  const margin = options.margin ?? 1;
  const p = options.p ?? 2;
  const eps = options.eps ?? 1e-6;
  if (!(p > 0)) throw new Error(`${op}: p must be positive, got ${p}`);
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (options.swap) dNeg = minimum(dNeg, pairwiseDistance(positive, negative, p, eps));
  return applyReduction(op, clamp(add(sub(dPos, dNeg), margin), 0), options.reduction);
}

const COSINE_EPS = 1e-12;

/**
 * ℓᵢ = 1 − cos(x1ᵢ, x2ᵢ) where yᵢ = 1, max(0, cos(x1ᵢ, x2ᵢ) − margin) where yᵢ = −1 (0 otherwise),
 * cos = x1·x2 / √((‖x1‖² + ε)(‖x2‖² + ε)) with ε = 1e-12, as PyTorch. x1, x2 [N, D] (or [D]), y [N] (or []).
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: CosineEmbeddingOptions = {}, op = 'cosineEmbeddingLoss'): Tensor {
  checkFloat(op, 'input1', input1);
  checkFloat(op, 'input2', input2);
  checkTensor(op, 'target', target);
  checkSameShape(op, input1, input2, ['input1', 'input2']);
  if (input1.ndim < 1 || input1.ndim > 2 || target.ndim !== input1.ndim - 1 || (target.ndim === 1 && target.shape[0] !== input1.shape[0])) {
    throw new Error(`${op}: expected inputs [N, D] with target [N] (or [D] with []), got ${fmtShape(input1.shape)} and target ${fmtShape(target.shape)}`);
  }
  const margin = options.margin ?? 0;
  const dim = target.ndim;
  const dot = sum(mul(input1, input2), dim);
  const mag1 = add(sum(mul(input1, input1), dim), COSINE_EPS);
  const mag2 = add(sum(mul(input2, input2), dim), COSINE_EPS);
  const cos = div(dot, sqrt(mul(mag1, mag2)));
  const pos = where(eq(target, 1), sub(1, cos), 0);
  const negTerm = where(eq(target, -1), clamp(sub(cos, margin), 0), 0);
  return applyReduction(op, add(pos, negTerm), options.reduction);
}
