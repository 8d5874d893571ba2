/**
 * Reference fused optimiser updates.
 * @module
 */
import type { SgdStepHyper, View } from '../../core/backend.js';
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
