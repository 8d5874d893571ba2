/**
 * Checks analytic gradients against central finite differences, like `torch.autograd.gradcheck`.
 * @module
 */
import { noGrad } from '../core/grad_mode.js';
import { fmtShape, numel } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { backward } from './engine.js';

/** Tolerances and step of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
}

function elementOffset(t: Tensor, flat: number): number {
  let off = t.offset;
  for (let d = t.ndim - 1; d >= 0; d--) {
    off += (flat % t.shape[d]) * t.strides[d];
    flat = Math.floor(flat / t.shape[d]);
  }
  return off;
}

function setElement(t: Tensor, flat: number, value: number): void {
  t.backend.fill(new Tensor(t.storage, [], [], elementOffset(t, flat)), value);
}

function outputsOf(fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return Array.isArray(out) ? out : [out];
}

/**
 * Compares, for every input that requires grad and every output element, the gradient computed by
 * backward with the central difference (f(x+ε) − f(x−ε)) / 2ε. Inputs should be float64.
 * Returns true, or throws an Error naming the input, the element and both values.
 * @example gradcheck((a, b) => a.mul(b).sum(), [randn([3], { dtype: 'float64', requiresGrad: true }), …])
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  inputs.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new Error(`gradcheck: input ${i} ${fmtShape(t.shape)} is ${t.dtype}; finite differences need float64 inputs`);
    }
  });
  const outputs = noGrad(() => outputsOf(fn, inputs));
  const outSizes = outputs.map((o) => o.numel());
  const outTotal = outSizes.reduce((a, b) => a + b, 0);

  // Numerical Jacobian, one column per input element: numeric[i][e * outTotal + j].
  const numeric = inputs.map((t) => {
    if (!t.requiresGrad) return null;
    const n = t.numel();
    const jac = new Float64Array(n * outTotal);
    for (let e = 0; e < n; e++) {
      const orig = t.backend.read(new Tensor(t.storage, [], [], elementOffset(t, e)))[0];
      const evalAt = (v: number): number[] => {
        setElement(t, e, v);
        return noGrad(() => outputsOf(fn, inputs)).flatMap((o) => Array.from(o.dataSync()));
      };
      const plus = evalAt(orig + eps);
      const minus = evalAt(orig - eps);
      setElement(t, e, orig);
      for (let j = 0; j < outTotal; j++) jac[e * outTotal + j] = (plus[j] - minus[j]) / (2 * eps);
    }
    return jac;
  });

  // Analytic Jacobian, one backward per output element with a one-hot gradient.
  let j = 0;
  for (let k = 0; k < outputs.length; k++) {
    for (let jj = 0; jj < outSizes[k]; jj++, j++) {
      for (const t of inputs) t.grad = null;
      const outs = outputsOf(fn, inputs);
      const out = outs[k];
      if (!out.requiresGrad) {
        throw new Error(`gradcheck: output ${k} does not require grad (no input that requires grad reaches it)`);
      }
      const oneHot = new Tensor(out.backend.alloc(out.dtype, numel(out.shape)), out.shape);
      setElement(oneHot, jj, 1);
      backward(out, oneHot);
      inputs.forEach((t, i) => {
        const jac = numeric[i];
        if (jac === null) return;
        const g = t.grad ? t.grad.dataSync() : new Float64Array(t.numel());
        for (let e = 0; e < g.length; e++) {
          const a = g[e];
          const nval = jac[e * outTotal + j];
          if (!(Math.abs(a - nval) <= atol + rtol * Math.abs(nval))) {
            throw new Error(
              `gradcheck: Jacobian mismatch for output ${k} element ${jj} w.r.t. input ${i} ${fmtShape(t.shape)} element ${e}: ` +
                `analytic ${a}, numerical ${nval}`,
            );
          }
        }
      });
    }
  }
  for (const t of inputs) t.grad = null;
  return true;
}
