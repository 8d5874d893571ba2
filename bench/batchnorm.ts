/**
 * BatchNorm2d(64) forward + backward on [32, 64, 32, 32] float32 (training mode), on the current
 * backend (GLUBINA_BACKEND) with the thread count of GLUBINA_NUM_THREADS. Prints the median of
 * several timed runs after a warm-up, for forward alone and forward + backward, each as written
 * plainly (storage freed by the garbage collector, whose forced collections land inside some
 * steps) and inside `tidy` (freed at once: the kernels' own time).
 *
 * Run: `node dist/bench/batchnorm.js [N C H W]`.
 */
import { manualSeed, nn, noGrad, randn, tidy, type Tensor } from '../src/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(runs: number, fn: () => void): number {
  fn();
  fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const [N, C, H, W] = process.argv.length >= 6 ? process.argv.slice(2, 6).map(Number) : [32, 64, 32, 32];
manualSeed(0);
const bn = new nn.BatchNorm2d(C);
const x: Tensor = randn([N, C, H, W]).mul(2).add(0.5).detach();
x.requiresGrad = true;
const gy = randn([N, C, H, W]);
const runs = Number(process.env.BENCH_RUNS ?? 15);
const step = (): void => {
  bn.zeroGrad();
  x.grad = null;
  bn.call(x).backward(gy);
};
const fwd = time(runs, () => {
  noGrad(() => bn.call(x));
});
const both = time(runs, step);
const fwdTidy = time(runs, () => tidy(() => {
  noGrad(() => bn.call(x));
}));
const bothTidy = time(runs, () => tidy(step));
const where = `BatchNorm2d(${C}) on [${N},${C},${H},${W}] ${x.backend.name}`;
console.log(`${where}: forward ${fwd.toFixed(2)} ms, forward+backward ${both.toFixed(2)} ms; in tidy: forward ${fwdTidy.toFixed(2)} ms, forward+backward ${bothTidy.toFixed(2)} ms (medians of ${runs})`);
