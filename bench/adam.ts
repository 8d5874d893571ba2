/**
 * 100 Adam (and AdamW, AMSGrad) steps over one float32 parameter of 1e6 elements, with the
 * backend's fused kernel (`Backend.adamStep`) and with it hidden (the unfused ops), on the current
 * backend (GLUBINA_BACKEND) with the thread count of GLUBINA_NUM_THREADS. Prints the median of
 * several timed runs after a warm-up, and checks that both paths end with the same bits.
 *
 * Run: `node dist/bench/adam.js [elements] [steps]`.
 */
import { getBackend, optim, randn, type Tensor } from '../src/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const n = Number(process.argv[2] ?? 1e6);
const steps = Number(process.argv[3] ?? 100);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const be = getBackend() as { adamStep?: unknown };
const p0 = randn([n]);
const grad = randn([n]);

/** Milliseconds for `steps` steps (median of `runs`), and the final parameter. */
function time(make: (p: Tensor) => optim.Adam | optim.AdamW, fused: boolean): [number, Float32Array] {
  if (!fused) Object.defineProperty(be, 'adamStep', { value: undefined, configurable: true });
  try {
    const ms: number[] = [];
    let last: Float32Array = new Float32Array(0);
    for (let r = 0; r < runs + 1; r++) {
      const p = p0.clone().requiresGrad_(true);
      p.grad = grad;
      const opt = make(p);
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) opt.step();
      const t = performance.now() - t0;
      if (r > 0) ms.push(t); // the first run warms up
      last = p.dataSync() as Float32Array;
    }
    return [median(ms), last];
  } finally {
    if (!fused) delete (be as Record<string, unknown>).adamStep;
  }
}

const cases: [string, (p: Tensor) => optim.Adam | optim.AdamW][] = [
  ['Adam', (p) => new optim.Adam([p], { lr: 1e-3 })],
  ['AdamW', (p) => new optim.AdamW([p], { lr: 1e-3 })],
  ['Adam amsgrad wd', (p) => new optim.Adam([p], { lr: 1e-3, amsgrad: true, weightDecay: 1e-2 })],
];
for (const [name, make] of cases) {
  const [f, pf] = time(make, true);
  const [u, pu] = time(make, false);
  const same = pf.every((v, i) => Object.is(v, pu[i]));
  console.log(
    `${name}: ${steps} steps over ${n} float32 on ${p0.backend.name}: fused ${f.toFixed(1)} ms, unfused ${u.toFixed(1)} ms ` +
      `(${(u / f).toFixed(1)}x; median of ${runs}; same bits: ${same})`,
  );
}
