/**
 * Profiling LeNet-5 training (batch 64) and the 3×3 conv 64→64 on the current backend, outside the
 * benchmark suite: medians over several timed runs, for quick before/after comparisons of kernels.
 *
 * ```text
 * node dist/bench/lenet_profile.js [--threads=1] [--model=bench|relu|mlp] [--runs=7] [--steps=20] [--warm=10]
 *                                  [--conv] [--infer] [--rss] [--ops] [--kernels] [--only=lenet]
 * node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/lenet_profile.js --threads=1 --only=lenet
 * ```
 *
 * `--model=bench` (default) is `models.lenet5({ inputSize: 28 })` as `npm run bench` trains it (tanh,
 * average pooling, C5 a 5×5 conv to 120); `--model=relu` is the common modern variant:
 * Conv2d(1,6,5,p2), ReLU, MaxPool2d(2), Conv2d(6,16,5), ReLU, MaxPool2d(2), Flatten, Linear(400,120),
 * ReLU, Linear(120,84), ReLU, Linear(84,10); `--model=mlp` the benchmark's MLP 784-1000-10. All train with
 * cross-entropy and SGD (lr 0.01, momentum 0.9).
 *
 * `--ops` then times every backend call of further training steps (or convolutions, with
 * `--conv`) and prints them by total time, with their shapes: kernels are often half as fast inside a step as in a loop on their own (the
 * step's other buffers evict their data), so this is the number to optimise against. `--kernels`
 * times the kernel calls themselves (those made on the calling thread).
 * @module
 */
import { performance } from 'node:perf_hooks';
import {
  WasmBackend, functional as F, getBackend, manualSeed, models, nn, noGrad, randint, randn, setNumThreads, tidy,
} from '../src/index.js';
// The benchmark's own training step, so the profile measures what `npm run bench` times.
import { trainingStep, type Classifier } from './suites/glubina.js';

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** The model named by --model. */
function makeModel(kind: string): Classifier {
  if (kind === 'relu') {
    return new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
      new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
    );
  }
  // The benchmark's MLP 784-1000-10, flattening the 28×28 inputs (a view) first.
  if (kind === 'mlp') return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 1000), new nn.ReLU(), new nn.Linear(1000, 10));
  return models.lenet5({ inputSize: 28 });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Median ms per call of `fn` over `runs` timed runs of `reps` calls each, after `warm` calls; `cpu`
 * is the median process CPU time per call (all threads), which a loaded machine disturbs less.
 */
function time(fn: () => void, runs: number, reps: number, warm: number): { ms: number; cpu: number; all: number[] } {
  for (let i = 0; i < warm; i++) fn();
  const all: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    all.push((performance.now() - t0) / reps);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000 / reps);
  }
  return { ms: median(all), cpu: median(cpus), all };
}

/** A view's shape (and strides when not contiguous) for the --ops table. */
function describeArg(v: unknown): string {
  if (typeof v !== 'object' || v === null || !('shape' in v)) return '';
  const view = v as { shape: readonly number[]; strides?: readonly number[] };
  const contiguous = view.strides === undefined || view.strides.every((s, i) => s === view.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return `[${view.shape.join(',')}]${contiguous ? '' : `s[${view.strides!.join(',')}]`}`;
}

/** Runs `steps` more steps with every backend method timed; prints ms per step by method and operand shapes. */
function printBackendCalls(be: ReturnType<typeof getBackend>, step: () => void, steps: number): void {
  const totals = new Map<string, { ms: number; calls: number }>();
  const target = be as unknown as Record<string, unknown>;
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  for (let proto = Object.getPrototypeOf(be); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const fn = target[name];
      if (name === 'constructor' || originals.has(name) || typeof fn !== 'function' || ['check', 'storage', 'address', 'free', 'release', 'threadsFor', 'scratch', 'parallel', 'runParts', 'contiguous'].includes(name)) continue;
      originals.set(name, fn as (...a: unknown[]) => unknown);
    }
  }
  for (const [name, fn] of originals) {
    target[name] = function timed(this: unknown, ...a: unknown[]): unknown {
      const t0 = performance.now();
      const out = fn.apply(this, a);
      const key = `${name} ${a.map(describeArg).filter((d) => d !== '').join(' × ')}${typeof a[0] === 'string' ? ` ${a[0]}` : ''}`;
      const e = totals.get(key) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      totals.set(key, e);
      return out;
    };
  }
  for (let i = 0; i < steps; i++) step();
  for (const name of originals.keys()) delete target[name];
  let sum = 0;
  console.log(`backend calls per step (${steps} steps):`);
  for (const [key, e] of [...totals].sort((p, q) => q[1].ms - p[1].ms)) {
    sum += e.ms / steps;
    if (e.ms / steps >= 0.005) console.log(`${(e.ms / steps).toFixed(3).padStart(8)} ms ${String(e.calls / steps).padStart(4)}× ${key}`);
  }
  console.log(`${sum.toFixed(2).padStart(8)} ms in all`);
}

