import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, data, Generator, manualSeed, tensor, type Tensor } from '../src/index.js';

const { TensorDataset, DataLoader, Subset, randomSplit, defaultCollate } = data;

/** x[i] = [i, 100 + i] (float32), y[i] = i (int32). */
function numbered(n: number): { x: Tensor; y: Tensor } {
  const xs = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) { xs[2 * i] = i; xs[2 * i + 1] = 100 + i; }
  return { x: tensor(xs, { shape: [n, 2] }), y: arange(n) };
}

function epochLabels(loader: Iterable<Tensor[]>): number[][] {
  return [...loader].map(([, y]) => [...y.dataSync()]);
}

test('TensorDataset items are rows; size mismatch is an error', () => {
  const { x, y } = numbered(5);
  const ds = new TensorDataset(x, y);
  assert.equal(ds.length, 5);
  const [xi, yi] = ds.getItem(3);
  assert.deepEqual(xi.toArray(), [3, 103]);
  assert.equal(yi.item(), 3);
  assert.throws(() => ds.getItem(5), /index 5 is out of range for a dataset of length 5/);
  assert.throws(() => new TensorDataset(x, arange(4)), /size mismatch between tensors: \[5,2\] vs \[4\]/);
});

test('DataLoader without shuffle: batches in order, the last one short; dropLast drops it', () => {
  const { x, y } = numbered(10);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 4 });
  assert.equal(loader.length, 3);
  const batches = [...loader];
  assert.deepEqual(batches.map(([xb]) => xb.shape), [[4, 2], [4, 2], [2, 2]]);
  assert.deepEqual(batches[2][0].toArray(), [[8, 108], [9, 109]]);
  assert.deepEqual(epochLabels(loader), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  const dropped = new DataLoader(new TensorDataset(x, y), { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual(epochLabels(dropped), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.throws(() => new DataLoader(new TensorDataset(x, y), { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
});

test('shuffled DataLoader covers every sample once per epoch, new order each epoch, reproducible by seed', () => {
  const { x, y } = numbered(103);
  const ds = new TensorDataset(x, y);
  const loader = new DataLoader(ds, { batchSize: 16, shuffle: true, seed: 7 });
  const e1 = epochLabels(loader).flat();
  const e2 = epochLabels(loader).flat();
  for (const e of [e1, e2]) assert.deepEqual([...e].sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
  assert.notDeepEqual(e1, e2);
  assert.notDeepEqual(e1, Array.from({ length: 103 }, (_, i) => i));
  // Features stay with their labels.
  for (const [xb, yb] of loader) {
    const xv = xb.dataSync();
    yb.dataSync().forEach((label, i) => assert.deepEqual([xv[2 * i], xv[2 * i + 1]], [label, 100 + label]));
  }
  const again = new DataLoader(ds, { batchSize: 16, shuffle: true, seed: 7 });
  assert.deepEqual(epochLabels(again).flat(), e1);
  assert.deepEqual(epochLabels(again).flat(), e2);
  // The same orders from an explicit generator.
  const viaGen = new DataLoader(ds, { batchSize: 16, shuffle: true, generator: new Generator(7) });
  assert.deepEqual(epochLabels(viaGen).flat(), e1);
});

test('without a generator, shuffling follows manualSeed (one seed drawn from the default generator per epoch)', () => {
  const { x, y } = numbered(50);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 50, shuffle: true, dropLast: true });
  manualSeed(3);
  const a = [epochLabels(loader)[0], epochLabels(loader)[0]];
  manualSeed(3);
  const b = [epochLabels(loader)[0], epochLabels(loader)[0]];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a[0], a[1]);
});

test('a Subset and the item-by-item collate path give the same batches as the fast path', () => {
  const { x, y } = numbered(20);
  const ds = new TensorDataset(x, y);
  const sub = new Subset(ds, [19, 3, 7, 11, 0]);
  assert.equal(sub.length, 5);
  assert.deepEqual(sub.getItem(0)[1].item(), 19);
  const fast = [...new DataLoader(sub, { batchSize: 2 })];
  const slow = [...new DataLoader(sub, { batchSize: 2, collate: (items: Tensor[][]) => defaultCollate(items) })];
  assert.equal(fast.length, 3);
  for (let b = 0; b < fast.length; b++) {
    assert.deepEqual(fast[b][0].toArray(), slow[b][0].toArray());
    assert.deepEqual(fast[b][1].toArray(), slow[b][1].toArray());
    assert.equal(fast[b][1].dtype, 'int32');
  }
  assert.deepEqual(fast[0][1].toArray(), [19, 3]);
  assert.throws(() => new Subset(ds, [20]), /Subset: index 20 is out of range/);
});

test('the fast path copies rows of non-contiguous tensors correctly', () => {
  // A transposed view: rows are strided in storage.
  const base = tensor([[1, 2, 3], [4, 5, 6]]); // [2,3]
  const xt = base.t(); // [3,2]: rows [1,4], [2,5], [3,6]
  const batch = new TensorDataset(xt).getBatch([2, 0]);
  assert.deepEqual(batch[0].toArray(), [[3, 6], [1, 4]]);
});

test('defaultCollate stacks tensors, numbers and nested objects', () => {
  const items = [
    { img: tensor([1, 2]), label: 3, w: 0.5 },
    { img: tensor([3, 4]), label: 4, w: 1.5 },
  ];
  const b = defaultCollate(items);
  assert.deepEqual(b.img.toArray(), [[1, 2], [3, 4]]);
  assert.equal(b.label.dtype, 'int32');
  assert.deepEqual(b.label.toArray(), [3, 4]);
  assert.equal(b.w.dtype, 'float32');
  assert.deepEqual(b.w.toArray(), [0.5, 1.5]);
  assert.throws(() => defaultCollate([]), /cannot collate an empty batch/);
});

test('randomSplit: disjoint subsets covering the dataset, by counts or fractions, seeded', () => {
  const { x, y } = numbered(10);
  const ds = new TensorDataset(x, y);
  const [a, b] = randomSplit(ds, [7, 3], { generator: new Generator(1) });
  assert.equal(a.length, 7);
  assert.equal(b.length, 3);
  const all = [...a.indices, ...b.indices].sort((p, q) => p - q);
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const [a2] = randomSplit(ds, [7, 3], { generator: new Generator(1) });
  assert.deepEqual(a2.indices, a.indices);
  // Fractions: floor(10·0.55)=5, floor(10·0.45)=4, the remaining 1 goes to the first subset.
  const [f1, f2] = randomSplit(ds, [0.55, 0.45], { generator: new Generator(1) });
  assert.deepEqual([f1.length, f2.length], [6, 4]);
  assert.throws(() => randomSplit(ds, [5, 4]), /must be integers summing to the dataset length 10/);
  // A DataLoader over a split uses the fast path through the subset.
  assert.equal(typeof b.getBatch, 'function');
  assert.equal(new Subset({ length: 2, getItem: (i: number) => i }, [1]).getBatch, undefined);
  const [xb, yb] = [...new DataLoader(b, { batchSize: 3 })][0];
  assert.deepEqual([...yb.dataSync()], b.indices);
  assert.deepEqual([...xb.dataSync()].filter((_, i) => i % 2 === 0), b.indices);
});
