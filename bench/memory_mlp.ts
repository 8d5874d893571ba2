/**
 * Memory benchmark: 10,000 forward+backward steps of a small MLP (2→32→32→2, ReLU, cross-entropy,
 * manual SGD under noGrad) must keep the process's memory flat: every step's graph, activations and
 * gradients become garbage once the step ends, with no `tidy`/`dispose` in user code.
 *
 * Run: `node --expose-gc dist/bench/memory_mlp.js [steps]` (without --expose-gc it enables gc itself).
 * Prints RSS, heapUsed (after a full gc) and the backend's `memory()` every 1000 steps.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathToFileURL } from 'node:url';
import { manualSeed, memory, noGrad, randn, tensor, zeros, type MemoryInfo, type Tensor } from '../src/index.js';

/** A full garbage collection: `global.gc` when node runs with --expose-gc, else enabled through V8's flags. */
export function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Collects garbage and lets FinalizationRegistry callbacks run, so `memory()` is up to date.
 * The callbacks run in later tasks, and on a loaded machine some arrive a round late: this repeats
 * until three rounds in a row agree (two agreeing rounds once left ten storages uncounted).
 */
export async function settle(gc: () => void): Promise<void> {
  let previous = -1;
  let agreeing = 0;
  for (let round = 0; round < 40 && agreeing < 2; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = memory().storages;
    agreeing = now === previous ? agreeing + 1 : 0;
    previous = now;
  }
}

/** A small network with its data, trained one step at a time. */
export interface MlpTrainer {
  /** One forward + backward + SGD update; returns the loss before the update. */
  step(): number;
  /** The weights and biases (leaves that require grad). */
  readonly params: readonly Tensor[];
}

/** Options of {@link mlpTrainer}. */
export interface MlpOptions {
  /** Seed of the data and the initial weights (default 0). */
  seed?: number;
  /** SGD step size (default 0.1). */
  lr?: number;
  /** Number of training points, all used every step (default 64). */
  batch?: number;
}

/**
 * A 2→32→32→2 ReLU network on `batch` random points labelled by the sign of x₀·x₁ (XOR-like),
 * trained by plain SGD: p ← p − lr·∂L/∂p, with L the mean cross-entropy −log softmax(logits)[label].
 */
export function mlpTrainer(options: MlpOptions = {}): MlpTrainer {
  const { seed = 0, lr = 0.1, batch = 64 } = options;
  manualSeed(seed);
  const x = randn([batch, 2]);
  const xv = x.dataSync();
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = xv[2 * i] * xv[2 * i + 1] > 0 ? 1 : 0;
  const y = tensor(labels, { shape: [batch, 1] });
  // Kaiming-style scale 1/√fanIn keeps activations of order 1.
  const layer = (fanIn: number, fanOut: number): [Tensor, Tensor] => [
    randn([fanIn, fanOut]).mul(1 / Math.sqrt(fanIn)).detach().requiresGrad_(),
    zeros([fanOut], { requiresGrad: true }),
  ];
  const [w1, b1] = layer(2, 32);
  const [w2, b2] = layer(32, 32);
  const [w3, b3] = layer(32, 2);
  const params = [w1, b1, w2, b2, w3, b3];
  return {
    params,
    step(): number {
      const h1 = x.matmul(w1).add(b1).relu();
      const h2 = h1.matmul(w2).add(b2).relu();
      const logits = h2.matmul(w3).add(b3);
      const loss = logits.logSoftmax(1).gather(1, y).mean().neg();
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          p.sub_(p.grad!.mul(lr));
          p.grad = null;
        }
      });
      return loss.item();
    },
  };
}

/** One line of the report. */
export interface MemorySample {
  step: number;
  rssMB: number;
  heapUsedMB: number;
  /** Memory of typed arrays (outside the JS heap), where tensor data lives. */
  arrayBuffersMB: number;
  backend: MemoryInfo;
  loss: number;
}

async function sample(gc: () => void, step: number, loss: number): Promise<MemorySample> {
  await settle(gc);
  const m = process.memoryUsage();
  return { step, rssMB: m.rss / 2 ** 20, heapUsedMB: m.heapUsed / 2 ** 20, arrayBuffersMB: m.arrayBuffers / 2 ** 20, backend: memory(), loss };
}

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? 10000);
  const gc = getGc();
  const trainer = mlpTrainer();
  const start = await sample(gc, 0, NaN);
  const rows: MemorySample[] = [start];
  const fmt = (s: MemorySample): string =>
    `step ${String(s.step).padStart(6)}  rss ${s.rssMB.toFixed(1).padStart(6)} MB  heapUsed ${s.heapUsedMB.toFixed(2).padStart(6)} MB  ` +
    `arrayBuffers ${s.arrayBuffersMB.toFixed(2).padStart(5)} MB  ` +
    `backend ${(s.backend.bytes / 1024).toFixed(1).padStart(7)} KB in ${String(s.backend.storages).padStart(4)} storages  loss ${s.loss.toFixed(4)}`;
  console.log(fmt(start));
  let busy = 0;
  for (let i = 1; i <= steps; i++) {
    const t0 = performance.now();
    const loss = trainer.step();
    busy += performance.now() - t0;
    if (i % 1000 === 0 || i === steps) {
      const s = await sample(gc, i, loss);
      rows.push(s);
      console.log(fmt(s));
    }
  }
  const first = rows[1] ?? start;
  const last = rows[rows.length - 1];
  console.log(`steps/s ${(steps / (busy / 1000)).toFixed(0)} (training time only, ${(busy / 1000).toFixed(2)} s)`);
  console.log(
    `growth from step ${first.step} to ${last.step}: rss ${(last.rssMB - first.rssMB).toFixed(2)} MB, ` +
      `heapUsed ${(last.heapUsedMB - first.heapUsedMB).toFixed(3)} MB, arrayBuffers ${(last.arrayBuffersMB - first.arrayBuffersMB).toFixed(3)} MB, ` +
      `backend storages ${last.backend.storages - first.backend.storages}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
