/**
 * Memory ownership on the wasm backend: memory() counts, dispose() and tidy()/keep() free
 * deterministically, views share one storage, a disposed tensor fails naming the op and the
 * backend (never reading reused memory), and unreachable storage is reclaimed without user calls,
 * between tasks and inside long synchronous loops.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'node:test';
import {
  conv2d, convTranspose2d, dispose, functional, keep, matmul, maxPool2d, memory, noGrad, ones, randn, tensor, tidy, zeros, type Tensor, type WasmMemoryInfo,
} from '../src/index.js';
import { onBackend } from './wasm_helpers.js';

function gcNow(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Collects garbage and lets finalisers run (they run in later tasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gcNow();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

test('memory() counts the bytes and storages held; dispose() gives them back', () => {
  onBackend('wasm', () => {
    const before = memory();
    const x = zeros(1000);
    const y = ones([10, 10], { dtype: 'float64' });
    assert.deepEqual([memory().bytes - before.bytes, memory().storages - before.storages], [4800, 2]);
    x.dispose();
    y.dispose();
    y.dispose(); // twice is harmless
    assert.deepEqual([memory().bytes, memory().storages], [before.bytes, before.storages]);
  });
});

test('a disposed tensor fails naming the op, its shape and the backend', () => {
  onBackend('wasm', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const v = x.reshape(6); // a view of the same storage
    x.dispose();
    assert.equal(x.isDisposed, true);
    assert.equal(v.isDisposed, true);
    assert.throws(() => x.add(1), /^Error: add: tensor \[2,3\] was disposed \(backend 'wasm'\)$/);
    assert.throws(() => v.exp(), /exp: tensor \[6\] was disposed \(backend 'wasm'\)/);
    assert.throws(() => matmul(x, x.t()), /^Error: matmul: input \[2,3\] was disposed \(backend 'wasm'\); keep\(\) it or return it from tidy\(\)/);
    // Ops name their own argument, not the kernel underneath.
    assert.throws(() => v.clone(), /^Error: clone: input \[6\] was disposed \(backend 'wasm'\)/);
    assert.throws(() => x.t().contiguous(), /^Error: contiguous: input \[3,2\] was disposed/);
    assert.throws(() => tensor([[0, 0, 0], [0, 0, 0]]).copy_(x), /^Error: copy_: value \[2,3\] was disposed/);
    assert.throws(() => x.fill_(0), /^Error: fill_: self \[2,3\] was disposed/);
    assert.throws(() => conv2d(tensor([[[[1, 2], [3, 4]]]]), x.reshape(1, 1, 2, 3)), /^Error: conv2d: weight \[1,1,2,3\] was disposed/);
    assert.throws(() => x.sum(), /sum: tensor \[2,3\] was disposed/);
    assert.throws(() => x.dataSync(), /read: tensor \[2,3\] was disposed \(backend 'wasm'\)/);
    // The freed block is handed out again; the old tensor must still refuse to read it.
    const z = tensor([[7, 8, 9], [10, 11, 12]]);
    assert.throws(() => x.toArray(), /was disposed/);
    assert.deepEqual(z.toArray(), [[7, 8, 9], [10, 11, 12]]);
  });
});

test('tidy frees what the function made except what it returns, into nested scopes', () => {
  onBackend('wasm', () => {
    const a = tensor([1, 2, 3]);
    const before = memory().storages;
    let inner: Tensor | null = null;
    const result = tidy(() => {
      const b = a.mul(2).add(1); // two intermediates, one kept as the result below
      const pair = tidy(() => {
        inner = b.exp();
        const discarded = inner.log();
        assert.ok(!discarded.isDisposed);
        return { kept: inner.sqrt(), list: [b.neg()] };
      });
      assert.equal(inner!.isDisposed, true, 'inner intermediate freed by the inner tidy');
      return [pair.kept, pair.list[0], b];
    });
    assert.deepEqual(result.map((t) => t.toArray()), [
      [3, 5, 7].map((v) => Math.fround(Math.sqrt(Math.fround(Math.exp(v))))),
      [-3, -5, -7],
      [3, 5, 7],
    ].map((r) => r.map((v) => Math.fround(v))));
    assert.equal(memory().storages, before + 3, 'only the three returned tensors remain');
    assert.equal(a.isDisposed, false, 'tensors made before the tidy are untouched');
    dispose(result);
    assert.equal(memory().storages, before);
  });
});

test('keep() exempts a tensor made inside tidy; a throwing function frees what it made', () => {
  onBackend('wasm', () => {
    const before = memory().storages;
    let state: Tensor | null = null;
    tidy(() => {
      state = keep(zeros(4));
      zeros(8);
      return undefined;
    });
    assert.equal(state!.isDisposed, false);
    assert.equal(memory().storages, before + 1);
    state!.dispose();
    assert.throws(() => tidy(() => {
      zeros(16);
      throw new Error('boom');
    }), /boom/);
    assert.equal(memory().storages, before);
    assert.throws(() => tidy(() => Promise.resolve(1)), /tidy: the function returned a Promise/);
  });
});

test('the JS backend ignores dispose (its memory is garbage-collected)', () => {
  onBackend('js', () => {
    const x = tensor([1, 2]);
    x.dispose();
    assert.deepEqual(x.add(1).toArray(), [2, 3]);
  });
});

test('storage nobody references is freed by the finaliser between tasks', async () => {
  await settle();
  const before = onBackend('wasm', () => memory().storages);
  onBackend('wasm', () => {
    for (let i = 0; i < 100; i++) zeros(1000).add(1);
  });
  assert.ok(onBackend('wasm', () => memory().storages) >= before + 100);
  await settle();
  assert.equal(onBackend('wasm', () => memory().storages), before);
});

test('inside one long synchronous loop, garbage is reclaimed before the memory grows', () => {
  onBackend('wasm', () => {
    const start = memory() as WasmMemoryInfo;
    // 400 MiB of short-lived tensors (1 MiB each) without tidy, dispose or a single await.
    const x = zeros(1 << 18);
    for (let i = 0; i < 200; i++) x.add(i).mul(2);
    const end = memory() as WasmMemoryInfo;
    assert.ok(end.heapBytes - start.heapBytes < 200 * 2 ** 20, `linear memory grew by ${(end.heapBytes - start.heapBytes) / 2 ** 20} MiB`);
  });
});

test('a convolution, max pooling or batch norm without a graph frees its intermediates when it returns, with no tidy or collection', () => {
  onBackend('wasm', () => {
    // 64 output channels: the im2col + GEMM path, whose columns are 9× the input.
    const x = randn([2, 64, 8, 8]);
    const w = randn([64, 64, 3, 3]);
    const b = randn([64]);
    const wT = randn([64, 32, 3, 3]);
    const stats = [randn([64]), randn([64]).abs(), randn([64]), randn([64])];
    for (const [label, run] of [
      ['conv2d under noGrad', () => noGrad(() => conv2d(x, w, b, { padding: 1 }))],
      ['conv2d of tensors that need no grad', () => conv2d(x, w, b, { padding: 1 })],
      ['convTranspose2d', () => convTranspose2d(x, wT, null, { stride: 2 })],
      ['maxPool2d (its indices)', () => maxPool2d(x, 2)],
      ['batchNorm in evaluation mode', () => noGrad(() => functional.batchNorm(x, stats[0], stats[1], { weight: stats[2], bias: stats[3] }))],
    ] as const) {
      const before = memory();
      const y = run();
      const after = memory();
      assert.equal(after.storages - before.storages, 1, `${label}: storages held after the call`);
      assert.equal(after.bytes - before.bytes, y.numel() * 4, `${label}: bytes held after the call`);
      y.dispose();
    }
  });
});

test('a large-image convolution training step (one image at a time) holds nothing but the gradients afterwards', () => {
  onBackend('wasm', () => {
    // 32×32 outputs, 24 output channels: the one-image kernels; the upstream gradient of sum() is a broadcast view.
    const x = randn([2, 20, 32, 32]).requiresGrad_();
    const w = randn([24, 20, 3, 3]).requiresGrad_();
    const b = randn([24]).requiresGrad_();
    const before = memory();
    const y = conv2d(x, w, b, { padding: 1 });
    assert.equal(y.gradFn?.name, 'ConvolutionBackward0');
    const loss = y.sum();
    loss.backward();
    y.dispose();
    loss.dispose();
    const after = memory();
    const grads = (x.numel() + w.numel() + b.numel()) * 4;
    // The gradients, plus at most the 4-byte seed gradient of backward() awaiting collection.
    assert.ok(after.bytes - before.bytes >= grads && after.bytes - before.bytes <= grads + 16, `bytes held: ${after.bytes - before.bytes}, gradients ${grads}`);
    assert.ok(after.storages - before.storages <= 4, `storages held: ${after.storages - before.storages}`);
  });
});
