import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { report } from '../src/index.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('historyPoints reads epoch records and Keras-style series into train/validation lines', () => {
  const pts = report.historyPoints([
    { epoch: 1, trainLoss: 0.5, valLoss: 0.6, trainAcc: 0.8, valAcc: 0.75, lr: 0.1 },
    { epoch: 2, trainLoss: 0.3, valLoss: null, trainAcc: 0.9 },
  ]);
  assert.deepEqual(pts, [
    { epoch: 1, metric: 'loss', split: 'train', value: 0.5 },
    { epoch: 1, metric: 'loss', split: 'validation', value: 0.6 },
    { epoch: 1, metric: 'accuracy', split: 'train', value: 0.8 },
    { epoch: 1, metric: 'accuracy', split: 'validation', value: 0.75 },
    { epoch: 2, metric: 'loss', split: 'train', value: 0.3 },
    { epoch: 2, metric: 'accuracy', split: 'train', value: 0.9 },
  ]);
  const keras = report.historyPoints({ loss: [1, 0.5], val_loss: [1.2, 0.7], val_accuracy: [0.5, 0.6], test_acc: [0.4, 0.55] });
  assert.deepEqual(keras.filter((p) => p.epoch === 2).map((p) => `${p.metric}/${p.split}=${p.value}`), [
    'loss/train=0.5', 'loss/validation=0.7', 'accuracy/validation=0.6', 'accuracy/test=0.55',
  ]);
  assert.throws(() => report.historySpec([{ epoch: 1, lr: 0.1 }]), /no loss or accuracy values to plot/);
});

test('plotHistory writes a PNG with two charts (signature, size, not blank)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'glubina-plot-'));
  try {
    const path = join(dir, 'curves.png');
    const history = Array.from({ length: 8 }, (_, i) => ({
      epoch: i + 1, trainLoss: 1 / (i + 1), valLoss: 1.2 / (i + 1), trainAcc: 1 - 0.5 / (i + 1), valAcc: 1 - 0.6 / (i + 1),
    }));
    await report.plotHistory(history, path, { title: 'test run', width: 300, height: 200 });
    const bytes = readFileSync(path);
    assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
    const png = PNG.sync.read(bytes);
    // Two 300-px charts side by side plus axes and legend, at zoom 2.
    assert.ok(png.width > 2 * 2 * 300 && png.width < 2 * 1000, `width ${png.width}`);
    assert.ok(png.height > 2 * 200 && png.height < 2 * 400, `height ${png.height}`);
    let white = 0, blue = 0, orange = 0;
    for (let p = 0; p < png.width * png.height; p++) {
      const [r, g, b] = [png.data[4 * p], png.data[4 * p + 1], png.data[4 * p + 2]];
      if (r === 255 && g === 255 && b === 255) white++;
      if (b > 150 && r < 120) blue++; // Vega's first colour, #4c78a8
      if (r > 220 && g > 100 && g < 170 && b < 60) orange++; // the second, #f58518
    }
    const total = png.width * png.height;
    assert.ok(white > 0.6 * total && white < 0.99 * total, `white ${white}/${total}`);
    assert.ok(blue > 500 && orange > 500, `lines drawn: blue ${blue}, orange ${orange}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
