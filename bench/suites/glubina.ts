/**
 * The glubina side of `npm run bench`: one child process per configuration, e.g.
 * `node dist/bench/suites/glubina.js --backend=wasm --threads=2 --items=gemm.1024,conv.fwd`
 * (`--rss` instead trains LeNet-5 in a fresh process and reports its peak RSS).
 * Prints a META line and one BENCH line per item (see protocol.ts).
 * @module
 */
import { pathToFileURL } from 'node:url';
import {
  Tensor, WasmBackend, functional as F, getBackend, keep, manualSeed, matmul, models, nn, noGrad, optim, randint, randn,
  setBackend, setNumThreads, tidy,
} from '../../src/index.js';
import { CONV, EW_SIZE, GEMM_SIZES } from './items.js';
import { reportTrainingRss, runBenches, serveBenches, type Bench } from './measure.js';
import { emit, emitMeta, errorNote, parseSideArgs } from './protocol.js';

/** A model that maps a batch to logits. */
export interface Classifier {
  call(x: Tensor): Tensor;
  parameters(): Tensor[];
  train(mode?: boolean): unknown;
  eval(): unknown;
}

/** LeNet-5 as every side defines it: models.lenet5 for 28×28 MNIST (C1 pads by 2; tanh, average pooling). */
function lenet(): Classifier {
  return models.lenet5({ inputSize: 28 });
}

/** The 784-1000-10 ReLU MLP. */
function mlp(): Classifier {
  return new nn.Sequential(new nn.Linear(784, 1000), new nn.ReLU(), new nn.Linear(1000, 10));
}

/**
 * One training step as a user writes it — zeroGrad, forward, cross-entropy, backward, SGD with
 * momentum 0.9 — in a `tidy`, keeping the optimiser's state as `train.fit` does.
 */
export function trainingStep(model: Classifier, x: Tensor, y: Tensor): () => void {
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const params = model.parameters();
  model.train();
  return () =>
    tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.call(x), y).backward();
      opt.step();
      // Momentum buffers are born inside the first step's tidy; gradients die with it.
      for (const s of opt.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) keep(v);
      for (const p of params) p.grad = null;
    });
}

function inference(batch: number): Bench {
  return () => {
    const model = lenet();
    model.eval();
    const x = randn([batch, 1, 28, 28]);
    return { run: () => tidy(() => void noGrad(() => model.call(x))), teardown: () => x.dispose() };
  };
}

function training(make: () => Classifier, input: number[]): Bench {
  return () => {
    const model = make();
    const x = randn(input);
    const y = randint(0, 10, [input[0]]);
    return { run: trainingStep(model, x, y), teardown: () => [x, y].forEach((t) => t.dispose()) };
  };
}

/** The 3×3 convolution at batch `n`, forward only or forward + backward (of the sum). */
function conv(n: number, backward: boolean): { run: () => void; teardown: () => void } {
  const x = randn([n, CONV.c, CONV.h, CONV.w], { requiresGrad: backward });
  const w = randn([CONV.c, CONV.c, CONV.k, CONV.k], { requiresGrad: backward });
  const b = randn([CONV.c], { requiresGrad: backward });
  const leaves = [x, w, b];
  const teardown = (): void => leaves.forEach((t) => t.dispose());
  if (!backward) return { run: () => noGrad(() => F.conv2d(x, w, b, { padding: 1 })).dispose(), teardown };
  const run = (): void =>
    tidy(() => {
      F.conv2d(x, w, b, { padding: 1 }).sum().backward();
      for (const t of leaves) t.grad = null;
    });
  return { run, teardown };
}

/** The convolution item, with a batch-1 probe that predicts its cost (slow backends skip it). */
function convBench(backward: boolean): Bench {
  return () => ({ ...conv(CONV.n, backward), probe: () => ({ ...conv(1, backward), factor: CONV.n, label: 'batch 1' }) });
}

/** Every benchmark glubina runs, by item id. */
const BENCHES: Record<string, Bench> = {
  ...Object.fromEntries(
    GEMM_SIZES.map((n): [string, Bench] => [
      `gemm.${n}`,
      () => {
        const a = randn([n, n]);
        const b = randn([n, n]);
        return { run: () => matmul(a, b).dispose(), teardown: () => [a, b].forEach((t) => t.dispose()) };
      },
    ]),
  ),
  'conv.fwd': convBench(false),
  'conv.fwdbwd': convBench(true),
  'lenet.train64': training(lenet, [64, 1, 28, 28]),
  'lenet.infer1': inference(1),
  'lenet.infer256': inference(256),
  'mlp.train64': training(mlp, [64, 784]),
  'ew.add': () => {
    const a = randn([EW_SIZE]);
    const b = randn([EW_SIZE]);
    return { run: () => a.add(b).dispose(), teardown: () => [a, b].forEach((t) => t.dispose()) };
  },
  'ew.relu': () => {
    const a = randn([EW_SIZE]);
    return { run: () => F.relu(a).dispose(), teardown: () => a.dispose() };
  },
  'ew.clone': () => {
    const a = randn([EW_SIZE]);
    return { run: () => a.clone().dispose(), teardown: () => a.dispose() };
  },
};

/** The machine's copy bandwidth as plain JavaScript sees it (backend-independent). */
const COPY_REFERENCE: Bench = () => {
  const src = new Float32Array(EW_SIZE).map((_, i) => i);
  const dst = new Float32Array(EW_SIZE);
  return { run: () => dst.set(src) };
};

async function main(): Promise<void> {
  const { items, limits, options } = parseSideArgs(process.argv.slice(2));
  const backend = options.get('backend') ?? 'wasm';
  const threads = Number(options.get('threads') ?? '1');
  try {
    setBackend(backend);
    if (backend === 'wasm') setNumThreads(threads);
  } catch (e) {
    if (options.has('serve')) {
      emitMeta({ framework: 'glubina', error: errorNote(e) });
      await serveBenches({}, limits, errorNote(e));
    }
    for (const id of items) emit({ item: id, status: 'fails', note: errorNote(e) });
    return;
  }
  const be = getBackend();
  const variant = be instanceof WasmBackend ? be.variant : null;
  if (be instanceof WasmBackend && threads > 1) be.waitForThreads(20000);
  emitMeta({ framework: 'glubina', backend: be.name, variant, threads: be instanceof WasmBackend ? be.numThreads : 1, node: process.version });
  manualSeed(0);
  if (options.has('rss')) {
    const step = training(lenet, [64, 1, 28, 28])().run;
    reportTrainingRss(step, limits);
    return;
  }
  const benches = { ...BENCHES, ...(options.has('copyref') ? { 'ew.copyref': COPY_REFERENCE } : {}) };
  if (options.has('serve')) await serveBenches(benches, limits);
  else runBenches(items, benches, limits);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
  // The wasm backend's worker pool would keep the process alive.
  process.exit(0);
}
