/**
 * Reference fused optimiser updates.
 * @module
 */
import { adamStepScalars, type AdamStepHyper, type SgdStepHyper, type View } from '../../core/backend.js';
import { arrayOf, isContiguousView } from './storage.js';

/**
 * One SGD update in place (see `Backend.sgdStep`): float32 rounds every product and sum with
 * `Math.fround`, as the unfused float32 kernels store each intermediate; float64 needs no rounding.
 */
export function sgdStepKernel(param: View, grad: View, buf: View | null, h: SgdStepHyper): boolean {
  const dtype = param.storage.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || grad.storage.dtype !== dtype || (buf !== null && buf.storage.dtype !== dtype)) return false;
  if (!isContiguousView(param) || !isContiguousView(grad) || (buf !== null && !isContiguousView(buf))) return false;
  const r = dtype === 'float32' ? Math.fround : (v: number): number => v;
  const P = arrayOf(param);
  const G = arrayOf(grad);
  const B = buf === null ? null : arrayOf(buf);
  const n = param.shape.reduce((a, b) => a * b, 1);
  const negLr = r(-h.lr);
  const mu = r(h.momentum);
  const oneMinusTau = r(1 - h.dampening);
  const damp = 1 - h.dampening !== 1;
  const wd = r(h.weightDecay);
  for (let i = 0; i < n; i++) {
    const p = P[param.offset + i];
    let d = G[grad.offset + i];
    if (h.maximize) d = -d;
    if (h.weightDecay !== 0) d = r(d + r(p * wd));
    if (B !== null && buf !== null) {
      const b = h.first ? d : r(r(B[buf.offset + i] * mu) + (damp ? r(d * oneMinusTau) : d));
      B[buf.offset + i] = b;
      d = h.nesterov ? r(d + r(b * mu)) : b;
    }
    P[param.offset + i] = r(p + r(d * negLr));
  }
  return true;
}

/**
 * One Adam or AdamW update in place (see `Backend.adamStep`): float32 rounds every product,
 * quotient, square root and sum with `Math.fround`, as the unfused float32 kernels store each
 * intermediate; float64 needs no rounding.
 */
export function adamStepKernel(param: View, grad: View, expAvg: View, expAvgSq: View, maxExpAvgSq: View | null, h: AdamStepHyper): boolean {
  const dtype = param.storage.dtype;
  const views = maxExpAvgSq === null ? [grad, expAvg, expAvgSq] : [grad, expAvg, expAvgSq, maxExpAvgSq];
  if ((dtype !== 'float32' && dtype !== 'float64') || views.some((v) => v.storage.dtype !== dtype)) return false;
  if (!isContiguousView(param) || views.some((v) => !isContiguousView(v))) return false;
  const r = dtype === 'float32' ? Math.fround : (v: number): number => v;
  const P = arrayOf(param);
  const G = arrayOf(grad);
  const M = arrayOf(expAvg);
  const V = arrayOf(expAvgSq);
  const X = maxExpAvgSq === null ? null : arrayOf(maxExpAvgSq);
  const [op, og, om, ov] = [param.offset, grad.offset, expAvg.offset, expAvgSq.offset];
  const ox = maxExpAvgSq === null ? 0 : maxExpAvgSq.offset;
  const c = adamStepScalars(h);
  const b1 = r(c.beta1);
  const c1 = r(c.oneMinusBeta1);
  const b2 = r(c.beta2);
  const c2 = r(c.oneMinusBeta2);
  const s = r(c.negStepSize);
  const bc2 = r(c.biasCorrection2Sqrt);
  const eps = r(c.eps);
  const wd = r(c.weightDecay);
  const decay = r(c.decay);
  const l2 = !h.decoupled && h.weightDecay !== 0;
  const n = param.shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    let p = P[op + i];
    let g = G[og + i];
    if (h.maximize) g = -g;
    if (l2) g = r(g + r(p * wd));
    if (h.decoupled) p = r(p * decay);
    const m = r(r(M[om + i] * b1) + r(g * c1));
    const v = r(r(V[ov + i] * b2) + r(r(g * c2) * g));
    M[om + i] = m;
    V[ov + i] = v;
    let u = v;
    if (X !== null) {
      const x = X[ox + i];
      u = x !== x || v !== v ? NaN : x > v ? x : v; // the reference `maximum`
      X[ox + i] = u;
    }
    const denom = r(r(r(Math.sqrt(u)) / bc2) + eps);
    P[op + i] = r(p + r(r(m * s) / denom));
  }
  return true;
}
