import { test } from 'node:test';
import assert from 'node:assert/strict';
import { data, tensor } from '../src/index.js';
import { resizeArea, toMnistImage } from '../src/apps/mnist/preprocess.js';

test('resizeArea averages the covered area, fractional pixels weighted by overlap', () => {
  const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.deepEqual([...resizeArea(src, 4, 4, 2, 2)], [3.5, 5.5, 11.5, 13.5]);
  // 3 → 2 columns: output 0 covers pixel 0 and half of pixel 1: (a + b/2) / 1.5.
  const row = resizeArea(Float32Array.from([3, 6, 9]), 1, 3, 1, 2);
  assert.ok(Math.abs(row[0] - (3 + 3) / 1.5) < 1e-6 && Math.abs(row[1] - (3 + 9) / 1.5) < 1e-6, `${[...row]}`);
  // Upscaling by 2 repeats each pixel; the mean is preserved by any resize.
  assert.deepEqual([...resizeArea(Float32Array.from([1, 2]), 1, 2, 1, 4)], [1, 1, 2, 2]);
  const up = resizeArea(src, 4, 4, 7, 5);
  assert.ok(Math.abs(up.reduce((a, b) => a + b, 0) / up.length - 8.5) < 1e-5);
});

test('toMnistImage: digit scaled into 20×20, centred by mass, ink 1 on black; paper scans are inverted', () => {
  const te = data.loadMnist('test', { limit: 4 });
  for (let i = 0; i < 4; i++) {
    const digit = te.images.select(0, i); // [1,28,28], light ink on black
    const out = toMnistImage(digit);
    assert.deepEqual(out.shape, [1, 28, 28]);
    const px = out.dataSync();
    assert.ok(Math.max(...px) === 1 && Math.min(...px) === 0, 'contrast stretched to [0, 1]');
    let m = 0;
    let cy = 0;
    let cx = 0;
    let [top, bottom, left, right] = [28, -1, 28, -1];
    px.forEach((v, k) => {
      const y = Math.floor(k / 28);
      const x = k % 28;
      m += v;
      cy += v * y;
      cx += v * x;
      if (v > 0) [top, bottom, left, right] = [Math.min(top, y), Math.max(bottom, y), Math.min(left, x), Math.max(right, x)];
    });
    assert.ok(Math.abs(cy / m - 14) <= 0.5 && Math.abs(cx / m - 14) <= 0.5, `centre of mass (${cy / m}, ${cx / m})`);
    assert.ok(Math.max(bottom - top + 1, right - left + 1) <= 20, 'fits the 20×20 box');
    // MNIST digits already have this form: the result stays close to the original.
    const orig = digit.dataSync();
    let diff = 0;
    px.forEach((v, k) => { diff += Math.abs(v - orig[k]); });
    assert.ok(diff / 784 < 0.01, `mean difference to the MNIST original ${diff / 784}`);

    // The same digit, dark on white and three times larger, gives the same image.
    const inv = digit.mul(-1).add(1).dataSync();
    const big = new Float32Array(84 * 84);
    for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) big[y * 84 + x] = inv[Math.floor(y / 3) * 28 + Math.floor(x / 3)];
    const fromPaper = toMnistImage(tensor(Array.from(big)).reshape([1, 84, 84])).dataSync();
    px.forEach((v, k) => assert.ok(Math.abs(v - fromPaper[k]) < 1e-4, `pixel ${k}: ${v} vs ${fromPaper[k]}`));
  }
  // A flat image has no digit; colour images must be converted to grey first.
  assert.throws(() => toMnistImage(tensor(new Array(100).fill(0.8)).reshape([1, 10, 10])), /toMnistImage: the image \(10×10\) looks blank/);
  assert.throws(() => toMnistImage(tensor(new Array(300).fill(0)).reshape([3, 10, 10])), /expected a grey image \[1,H,W\] or \[H,W\], got \[3,10,10\]/);
});
