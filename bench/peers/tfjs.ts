/**
 * The TensorFlow.js side of `npm run bench`: `node dist/bench/peers/tfjs.js --backend=wasm|cpu
 * --items=…` (or `--rss`). The same work as glubina's side in tfjs's own API and layout (NHWC).
 * The wasm backend (XNNPACK) runs one thread in Node; it has no kernel for convolution gradients,
 * so those items report 'fails' there and the runner repeats them on the CPU backend.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { CONV, EW_SIZE, GEMM_SIZES } from '../suites/items.js';
import { reportTrainingRss, runBenches, serveBenches, type Bench } from '../suites/measure.js';
import { emit, emitMeta, errorNote, parseSideArgs } from '../suites/protocol.js';
import { loadTfjs, loadTfjsWasm, type TfSequential, type TfTensor } from './tfjs_api.js';

const tf = loadTfjs();

/** LeNet-5 as every side defines it: C1 pads by 2 ('same' for 5×5 on 28×28), tanh, average pooling. */
function lenet(): TfSequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 120, kernelSize: 5, activation: 'tanh' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 84, activation: 'tanh' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** The 784-1000-10 ReLU MLP. */
function mlp(): TfSequential {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 1000, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
}

/** Forward, softmax cross-entropy, gradients and a momentum-SGD update (lr 0.01, momentum 0.9). */
function training(make: () => TfSequential, input: number[]): Bench {
  return () => {
    const model = make();
    const x = tf.randomNormal(input);
    const y = tf.oneHot(tf.randomUniform([input[0]], 0, 10, 'int32'), 10);
    const opt = tf.train.momentum(0.01, 0.9);
    const run = (): void => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as TfTensor), false);
    };
    return { run, teardown: () => (tf.dispose([x, y]), opt.dispose(), model.dispose()) };
  };
}

function inference(batch: number): Bench {
  return () => {
    const model = lenet();
    const x = tf.randomNormal([batch, 28, 28, 1]);
    return { run: () => tf.tidy(() => void model.apply(x)), teardown: () => (x.dispose(), model.dispose()) };
  };
}

/** The 3×3 convolution (fused with its bias) at batch `n`, forward only or with the gradients of its sum. */
function conv(n: number, backward: boolean): { run: () => void; teardown: () => void } {
  const x = tf.randomNormal([n, CONV.h, CONV.w, CONV.c]);
  const filter = tf.randomNormal([CONV.k, CONV.k, CONV.c, CONV.c]);
  const bias = tf.randomNormal([CONV.c]);
  const teardown = (): void => tf.dispose([x, filter, bias]);
  if (!backward) return { run: () => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same' }).dispose(), teardown };
  const grads = tf.grads((xi: TfTensor, f: TfTensor, b: TfTensor) =>
    tf.fused.conv2d({ x: xi, filter: f, bias: b, strides: 1, pad: 'same' }).sum(),
  );
  return { run: () => tf.dispose(grads([x, filter, bias])), teardown };
}

/** The convolution item, with a batch-1 probe that predicts its cost (the CPU backend's is slow). */
function convBench(backward: boolean): Bench {
  return () => ({ ...conv(CONV.n, backward), probe: () => ({ ...conv(1, backward), factor: CONV.n, label: 'batch 1' }) });
}

const BENCHES: Record<string, Bench> = {
  ...Object.fromEntries(
    GEMM_SIZES.map((n): [string, Bench] => [
      `gemm.${n}`,
      () => {
        const a = tf.randomNormal([n, n]);
        const b = tf.randomNormal([n, n]);
        return { run: () => tf.matMul(a, b).dispose(), teardown: () => tf.dispose([a, b]) };
      },
    ]),
  ),
  'conv.fwd': convBench(false),
  'conv.fwdbwd': convBench(true),
  'lenet.train64': training(lenet, [64, 28, 28, 1]),
  'lenet.infer1': inference(1),
  'lenet.infer256': inference(256),
  'mlp.train64': training(mlp, [64, 784]),
  'ew.add': () => {
    const a = tf.randomNormal([EW_SIZE]);
    const b = tf.randomNormal([EW_SIZE]);
    return { run: () => tf.add(a, b).dispose(), teardown: () => tf.dispose([a, b]) };
  },
  'ew.relu': () => {
    const a = tf.randomNormal([EW_SIZE]);
    return { run: () => tf.relu(a).dispose(), teardown: () => a.dispose() };
  },
  // No 'ew.clone': tf.clone shares the data (a new handle, no copy).
};

async function main(): Promise<void> {
  const { items, limits, options } = parseSideArgs(process.argv.slice(2));
  const backend = options.get('backend') ?? 'wasm';
  try {
    if (backend === 'wasm') {
      // The package's own .wasm files, loaded from disk (Node refuses blob: workers; threads are off in Node anyway).
      const { wasm, dir } = loadTfjsWasm();
      wasm.setWasmPaths(dir);
    }
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' did not initialise`);
    await tf.ready();
  } catch (e) {
    if (options.has('serve')) {
      emitMeta({ framework: 'tfjs', error: errorNote(e) });
      await serveBenches({}, limits, errorNote(e));
    }
    for (const id of items) emit({ item: id, status: 'fails', note: errorNote(e) });
    return;
  }
  emitMeta({ framework: 'tfjs', version: tf.version.tfjs, backend: tf.getBackend(), node: process.version });
  if (options.has('rss')) {
    reportTrainingRss(training(lenet, [64, 28, 28, 1])().run, limits);
    return;
  }
  if (options.has('serve')) await serveBenches(BENCHES, limits);
  else runBenches(items, BENCHES, limits);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
  process.exit(0);
}
