/**
 * The course's point about translation invariance, measured: a 2-layer CNN (weight sharing plus
 * global max pooling) and an MLP of about the same parameter budget learn to tell a 3×3 "+" from
 * a 3×3 "×" in noisy 12×12 images where the pattern only ever appears in the LEFT part during
 * training. On test images with the pattern in the RIGHT part (positions never seen), the CNN
 * still recognises it, the MLP falls to about chance: its weights on the right-hand pixels were
 * never trained on a pattern. Both patterns have five bright pixels, so brightness alone does
 * not tell them apart. (With 400 training images the MLP does not generalise well even at the
 * trained positions, about 0.6; the CNN's weight sharing needs far fewer examples.) Fixed seed;
 * a few seconds on either backend.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromTypedArray, manualSeed, nn, noGrad, optim, randint, randn, type Tensor } from '../src/index.js';

const SIZE = 12;
const PLUS = [[0, 1, 0], [1, 1, 1], [0, 1, 0]];
const CROSS = [[1, 0, 1], [0, 1, 0], [1, 0, 1]];

/** `count` uniform integers in [0, n) from glubina's seeded generator. */
function randInts(count: number, n: number): number[] {
  return [...randint(0, n, [count]).dataSync()];
}

/**
 * `n` images [n, 1, 12, 12] of N(0, noise²) with a "+" (label 0) or a "×" (label 1) whose top-left
 * corner sits in rows 1–8 and columns `cols[0]…cols[1]` (one pixel clear of the border, so every
 * placement is seen whole by the valid convolutions).
 */
function makeSet(n: number, cols: [number, number], noise: number): { x: Tensor; y: Tensor } {
  const pixels = Float32Array.from(randn([n * SIZE * SIZE]).dataSync(), (v) => v * noise);
  const labels = randInts(n, 2);
  const rows = randInts(n, SIZE - 4).map((r) => r + 1);
  const colOffsets = randInts(n, cols[1] - cols[0] + 1);
  for (let k = 0; k < n; k++) {
    const pattern = labels[k] === 0 ? PLUS : CROSS;
    const r0 = rows[k];
    const c0 = cols[0] + colOffsets[k];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) pixels[k * SIZE * SIZE + (r0 + i) * SIZE + c0 + j] += pattern[i][j];
  }
  return { x: fromTypedArray(pixels, [n, 1, SIZE, SIZE]), y: fromTypedArray(Int32Array.from(labels), [n]) };
}

function accuracy(model: nn.Sequential, x: Tensor, y: Tensor): number {
  model.eval();
  const pred = noGrad(() => model.call(x).argmax(1)).dataSync();
  const truth = y.dataSync();
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] === truth[i]) right++;
  model.train();
  return right / truth.length;
}

function train(model: nn.Sequential, x: Tensor, y: Tensor, epochs: number, batch: number): void {
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const n = x.shape[0];
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < n; s += batch) {
      const xb = x.narrow(0, s, Math.min(batch, n - s));
      const yb = y.narrow(0, s, Math.min(batch, n - s));
      opt.zeroGrad();
      nn.functional.crossEntropy(model.call(xb), yb).backward();
      opt.step();
    }
  }
}

describe('translation invariance', () => {
  test('a CNN recognises the pattern at unseen positions, an MLP of the same budget does not', (t) => {
    const t0 = Date.now();
    manualSeed(0);
    const noise = 0.25;
    const trainSet = makeSet(400, [1, 3], noise); // pattern in columns 1–5 only
    const seenSet = makeSet(400, [1, 3], noise); // new images, training positions
    const shiftedSet = makeSet(400, [6, 8], noise); // pattern in columns 6–10: positions never seen
    const cnn = new nn.Sequential(
      new nn.Conv2d(1, 8, 3), new nn.ReLU(), // 8·9 + 8 = 80
      new nn.Conv2d(8, 16, 3), new nn.ReLU(), // 16·8·9 + 16 = 1168
      new nn.AdaptiveMaxPool2d(1), new nn.Flatten(), // global max pooling: where the pattern is does not matter
      new nn.Linear(16, 2), // 34
    );
    const mlp = new nn.Sequential(new nn.Flatten(), new nn.Linear(SIZE * SIZE, 9), new nn.ReLU(), new nn.Linear(9, 2)); // 1305 + 20
    assert.equal(cnn.numParameters(), 1282);
    assert.equal(mlp.numParameters(), 1325);
    train(cnn, trainSet.x, trainSet.y, 10, 50);
    const t1 = Date.now();
    train(mlp, trainSet.x, trainSet.y, 10, 50);
    const t2 = Date.now();
    const acc = {
      cnnTrain: accuracy(cnn, trainSet.x, trainSet.y), cnnSeen: accuracy(cnn, seenSet.x, seenSet.y), cnnShifted: accuracy(cnn, shiftedSet.x, shiftedSet.y),
      mlpTrain: accuracy(mlp, trainSet.x, trainSet.y), mlpSeen: accuracy(mlp, seenSet.x, seenSet.y), mlpShifted: accuracy(mlp, shiftedSet.x, shiftedSet.y),
    };
    t.diagnostic(`accuracies ${JSON.stringify(acc)}; training ${t1 - t0} ms (CNN), ${t2 - t1} ms (MLP)`);
    // Both fit the training set: the MLP's failure below is generalisation, not capacity.
    assert.ok(acc.cnnTrain >= 0.95 && acc.mlpTrain >= 0.95, `train accuracy CNN ${acc.cnnTrain}, MLP ${acc.mlpTrain}`);
    // The CNN is as good at the shifted positions as at the trained ones…
    assert.ok(acc.cnnShifted >= 0.9, `CNN accuracy at shifted positions ${acc.cnnShifted}`);
    assert.ok(Math.abs(acc.cnnShifted - acc.cnnSeen) <= 0.05, `CNN seen ${acc.cnnSeen} vs shifted ${acc.cnnShifted}`);
    // …the MLP is about at chance there.
    assert.ok(acc.cnnShifted - acc.mlpShifted >= 0.15, `CNN ${acc.cnnShifted} vs MLP ${acc.mlpShifted} at shifted positions`);
    assert.ok(acc.mlpShifted <= 0.65, `MLP accuracy at shifted positions ${acc.mlpShifted}`);
  });
});
