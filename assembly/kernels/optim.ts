/**
 * Fused optimiser updates over contiguous float32 buffers, in place. Each reproduces the unfused
 * ops of src/optim/ bit for bit: the same IEEE float32 operations in the same order, every
 * intermediate rounded to float32 (f32x4 add, mul, div, sqrt and max are exact per lane, so the
 * vector loop and the scalar tail agree with the elementwise kernels).
 */

// Flags of adamStepF32 (mirrored in src/backends/wasm/backend.ts).
const A_AMSGRAD = 1, A_MAXIMIZE = 2, A_L2 = 4, A_DECOUPLED = 8;

/**
 * One Adam (or AdamW) step over elements [start, end) of contiguous float32 buffers, in place
 * (see `Backend.adamStep`):
 *   g ← maximize ? −g : g;  Adam: g ← g + θ·λ (flag 4);  AdamW: θ ← θ·decay (flag 8);
 *   m ← m·β₁ + g·c₁;  v ← v·β₂ + (g·c₂)·g;  amsgrad (flag 1): v̂ ← max(v̂, v), u = v̂, else u = v;
 *   θ ← θ + (m·s) / (√u / r + ε)
 * with c₁ = 1 − β₁, c₂ = 1 − β₂, s = −γ/(1 − β₁ᵗ), r = √(1 − β₂ᵗ), all rounded to float32 by the
 * caller. `maxSq` is 0 without AMSGrad. Flag 2 = maximize.
 */
export function adamStepF32(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxSq: usize, start: i32, end: i32,
  beta1: f32, c1: f32, beta2: f32, c2: f32, negStep: f32, bc2Sqrt: f32, eps: f32, wd: f32, decay: f32, flags: i32,
): void {
  // One specialised loop per flag combination (the flags are constants inside each).
  switch (flags & 15) {
    case 0: adamRange(0, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 1: adamRange(1, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 2: adamRange(2, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 3: adamRange(3, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 4: adamRange(4, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 5: adamRange(5, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 6: adamRange(6, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 7: adamRange(7, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 8: adamRange(8, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 9: adamRange(9, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 10: adamRange(10, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 11: adamRange(11, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 12: adamRange(12, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 13: adamRange(13, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 14: adamRange(14, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    case 15: adamRange(15, param, grad, expAvg, expAvgSq, maxSq, start, end, beta1, c1, beta2, c2, negStep, bc2Sqrt, eps, wd, decay); break;
    default: unreachable();
  }
}

@inline function adamRange(
  flags: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxSq: usize, start: i32, end: i32,
  beta1: f32, c1: f32, beta2: f32, c2: f32, negStep: f32, bc2Sqrt: f32, eps: f32, wd: f32, decay: f32,
): void {
  const vb1 = f32x4.splat(beta1), vc1 = f32x4.splat(c1), vb2 = f32x4.splat(beta2), vc2 = f32x4.splat(c2);
  const vs = f32x4.splat(negStep), vr = f32x4.splat(bc2Sqrt), veps = f32x4.splat(eps);
  const vwd = f32x4.splat(wd), vdecay = f32x4.splat(decay);
  const ams = (flags & A_AMSGRAD) != 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    let p = v128.load(param + o);
    let g = v128.load(grad + o);
    if ((flags & A_MAXIMIZE) != 0) g = f32x4.neg(g);
    if ((flags & A_L2) != 0) g = f32x4.add(g, f32x4.mul(p, vwd));
    if ((flags & A_DECOUPLED) != 0) p = f32x4.mul(p, vdecay);
    const m = f32x4.add(f32x4.mul(v128.load(expAvg + o), vb1), f32x4.mul(g, vc1));
    let v = f32x4.add(f32x4.mul(v128.load(expAvgSq + o), vb2), f32x4.mul(f32x4.mul(g, vc2), g));
    v128.store(expAvg + o, m);
    v128.store(expAvgSq + o, v);
    if (ams) {
      v = f32x4.max(v128.load(maxSq + o), v); // maximum(v̂, v): NaN wins, as the elementwise kernel
      v128.store(maxSq + o, v);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), vr), veps);
    v128.store(param + o, f32x4.add(p, f32x4.div(f32x4.mul(m, vs), denom)));
  }
  // The tail: the same lane operations on splatted values.
  for (; i < end; i++) {
    const o = <usize>i << 2;
    let p = f32x4.splat(load<f32>(param + o));
    let g = f32x4.splat(load<f32>(grad + o));
    if ((flags & A_MAXIMIZE) != 0) g = f32x4.neg(g);
    if ((flags & A_L2) != 0) g = f32x4.add(g, f32x4.mul(p, vwd));
    if ((flags & A_DECOUPLED) != 0) p = f32x4.mul(p, vdecay);
    const m = f32x4.add(f32x4.mul(f32x4.splat(load<f32>(expAvg + o)), vb1), f32x4.mul(g, vc1));
    let v = f32x4.add(f32x4.mul(f32x4.splat(load<f32>(expAvgSq + o)), vb2), f32x4.mul(f32x4.mul(g, vc2), g));
    store<f32>(expAvg + o, f32x4.extract_lane(m, 0));
    store<f32>(expAvgSq + o, f32x4.extract_lane(v, 0));
    if (ams) {
      v = f32x4.max(f32x4.splat(load<f32>(maxSq + o)), v);
      store<f32>(maxSq + o, f32x4.extract_lane(v, 0));
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), vr), veps);
    store<f32>(param + o, f32x4.extract_lane(f32x4.add(p, f32x4.div(f32x4.mul(m, vs), denom)), 0));
  }
}
