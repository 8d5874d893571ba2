/**
 * A/B of two builds of glubina in one process: each build is a separate copy of the library (its
 * own wasm memory and worker pool) training its own LeNet-5, the two taking turns in windows of
 * steps, so that the shared machine's slow spells fall on both alike. Separate processes run
 * minutes apart differed by 30% on this machine; this resolves 1–2%.
 *
 * ```text
 * git worktree add /tmp/base HEAD && ln -s "$PWD/node_modules" /tmp/base/node_modules
 * (cd /tmp/base && npx tsc -p . && node scripts/build-wasm.mjs)
 * node dist/bench/ab_builds.js --a=/tmp/base [--b=.] [--threads=1] [--rounds=30] [--steps=20]
 *                               [--model=lenet|mlp|gemm|conv] [--batch=8]
 * ```
 *
 * `--model=gemm` times a 1024×1024 float32 matmul instead of a training step, `--model=conv` the
 * benchmark's 3×3 conv 64→64 forward + backward at batch `--batch` (default 8, a quarter of the
 * benchmark's 32).
 *
 * Prints each build's median ms per step and the median of the per-round ratios B/A.
 * @module
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The parts of a build's API this script uses (each build has its own copy of these types). */
interface Build {
  getBackend(): { waitForThreads?(ms: number): number };
  setNumThreads(n: number): void;
  manualSeed(seed: number): void;
  randn(shape: number[]): unknown;
  randint(low: number, high: number, shape: number[]): unknown;
  models: { lenet5(options: { inputSize: number }): unknown };
  nn: { Sequential: new (...layers: unknown[]) => unknown; Linear: new (i: number, o: number) => unknown; ReLU: new () => unknown };
  randn(shape: number[], options: { requiresGrad: boolean }): unknown;
  matmul(a: unknown, b: unknown): unknown;
  tidy(fn: () => unknown): unknown;
  functional: { conv2d(x: unknown, w: unknown, b: unknown, options: { padding: number }): { sum(): { backward(): void } } };
}

/** Gradients of the conv item's leaves, dropped after each run. */
interface Leaf {
  grad: unknown;
}

/**
 * One timed unit of the build checked out at `root` (built into its dist/): a training step of
 * LeNet-5 or (`model` 'mlp') the benchmark's MLP 784-1000-10, a 1024 matmul ('gemm'), or the
 * conv item at `batch` ('conv').
 */
async function stepOf(root: string, threads: number, model: string, batch: number): Promise<() => void> {
  const url = (rel: string): string => pathToFileURL(resolve(root, rel)).href;
  const G = (await import(url('dist/src/index.js'))) as Build;
  const { trainingStep } = (await import(url('dist/bench/suites/glubina.js'))) as {
    trainingStep(model: unknown, x: unknown, y: unknown): () => void;
  };
  G.setNumThreads(threads);
  if (threads > 1) G.getBackend().waitForThreads?.(20000);
  G.manualSeed(0);
  if (model === 'gemm') {
    const a = G.randn([1024, 1024]);
    const b = G.randn([1024, 1024]);
    return () => void G.tidy(() => G.matmul(a, b));
  }
  if (model === 'conv') {
    const leaves = [G.randn([batch, 64, 32, 32], { requiresGrad: true }), G.randn([64, 64, 3, 3], { requiresGrad: true }), G.randn([64], { requiresGrad: true })];
    return () => void G.tidy(() => {
      G.functional.conv2d(leaves[0], leaves[1], leaves[2], { padding: 1 }).sum().backward();
      for (const leaf of leaves as Leaf[]) leaf.grad = null;
    });
  }
  if (model === 'mlp') {
    const net = new G.nn.Sequential(new G.nn.Linear(784, 1000), new G.nn.ReLU(), new G.nn.Linear(1000, 10));
    return trainingStep(net, G.randn([64, 784]), G.randint(0, 10, [64]));
  }
  return trainingStep(G.models.lenet5({ inputSize: 28 }), G.randn([64, 1, 28, 28]), G.randint(0, 10, [64]));
}

async function main(): Promise<void> {
  const a = arg('a', '');
  if (a === '') throw new Error('ab_builds: give the other checkout as --a=PATH (built: dist/ and dist/wasm/)');
  const b = arg('b', '.');
  const threads = Number(arg('threads', '1'));
  const rounds = Number(arg('rounds', '30'));
  const steps = Number(arg('steps', '20'));
  const model = arg('model', 'lenet');
  const batch = Number(arg('batch', '8'));
  const A = await stepOf(a, threads, model, batch);
  const B = await stepOf(b, threads, model, batch);
  // Warm-up: V8 optimises a training step's functions over its first few hundred steps.
  for (let i = 0, n = model === 'gemm' || model === 'conv' ? 10 : 200; i < n; i++) {
    A();
    B();
  }
  const times = { A: [] as number[], B: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    // Alternating which goes first: the second of a pair may find the caches the first left.
    for (const side of r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const step = side === 'A' ? A : B;
      for (let i = 0; i < 3; i++) step();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) step();
      times[side].push((performance.now() - t0) / steps);
    }
  }
  const ratio = median(times.A.map((t, i) => times.B[i] / t));
  console.log(`${model}, ${threads} thread(s), ${rounds} rounds of ${steps} steps: A ${median(times.A).toFixed(3)} ms, B ${median(times.B).toFixed(3)} ms, median B/A ${ratio.toFixed(3)}`);
  process.exit(0);
}

void main();
