/**
 * The wasm backend's worker pool: results with 2 and 3 threads are bit-for-bit those of 1 thread
 * (work is split into disjoint output ranges), big ops really split, small ones do not, and a
 * process that used the pool exits on its own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  exp, fromTypedArray, gather, logSoftmax, matmul, optim, setNumThreads, softmax, sum, tensor, where, zeros, type Tensor,
  type WasmBackend,
} from '../src/index.js';
import { onBackend, randomArray } from './wasm_helpers.js';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { partBounds } from '../src/backends/wasm/context.js';

after(() => setNumThreads(1));

/** Every op below, on fresh inputs, returning the results as plain arrays. */
function workload(): Float32Array[] {
  return onBackend('wasm', () => {
    const a = fromTypedArray(randomArray(300 * 260, 1), [300, 260]);
    const b = fromTypedArray(randomArray(260 * 270, 2), [260, 270]);
    const big = fromTypedArray(randomArray(1 << 20, 3), [1024, 1024]);
    const idx = tensor(Int32Array.from({ length: 1 << 20 }, (_, i) => (i * 7919) % 1024), { shape: [1024, 1024] });
    const out: Tensor[] = [
      matmul(a, b),
      matmul(b.t(), a.t()),
      matmul(fromTypedArray(randomArray(8 * 96 * 96, 4), [8, 96, 96]), fromTypedArray(randomArray(8 * 96 * 96, 5), [8, 96, 96])),
      // A thin product whose per-thread tiles would qualify for another GEMM path than the whole:
      // the path is chosen once, so the split cannot change the rounding.
      matmul(fromTypedArray(randomArray(50 * 784, 6), [50, 784]), fromTypedArray(randomArray(256 * 784, 7), [256, 784]).t()),
      big.add(big.t()),
      big.mul(2).sub(1),
      exp(big),
      sum(big, 1),
      sum(big, 0),
      softmax(big, 1),
      logSoftmax(big, 0),
      where(big.gt(0), big, 0),
      big.t().contiguous(),
      gather(big, 1, idx),
      zeros(1 << 21).add(3),
    ];
    return out.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  });
}

test('2 and 3 threads give the same bits as 1 thread, and big ops do split', () => {
  const backend = wasmBackend() as WasmBackend;
  setNumThreads(1);
  const before = backend.parallelCalls;
  const single = workload();
  assert.equal(backend.parallelCalls, before, 'one thread never splits');
  for (const n of [2, 3]) {
    setNumThreads(n);
    assert.equal(backend.waitForThreads(20000), n, `${n} threads ready`);
    const start = backend.parallelCalls;
    const multi = workload();
    // Every op of the workload is big enough to split (some run several kernels).
    assert.ok(backend.parallelCalls - start >= 14, `only ${backend.parallelCalls - start} calls split across ${n} threads`);
    multi.forEach((m, i) => assert.deepEqual(m, single[i], `result ${i} with ${n} threads`));
  }
});

test('every part of a split call runs exactly once (in-place updates, many parts per thread)', () => {
  // The fused SGD step updates the parameter and its momentum in place: a part run twice, or
  // skipped, by the claiming threads would change the bits.
  const steps = (): Float32Array[] => onBackend('wasm', () => {
    const p = fromTypedArray(randomArray(1 << 21, 11), [1 << 21]).requiresGrad_();
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 3; i++) {
      p.grad = fromTypedArray(randomArray(1 << 21, 20 + i), [1 << 21]);
      opt.step();
    }
    return [Float32Array.from(p.dataSync() as ArrayLike<number>)];
  });
  setNumThreads(1);
  const single = steps();
  const backend = wasmBackend() as WasmBackend;
  for (const n of [2, 3]) {
    setNumThreads(n);
    backend.waitForThreads(20000);
    const start = backend.parallelCalls;
    assert.deepEqual(steps(), single, `SGD with ${n} threads`);
    assert.ok(backend.parallelCalls - start >= 3, 'the steps were split');
  }
});

test('small ops stay on the calling thread', () => {
  const backend = wasmBackend() as WasmBackend;
  setNumThreads(2);
  backend.waitForThreads(20000);
  const start = backend.parallelCalls;
  onBackend('wasm', () => {
    const x = fromTypedArray(randomArray(64 * 64, 9), [64, 64]);
    matmul(x, x).relu().sum().item();
  });
  assert.equal(backend.parallelCalls, start);
});

test('a process that started worker threads exits when its work is done', () => {
  const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
  const script = `
    const g = await import(${JSON.stringify(index)});
    g.setBackend('wasm'); g.setNumThreads(2); g.getBackend().waitForThreads(20000);
    const x = g.randn(512, 512); console.log(g.matmul(x, x).shape.join('x'), g.getBackend().parallelCalls > 0);`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
  assert.equal(res.error, undefined, `child: ${res.error?.message}`);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim(), '512x512 true');
});

test('a process started with V8 flags, which Node refuses in a worker\'s execArgv, still gets its worker threads', () => {
  const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
  const script = `
    const g = await import(${JSON.stringify(index)});
    g.setBackend('wasm'); g.setNumThreads(2); const ready = g.getBackend().waitForThreads(20000);
    const x = g.randn(512, 512); console.log(ready, g.matmul(x, x).shape.join('x'), g.getBackend().parallelCalls > 0);`;
  // --no-concurrent-marking: a V8 flag; a worker given it in execArgv throws ERR_WORKER_INVALID_EXEC_ARGV.
  const res = spawnSync(process.execPath, ['--no-concurrent-marking', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
  assert.equal(res.error, undefined, `child: ${res.error?.message}`);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim(), '2 512x512 true');
});

test('split parts cover the range in whole grains, largest at the ends and smallest in the middle', () => {
  assert.deepEqual(partBounds(64, 8), [0, 17, 26, 30, 32, 34, 38, 47, 64]);
  assert.deepEqual(partBounds(64, 1), [0, 64]);
  assert.deepEqual(partBounds(3, 8), [0, 1, 2, 3], 'no more parts than items');
  for (const [n, count, grain] of [[301056, 8, 64], [1000, 8, 16], [10, 8, 4], [75, 6, 1], [5, 2, 1]]) {
    const b = partBounds(n, count, grain);
    const sizes = b.slice(1).map((e, q) => e - b[q]);
    assert.equal(b[0], 0);
    assert.equal(b[b.length - 1], n);
    assert.ok(sizes.length <= count && sizes.every((s) => s > 0), `${n}/${count}/${grain}: ${b}`);
    assert.ok(b.slice(1, -1).every((e) => e % grain === 0), `${n}/${count}/${grain}: whole grains ${b}`);
    const half = Math.floor(sizes.length / 2);
    for (let q = 1; q < half; q++) assert.ok(sizes[q] <= sizes[q - 1] + grain, `${n}/${count}/${grain}: shrinking towards the middle ${sizes}`);
  }
});
