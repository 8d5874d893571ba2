/**
 * The Sobel example's core: on synthetic images with one vertical (or horizontal) step edge the
 * response is exactly 4 on the two columns (rows) beside the edge and 0 on the flat areas,
 * borders included (replicate padding); and the example runs end to end on MNIST.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromTypedArray, report } from '../src/index.js';
import { main, sobelEdges, sobelLayer } from '../examples/sobel_edges.js';

/** [1, 1, h, w] with 0 where `dark(i, j)` and 1 elsewhere. */
function stepImage(h: number, w: number, dark: (i: number, j: number) => boolean): ReturnType<typeof fromTypedArray> {
  const v = new Float32Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) v[i * w + j] = dark(i, j) ? 0 : 1;
  return fromTypedArray(v, [1, 1, h, w]);
}

function rows(t: ReturnType<typeof fromTypedArray>, h: number, w: number): number[][] {
  const d = t.dataSync();
  return Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => d[i * w + j]));
}

describe('Sobel edges', () => {
  test('the layer holds the Sobel kernels and a zero bias', () => {
    const conv = sobelLayer();
    assert.deepEqual([...conv.weight.dataSync()], [-1, 0, 1, -2, 0, 2, -1, 0, 1, -1, -2, -1, 0, 0, 0, 1, 2, 1]);
    assert.deepEqual([...conv.bias!.dataSync()], [0, 0]);
  });

  test('a vertical edge: Gx = 4 beside it, 0 on flat areas; Gy = 0 everywhere', () => {
    // Columns 0–3 dark, 4–7 bright: Gx at column 3 or 4 = (1 + 2 + 1)·(1 − 0) = 4.
    const { gx, gy, magnitude } = sobelEdges(stepImage(6, 8, (_i, j) => j < 4));
    const expectedRow = [0, 0, 0, 4, 4, 0, 0, 0];
    assert.deepEqual(rows(gx, 6, 8), Array.from({ length: 6 }, () => expectedRow));
    assert.deepEqual(rows(magnitude, 6, 8), Array.from({ length: 6 }, () => expectedRow));
    assert.ok([...gy.dataSync()].every((v) => v === 0));
  });

  test('a horizontal edge: Gy = 4 beside it, Gx = 0', () => {
    const { gx, gy, magnitude } = sobelEdges(stepImage(7, 5, (i) => i >= 3)); // bright on top
    const expected = [0, 0, -4, -4, 0, 0, 0].map((v) => new Array<number>(5).fill(v));
    assert.deepEqual(rows(gy, 7, 5), expected);
    assert.deepEqual(rows(magnitude, 7, 5), expected.map((r) => r.map(Math.abs)));
    assert.ok([...gx.dataSync()].every((v) => v === 0));
  });

  test('a diagonal corner: the magnitude is √(Gx² + Gy²)', () => {
    const { gx, gy, magnitude } = sobelEdges(stepImage(6, 6, (i, j) => i < 3 && j < 3));
    const [x, y, m] = [gx.dataSync(), gy.dataSync(), magnitude.dataSync()];
    for (let k = 0; k < m.length; k++) assert.ok(Math.abs(m[k] - Math.hypot(x[k], y[k])) < 1e-6);
    assert.deepEqual([x[2 * 6 + 2], y[2 * 6 + 2]], [3, 3]); // at the corner pixel both derivatives are 3
    assert.ok(Math.abs(m[2 * 6 + 2] - Math.hypot(3, 3)) < 1e-6);
    assert.equal(m[5 * 6 + 5], 0);
  });

  test('the example writes digit and edges side by side', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glubina-sobel-'));
    try {
      const out = join(dir, 'edges.png');
      main(out, 0);
      assert.ok(existsSync(out));
      const img = report.readImage(out);
      // Two 28×28 digits at 8×, 4 px padding: width 2·224 + 3·4 = 460, height 224 + 2·4 = 232.
      assert.deepEqual(img.shape.slice(-2), [232, 460]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