/**
 * Runs `steps` more steps with every kernel call made on this thread timed (the calling thread's
 * share of a split call included, the workers' not); prints ms per step by kernel. Swaps the
 * backend's export object for timed wrappers, so it reaches into private fields: a profiling aid only.
 */
function printKernelCalls(be: WasmBackend, step: () => void, steps: number): void {
  const inner = be as unknown as { kernels: Record<string, unknown>; pool: { local: Record<string, unknown> } };
  const exports = inner.kernels;
  const totals = new Map<string, { ms: number; calls: number }>();
  const timed: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(exports)) {
    if (typeof fn !== 'function') {
      timed[name] = fn;
      continue;
    }
    timed[name] = (...a: number[]): unknown => {
      const t0 = performance.now();
      const out = (fn as (...b: number[]) => unknown)(...a);
      const e = totals.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      totals.set(name, e);
      return out;
    };
  }
  inner.kernels = timed;
  inner.pool.local = timed;
  try {
    for (let i = 0; i < steps; i++) step();
  } finally {
    inner.kernels = exports;
    inner.pool.local = exports;
  }
  let sum = 0;
  console.log(`kernel calls on this thread per step (${steps} steps):`);
  for (const [key, e] of [...totals].sort((p, q) => q[1].ms - p[1].ms)) {
    sum += e.ms / steps;
    if (e.ms / steps >= 0.005) console.log(`${(e.ms / steps).toFixed(3).padStart(8)} ms ${String(e.calls / steps).padStart(5)}× ${key}`);
  }
  console.log(`${sum.toFixed(2).padStart(8)} ms in all`);
}

function main(): void {
  const threads = Number(arg('threads', '1'));
  const runs = Number(arg('runs', '7'));
  const steps = Number(arg('steps', '20'));
  const only = arg('only', '');
  const be = getBackend();
  if (be instanceof WasmBackend) {
    setNumThreads(threads);
    if (threads > 1) be.waitForThreads(20000);
  }
  manualSeed(0);
  const info = be instanceof WasmBackend ? `${be.name} ${be.variant}, ${be.numThreads} thread(s)` : be.name;
  console.log(`backend ${info}`);
  const fmt = (r: { ms: number; cpu: number; all: number[] }): string => `(cpu ${r.cpu.toFixed(3)} ms) [${r.all.map((v) => v.toFixed(2)).join(' ')}]`;
  if (only === '' || only === 'lenet') {
    const model = makeModel(arg('model', 'bench'));
    const x = randn([64, 1, 28, 28]);
    const y = randint(0, 10, [64]);
    const step = trainingStep(model, x, y);
    const r = time(step, runs, steps, Number(arg('warm', '10')));
    console.log(`lenet train64 (${arg('model', 'bench')}): ${(64000 / r.ms).toFixed(0)} samples/s, ${r.ms.toFixed(3)} ms/step ${fmt(r)}`);
    if (flag('ops')) printBackendCalls(be, step, steps);
    if (flag('kernels') && be instanceof WasmBackend) printKernelCalls(be, step, steps);
    if (flag('rss')) {
      for (let i = 0; i < 300; i++) step();
      console.log(`peak RSS after ${300 + runs * steps + 10} steps: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    }
  }
  if (flag('infer') || only === 'infer') {
    const model = makeModel(arg('model', 'bench'));
    model.eval();
    for (const batch of [1, 256]) {
      const x = randn([batch, 1, 28, 28]);
      const r = time(() => tidy(() => void noGrad(() => model.call(x))), runs, batch === 1 ? 200 : 5, 20);
      console.log(`lenet infer${batch}: ${r.ms.toFixed(4)} ms, ${(batch * 1000 / r.ms).toFixed(0)} samples/s ${fmt(r)}`);
    }
  }
  if (flag('conv') || only === 'conv') {
    const x = randn([32, 64, 32, 32], { requiresGrad: true });
    const w = randn([64, 64, 3, 3], { requiresGrad: true });
    const b = randn([64], { requiresGrad: true });
    const forward = (): void => noGrad(() => F.conv2d(x, w, b, { padding: 1 })).dispose();
    const both = (): void => void tidy(() => {
      F.conv2d(x, w, b, { padding: 1 }).sum().backward();
      for (const t of [x, w, b]) t.grad = null;
    });
    for (const [label, run] of [['forward', forward], ['forward+backward', both]] as const) {
      const r = time(run, Math.min(runs, 5), 1, 1);
      console.log(`conv3x3 64→64 32×32×32 ${label}: ${r.ms.toFixed(1)} ms ${fmt(r)}`);
      if (flag('ops')) printBackendCalls(be, run, 3);
      if (flag('kernels') && be instanceof WasmBackend) printKernelCalls(be, run, 3);
    }
  }
}

main();
// The worker pool would keep the process alive.
process.exit(0);
