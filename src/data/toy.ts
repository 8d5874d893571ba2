/**
 * Small built-in 2-D data sets for the course's first experiments.
 * @module
 */
import { fromTypedArray } from '../core/creation.js';
import { Generator } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';

/** Points `x` [n,2] (float32) and class labels `y` [n] (int32). */
export interface ToyDataset {
  x: Tensor;
  y: Tensor;
}

/**
 * Two interleaving half circles (scikit-learn's `make_moons`): class 0 on (cos t, sin t),
 * class 1 on (1 − cos t, ½ − sin t), t ∈ [0, π], plus Gaussian noise of std `noise`.
 * No straight line separates them.
 */
export function makeMoons(n: number, options: { noise?: number; seed?: number } = {}): ToyDataset {
  const g = new Generator(options.seed ?? 0);
  const noise = options.noise ?? 0.1;
  const xs = new Float32Array(2 * n);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * g.random();
    const px = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    xs[2 * i] = px + noise * g.normal();
    xs[2 * i + 1] = py + noise * g.normal();
    ys[i] = label;
  }
  return { x: fromTypedArray(xs, [n, 2]), y: fromTypedArray(ys, [n]) };
}

/**
 * XOR: points uniform in [−1, 1]², labelled 1 when x·y > 0. Any line gets at most about 75% right.
 */
export function makeXor(n: number, options: { seed?: number } = {}): ToyDataset {
  const g = new Generator(options.seed ?? 0);
  const xs = new Float32Array(2 * n);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * g.random() - 1;
    const b = 2 * g.random() - 1;
    xs[2 * i] = a;
    xs[2 * i + 1] = b;
    ys[i] = a * b > 0 ? 1 : 0;
  }
  return { x: fromTypedArray(xs, [n, 2]), y: fromTypedArray(ys, [n]) };
}
