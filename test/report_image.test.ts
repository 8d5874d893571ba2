import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { report, tensor } from '../src/index.js';
import { assertClose } from './helpers.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'glubina-img-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('makeGrid lays out images with padding, like torchvision.utils.make_grid', () => {
  // Three 1×2×2 images, 2 per row, padding 1: 2 rows × (2+1)+1 = 7 high, 2 × 3 + 1 = 7 wide.
  const imgs = tensor([[[[0.1, 0.2], [0.3, 0.4]]], [[[0.5, 0.6], [0.7, 0.8]]], [[[0.9, 1], [1.5, -1]]]]);
  const grid = report.makeGrid(imgs, { nrow: 2, padding: 1, padValue: 0.5 });
  assert.deepEqual(grid.shape, [1, 7, 7]);
  const p = 0.5;
  assertClose(grid, [
    p, p, p, p, p, p, p,
    p, 0.1, 0.2, p, 0.5, 0.6, p,
    p, 0.3, 0.4, p, 0.7, 0.8, p,
    p, p, p, p, p, p, p,
    p, 0.9, 1, p, p, p, p,
    p, 1, 0, p, p, p, p, // values are clamped to [0, 1]
    p, p, p, p, p, p, p,
  ]);
  // normalize maps min..max to 0..1; scale zooms each pixel.
  const norm = report.makeGrid(tensor([[[-2, 0], [2, 6]]]), { padding: 0, normalize: true });
  assertClose(norm, [0, 0.25, 0.5, 1]);
  const each = report.makeGrid(tensor([[[0, 2]], [[10, 30]]]), { padding: 0, normalize: true, scaleEach: true });
  assertClose(each, [0, 1, 0, 1]);
  const zoomed = report.makeGrid(tensor([[[0, 1]]]), { padding: 0, scale: 2 });
  assertClose(zoomed, [0, 0, 1, 1, 0, 0, 1, 1]);
  assert.throws(() => report.makeGrid(tensor([[[[1]], [[1]]]])), /images need 1 or 3 channels, got 2/);
});

test('saveImageGrid writes a PNG that reads back as the same grey levels', () => {
  withDir((dir) => {
    const path = join(dir, 'grid.png');
    const imgs = tensor([[[0, 1], [0.5, 0.25]], [[1, 1], [0, 0]]]); // [N,H,W]
    report.saveImageGrid(imgs, path, { nrow: 2, padding: 1 });
    const png = PNG.sync.read(readFileSync(path));
    assert.deepEqual([png.width, png.height], [7, 4]);
    const back = report.readImage(path);
    assert.deepEqual(back.shape, [1, 4, 7]);
    const row1 = [...back.dataSync().subarray(7, 14)].map((v) => Math.round(v * 255));
    assert.deepEqual(row1, [0, 0, 255, 0, 255, 255, 0]);
    const row2 = [...back.dataSync().subarray(14, 21)].map((v) => Math.round(v * 255));
    assert.deepEqual(row2, [0, 128, 64, 0, 0, 0, 0]);
  });
});

test('readImage: colour, alpha over a background, grey conversion, and a clear error for non-PNG', () => {
  withDir((dir) => {
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([255, 0, 0, 255, 0, 0, 255, 0]); // red opaque, blue fully transparent
    const path = join(dir, 'rgba.png');
    writeFileSync(path, PNG.sync.write(png));
    const rgb = report.readImage(path);
    assert.deepEqual(rgb.shape, [3, 1, 2]);
    assertClose(rgb, [1, 1, 0, 1, 0, 1]); // transparent pixel → white background
    const black = report.readImage(path, { background: 0 });
    assertClose(black, [1, 0, 0, 0, 0, 0]);
    const grey = report.readImage(path, { mode: 'L' });
    assertClose(grey, [0.299, 1]);
    const colour = tensor([[[1, 0]], [[0, 0.5]], [[0, 1]]]);
    const out = join(dir, 'rgb.png');
    report.saveImage(colour, out);
    assertClose(report.readImage(out), colour, { rtol: 0, atol: 0.51 / 255 } /* 8-bit quantisation */);
    writeFileSync(join(dir, 'bad.png'), 'not a png');
    assert.throws(() => report.readImage(join(dir, 'bad.png')), /readImage: .*bad\.png: not a readable PNG/);
  });
});
