/**
 * Non-linearities of the course: ReLU, Leaky ReLU, ELU, sigmoid, tanh, softplus, softmax, log-softmax.
 * @module
 */
import { isFloating } from '../core/dtype.js';
import { fmtShape, normalizeDim } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { exp, gt, log1p, minimum, mul, sub, to, where } from './elementwise.js';
import { record, wrap } from './helpers.js';
import { sum } from './reduce.js';
import { expand } from './view.js';

function floatInput(op: string, x: Tensor): Tensor {
  if (isFloating(x.dtype)) return x;
  if (x.dtype === 'bool') throw new Error(`${op}: input is bool ${fmtShape(x.shape)}; convert it with .float()`);
  return to(x, 'float32');
}

/**
 * The gradient of an activation from its upstream gradient `g` and forward output `y`, as one fused
 * backend pass (PyTorch's tanh_backward, sigmoid_backward, threshold_backward) instead of two or
 * three elementwise ops. Differentiable itself, so double backward still works.
 */
function activationGrad(op: 'tanhBackward' | 'sigmoidBackward' | 'reluBackward', g: Tensor, y: Tensor): Tensor {
  // Autograd hands over a gradient shaped like y; a broadcastable one (a direct call) is expanded.
  if (g.dtype !== y.dtype || g.shape.length !== y.shape.length || g.shape.some((s, i) => s !== y.shape[i])) {
    g = expand(to(g, y.dtype), y.shape);
  }
  const out = wrap(y.backend.binary(op, g, y, y.dtype), y.shape);
  const name = { tanhBackward: 'TanhBackwardBackward0', sigmoidBackward: 'SigmoidBackwardBackward0', reluBackward: 'ThresholdBackwardBackward0' }[op];
  return record(name, out, [g, y], (gg, [sg, sy], needs) => {
    const dg = needs[0] ? activationGrad(op, gg, sy) : null;
    if (!needs[1] || op === 'reluBackward') return [dg, null];
    // d/dy of g·(1 − y²) is −2·y·g; of g·y·(1 − y) it is g·(1 − 2y).
    const dy = op === 'tanhBackward' ? mul(mul(gg, sg), mul(sy, -2)) : mul(mul(gg, sg), sub(1, mul(sy, 2)));
    return [dg, dy];
  }, [g, y]);
}

/** max(0, x). The gradient at 0 is taken as 0 (PyTorch's choice). */
export function relu(x: Tensor): Tensor {
  const out = wrap(x.backend.unary('relu', x, x.dtype), x.shape);
  return record('ReluBackward0', out, [x], (g, [so]) => [activationGrad('reluBackward', g, so)], [out]);
}

/** 1 / (1 + e^−x), computed without overflow for large |x|; gradient σ(1 − σ). */
export function sigmoid(x: Tensor): Tensor {
  x = floatInput('sigmoid', x);
  const out = wrap(x.backend.unary('sigmoid', x, x.dtype), x.shape);
  return record('SigmoidBackward0', out, [x], (g, [so]) => [activationGrad('sigmoidBackward', g, so)], [out]);
}

/** Hyperbolic tangent; gradient 1 − tanh². */
export function tanh(x: Tensor): Tensor {
  x = floatInput('tanh', x);
  const out = wrap(x.backend.unary('tanh', x, x.dtype), x.shape);
  return record('TanhBackward0', out, [x], (g, [so]) => [activationGrad('tanhBackward', g, so)], [out]);
}

/** x for x > 0, `negativeSlope`·x otherwise (default 0.01). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** x for x > 0, α(eˣ − 1) otherwise (default α = 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  // exp of min(x, 0): the unused branch must not overflow, or its zero gradient becomes 0·∞ = NaN.
  return where(gt(x, 0), x, mul(sub(exp(minimum(x, 0)), 1), alpha));
}

/** log(1 + e^(βx)) / β, linear above `threshold` as in PyTorch. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const bx = mul(x, beta);
  return where(gt(bx, threshold), x, mul(log1p(exp(minimum(bx, threshold))), 1 / beta));
}

/** e^xᵢ / Σⱼ e^xⱼ along `dim`, stable for logits of any size (the max is subtracted first). */
export function softmax(x: Tensor, dim: number): Tensor {
  x = floatInput('softmax', x);
  const d = normalizeDim('softmax', dim, x.shape);
  const out = wrap(x.backend.softmax(x, d, false), x.shape);
  // dL/dx = y ⊙ (g − Σ g⊙y)
  return record('SoftmaxBackward0', out, [x], (g, [so]) => [mul(so, sub(g, sum(mul(g, so), d, true)))], [out]);
}

/** log softmax along `dim`: x − max − log Σ e^(x − max), exact for logits of ±1e4. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  x = floatInput('logSoftmax', x);
  const d = normalizeDim('logSoftmax', dim, x.shape);
  const out = wrap(x.backend.softmax(x, d, true), x.shape);
  // dL/dx = g − softmax ⊙ Σ g
  return record('LogSoftmaxBackward0', out, [x], (g, [so]) => [sub(g, mul(exp(so), sum(g, d, true)))], [out]);
}
