/**
 * Memory stays flat in ordinary training code, with no tidy/dispose: a short version of
 * bench/memory_mlp.ts (which runs 10,000 steps and prints the numbers).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBackendName, memory, zeros, type Tensor } from '../src/index.js';
import { getGc, mlpTrainer, settle } from '../bench/memory_mlp.js';

const MB = 2 ** 20;

test('3000 forward+backward steps of a small MLP keep heap and backend memory flat', async () => {
  const gc = getGc();
  const trainer = mlpTrainer({ batch: 16, seed: 3 });
  await settle(gc);
  const held = memory();
  const firstLoss = trainer.step();
  for (let i = 1; i < 1000; i++) trainer.step();
  await settle(gc);
  const { heapUsed: heap1000, arrayBuffers: buffers1000 } = process.memoryUsage();
  const mem1000 = memory();
  let lastLoss = 0;
  for (let i = 0; i < 2000; i++) lastLoss = trainer.step();
  await settle(gc);
  const { heapUsed: heap3000, arrayBuffers: buffers3000 } = process.memoryUsage();
  const mem3000 = memory();

  // Between steps the backend holds only the data and the parameters, as before training.
  assert.equal(mem1000.storages, held.storages, `storages after 1000 steps: ${mem1000.storages}, before: ${held.storages}`);
  assert.equal(mem3000.storages, held.storages, `storages after 3000 steps: ${mem3000.storages}, before: ${held.storages}`);
  assert.equal(mem3000.bytes, held.bytes);
  const growth = (heap3000 - heap1000) / MB;
  assert.ok(growth < 1, `heapUsed grew by ${growth.toFixed(3)} MB from step 1000 to 3000`);
  const bufferGrowth = (buffers3000 - buffers1000) / MB;
  assert.ok(bufferGrowth < 0.25, `typed-array memory grew by ${bufferGrowth.toFixed(3)} MB from step 1000 to 3000`);
  // It did train (so the steps above were real work).
  assert.ok(lastLoss < firstLoss / 2, `loss ${firstLoss} → ${lastLoss}`);
});

test('the measurement sees memory that is kept alive', async () => {
  const gc = getGc();
  await settle(gc);
  const before = memory();
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const kept: Tensor[] = [];
  for (let i = 0; i < 200; i++) kept.push(zeros(1024));
  await settle(gc);
  const after = memory();
  assert.equal(after.storages - before.storages, 200);
  assert.equal(after.bytes - before.bytes, 200 * 1024 * 4);
  // Only the JS backend keeps storage in ArrayBuffers; the wasm backend's lives in its linear memory.
  if (getBackendName() === 'js') assert.ok(process.memoryUsage().arrayBuffers - buffersBefore >= 200 * 1024 * 4);
  kept.length = 0;
  await settle(gc);
  assert.equal(memory().storages, before.storages);
});
