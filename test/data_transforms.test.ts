import { test } from 'node:test';
import assert from 'node:assert/strict';
import { data, Generator, tensor, type Tensor } from '../src/index.js';
import { assertClose } from './helpers.js';

const T = data.transforms;
const TOL = { rtol: 1e-6, atol: 1e-6 };

const img3 = (): Tensor => tensor([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]); // [1,3,3]

/** A reproducible "random" image batch [n,c,h,w]. */
function noise(n: number, c: number, h: number, w: number, seed = 0): Tensor {
  const g = new Generator(seed);
  return tensor(Float32Array.from({ length: n * c * h * w }, () => g.random()), { shape: [n, c, h, w] });
}

test('affine: no-op parameters and RandomAffine with zero ranges are the identity, bit for bit', () => {
  const x = noise(3, 2, 7, 5);
  assert.deepEqual([...T.affine(x, {}).dataSync()], [...x.dataSync()]);
  assert.deepEqual([...T.affine(x, { angle: 0, translate: [0, 0], scale: 1, shear: [0, 0], stretch: [1, 1] }).dataSync()], [...x.dataSync()]);
  const r = new T.RandomAffine({ degrees: 0, translate: [0, 0], scale: [1, 1], generator: new Generator(1) });
  assert.deepEqual([...r.apply(x).dataSync()], [...x.dataSync()]);
});

test('affine golden values: rotation, shift, sub-pixel shift, zoom, stretch, shear (bilinear, fill outside)', () => {
  // +90° is counter-clockwise on screen, as numpy's rot90.
  assertClose(T.affine(img3(), { angle: 90 }), [3, 6, 9, 2, 5, 8, 1, 4, 7], TOL, 'rot90');
  assertClose(T.affine(img3(), { angle: -90 }), [7, 4, 1, 8, 5, 2, 9, 6, 3], TOL, 'rot-90');
  assertClose(T.affine(img3(), { angle: 180 }), [9, 8, 7, 6, 5, 4, 3, 2, 1], TOL, 'rot180');
  const row = tensor([[[1, 2, 3, 4]]]);
  assertClose(T.affine(row, { translate: [1, 0] }), [0, 1, 2, 3], TOL, 'shift right by 1');
  assertClose(T.affine(row, { translate: [-1, 0] }, 9), [2, 3, 4, 9], TOL, 'shift left with fill 9');
  assertClose(T.affine(row, { translate: [0.5, 0] }), [0.5, 1.5, 2.5, 3.5], TOL, 'half-pixel shift');
  // Zoom ×2 about the centre x = 2: out(x) = in(2 + (x − 2)/2).
  const ramp = tensor([[[0, 1, 2, 3, 4]]]);
  assertClose(T.affine(ramp, { scale: 2 }), [1, 1.5, 2, 2.5, 3], TOL, 'zoom 2');
  assertClose(T.affine(ramp, { stretch: [2, 1] }), [1, 1.5, 2, 2.5, 3], TOL, 'stretch x 2');
  assertClose(T.affine(ramp, { stretch: [1, 2] }), [0, 1, 2, 3, 4], TOL, 'stretch y leaves a row');
  const column = tensor([[[0], [1], [2], [3], [4]]]);
  assertClose(T.affine(column, { stretch: [1, 2] }), [1, 1.5, 2, 2.5, 3], TOL, 'stretch y 2');
  // Shear 45° along x: x' = x + y about the centre, so row y samples x − (y − 1).
  assertClose(T.affine(img3(), { shear: [45, 0] }), [2, 3, 0, 4, 5, 6, 0, 7, 8], TOL, 'shear x 45');
  // Zoom 0.5 of a constant image: the border samples fall half outside.
  const ones = tensor([[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]);
  assertClose(T.affine(ones, { scale: 0.5 }), [0, 0, 0, 0, 1, 0, 0, 0, 0], TOL, 'zoom out');
  assert.throws(() => T.affine(ones, { scale: 0 }), /the warp is singular/);
  assert.throws(() => T.affine(tensor([1, 2, 3], { dtype: 'int32' }), {}), /expected a float32 or float64 image, got int32/);
  assert.throws(() => T.affine(tensor([1, 2, 3]), {}), /expected an image \[H,W\], \[C,H,W\] or a batch \[N,C,H,W\], got \[3\]/);
});

test('RandomAffine draws per image in the documented order, reproducibly', () => {
  const x = noise(4, 1, 9, 9, 3);
  const opts = { degrees: 20, translate: [0.1, 0.2] as [number, number], scale: [0.8, 1.2] as [number, number], shear: 10, stretch: 0.1 };
  const a = new T.RandomAffine({ ...opts, generator: new Generator(5) }).apply(x);
  const b = new T.RandomAffine({ ...opts, generator: new Generator(5) }).apply(x);
  assert.deepEqual([...a.dataSync()], [...b.dataSync()]);
  // Replaying the draws by hand gives the same warps.
  const g = new Generator(5);
  const u = (lo: number, hi: number): number => lo + (hi - lo) * g.random();
  for (let i = 0; i < 4; i++) {
    const angle = u(-20, 20);
    const dx = u(-0.9, 0.9);
    const dy = u(-1.8, 1.8);
    const scale = u(0.8, 1.2);
    const shx = u(-10, 10);
    const sx = u(0.9, 1.1);
    const sy = u(0.9, 1.1);
    const one = T.affine(x.narrow(0, i, 1), { angle, translate: [dx, dy], scale, shear: [shx, 0], stretch: [sx, sy] });
    assertClose(a.narrow(0, i, 1), one, TOL, `image ${i}`);
  }
  assert.notDeepEqual([...a.narrow(0, 0, 1).dataSync()], [...x.narrow(0, 0, 1).dataSync()]);
  assert.throws(() => new T.RandomAffine({ shear: 90 }), /shear angles must lie in/);
  assert.throws(() => new T.RandomAffine({ translate: [2, 0] }), /translate fractions must be in \[0, 1\]/);
});

test('p: each image is transformed with probability p; p = 0 is the identity', () => {
  const x = noise(40, 1, 4, 4, 9);
  const none = new T.RandomAffine({ degrees: 45, p: 0 }).apply(x);
  assert.deepEqual([...none.dataSync()], [...x.dataSync()]);
  const half = new T.RandomAffine({ degrees: 45, p: 0.5, generator: new Generator(2) }).apply(x);
  let changed = 0;
  for (let i = 0; i < 40; i++) {
    const a = half.narrow(0, i, 1).dataSync();
    const b = x.narrow(0, i, 1).dataSync();
    if (a.some((v, k) => v !== b[k])) changed++;
  }
  assert.ok(changed > 8 && changed < 32, `changed ${changed} of 40`);
  assert.throws(() => new T.GaussianBlur(3, 1, { p: 1.5 }), /p must be a probability in \[0, 1\], got 1.5/);
});

test('Gaussian blur golden values: delta → outer product of the kernel; reflect padding; constant mean kept', () => {
  const e = Math.exp(-0.5);
  const k = [e, 1, e].map((v) => v / (1 + 2 * e));
  assertClose(T.gaussianKernel1d(3, 1), k, { rtol: 1e-12, atol: 0 }, 'kernel');
  const delta = new Float32Array(25);
  delta[12] = 1;
  const blurred = T.gaussianBlur(tensor(delta, { shape: [1, 5, 5] }), 3, 1);
  const want = new Array(25).fill(0);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) want[(y + 1) * 5 + x + 1] = k[y] * k[x];
  assertClose(blurred, want, TOL, 'delta');
  // Reflect padding (no edge repeat): row [1, 2, 3] is padded to [2 | 1 2 3 | 2].
  const row = T.gaussianBlur(tensor([[[1, 2, 3]]]), [3, 1], 1);
  assertClose(row, [2 * k[0] + 1 * k[1] + 2 * k[2], 1 * k[0] + 2 * k[1] + 3 * k[2], 2 * k[0] + 3 * k[1] + 2 * k[2]], TOL, 'reflect');
  const constant = tensor(new Float32Array(2 * 6 * 6).fill(0.3), { shape: [2, 6, 6] });
  const blurConst = new T.GaussianBlur(5, [0.5, 2], { generator: new Generator(0) }).apply(constant);
  assertClose(blurConst, constant, TOL, 'constant');
  // A kernel wider than the image still reflects correctly.
  assertClose(T.gaussianBlur(tensor([[[0.25, 0.25]]]), [7, 1], 2), [0.25, 0.25], TOL, 'wide kernel');
  assert.throws(() => new T.GaussianBlur(4), /kernel size must be positive odd integers, got 4/);
});

test('BrightnessContrast golden values and seeded draws (contrast, then brightness)', () => {
  const x = tensor([[[0.2, 0.4], [0.6, 0.8]]]); // mean 0.5
  // 2·(x − 0.5) + 0.5 + 0.1, clamped to [0, 1].
  assertClose(T.adjustBrightnessContrast(x, 0.1, 2), [0, 0.4, 0.8, 1], TOL, 'fixed');
  assertClose(T.adjustBrightnessContrast(x, 0.1, 2, null), [0, 0.4, 0.8, 1.2], TOL, 'unclamped');
  assertClose(T.adjustBrightnessContrast(x, 0, 1), x, TOL, 'identity');
  const g = new Generator(11);
  const c = 0.7 + 0.6 * g.random();
  const b = -0.2 + 0.4 * g.random();
  const out = new T.BrightnessContrast({ brightness: 0.2, contrast: 0.3, p: 1, generator: new Generator(11) }).apply(x);
  assertClose(out, [0.2, 0.4, 0.6, 0.8].map((v) => Math.min(1, Math.max(0, c * (v - 0.5) + 0.5 + b))), TOL, 'random');
});

test('elastic distortion: alpha 0 is the identity; displacement golden values; seeded field', () => {
  const x = noise(2, 1, 8, 8, 4);
  const id = new T.ElasticDistortion({ alpha: 0, sigma: 3, p: 1, generator: new Generator(0) }).apply(x);
  assertClose(id, x, { rtol: 0, atol: 0 }, 'alpha 0');
  // A uniform field dx = 1 moves the image one pixel left.
  const row = { data: Float32Array.from([1, 2, 3, 4]), channels: 1, height: 1, width: 4 };
  assertClose(T.displaceImage(row, [1, 1, 1, 1], [0, 0, 0, 0]), [2, 3, 4, 0], TOL, 'dx = 1');
  assertClose(T.displaceImage(row, [0, 0.5, 0, -1], [0, 0, 0, 0]), [1, 2.5, 3, 3], TOL, 'per-pixel dx');
  // With a tiny sigma the kernel is [≈0, 1, ≈0]: the field is alpha·(2u − 1) per pixel, dx first.
  const g = new Generator(8);
  const field = T.elasticField(new Generator(8), 2, 3, 5, 0.1);
  assertClose(field, Array.from({ length: 6 }, () => 5 * (2 * g.random() - 1)), { rtol: 1e-9, atol: 1e-9 }, 'field');
  // A smooth field: bounded by alpha, neighbours close together.
  const smooth = T.elasticField(new Generator(1), 28, 28, 34, 4);
  let step = 0, size = 0;
  for (let i = 0; i < smooth.length; i++) {
    assert.ok(Math.abs(smooth[i]) <= 34);
    size += Math.abs(smooth[i]);
    if ((i + 1) % 28 !== 0) step += Math.abs(smooth[i + 1] - smooth[i]);
  }
  assert.ok(step / (28 * 27) < 0.25 * (size / smooth.length), `smoothness ${step / (28 * 27)} vs ${size / smooth.length}`);
  const e1 = new T.ElasticDistortion({ p: 1, generator: new Generator(3) }).apply(x);
  const e2 = new T.ElasticDistortion({ p: 1, generator: new Generator(3) }).apply(x);
  assert.deepEqual([...e1.dataSync()], [...e2.dataSync()]);
  assert.notDeepEqual([...e1.dataSync()], [...x.dataSync()]);
});

test('RandomErasing: p = 0 is the identity; p = 1 fills exactly the drawn box', () => {
  const x = noise(1, 3, 10, 12, 5);
  assert.deepEqual([...new T.RandomErasing({ p: 0 }).apply(x).dataSync()], [...x.dataSync()]);
  const er = new T.RandomErasing({ p: 1, value: -1, generator: new Generator(6) });
  const out = er.apply(x).dataSync();
  const box = new T.RandomErasing({ p: 1, value: -1 }).sampleBox(new Generator(6), 10, 12);
  assert.ok(box, 'a box fits');
  const [top, left, h, w] = box;
  const area = h * w;
  assert.ok(area >= Math.floor(0.02 * 120) && area <= Math.ceil(0.33 * 120) + 12, `area ${area}`);
  const src = x.dataSync();
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 10; y++) {
      for (let xx = 0; xx < 12; xx++) {
        const i = (c * 10 + y) * 12 + xx;
        const inside = y >= top && y < top + h && xx >= left && xx < left + w;
        assert.equal(out[i], inside ? -1 : src[i], `c${c} y${y} x${xx}`);
      }
    }
  }
  const rnd = new T.RandomErasing({ p: 1, value: 'random', generator: new Generator(6) }).apply(x).dataSync();
  assert.ok(rnd.some((v, i) => v !== src[i] && v !== -1));
});

test('Normalize per channel, and Compose chains transforms in order', () => {
  const x = tensor([[[1, 0]], [[3, 1]]]); // [2,1,2]
  const n = new T.Normalize([0.5, 1], [0.5, 2]);
  assertClose(n.apply(x), [1, -1, 1, 0], TOL, 'normalize');
  assertClose(new T.Normalize(1, 2).apply(x), [0, -0.5, 1, 0], TOL, 'scalar');
  assert.throws(() => new T.Normalize([0, 0, 0], [1, 1, 1]).apply(x), /mean has 3 values but the image has 2 channels/);
  assert.throws(() => new T.Normalize(0, 0), /std must be non-zero/);
  const composed = new T.Compose([(t: Tensor) => t.mul(2), new T.Normalize(1, 2)]);
  assertClose(composed.apply(x), [0.5, -0.5, 2.5, 0.5], TOL, 'compose');
  // Batched input: every image normalised.
  const batch = tensor([[[[1, 0]], [[3, 1]]], [[[0, 0]], [[1, 1]]]]);
  assertClose(n.apply(batch), [1, -1, 1, 0, -1, -1, 0, 0], TOL, 'batch');
  assert.equal(n.apply(batch.to('float64')).dtype, 'float64');
});

test('tta averages softmax predictions over the original and augmented copies', () => {
  const x = tensor([[[[0, 1], [2, 0.5]]]]); // [1,1,2,2]
  const predict = (t: Tensor): Tensor => t.reshape(t.shape[0], 4);
  const softmax = (v: number[]): number[] => {
    const m = Math.max(...v);
    const e = v.map((a) => Math.exp(a - m));
    const s = e.reduce((a, b) => a + b);
    return e.map((a) => a / s);
  };
  const v = [0, 1, 2, 0.5];
  const p1 = softmax(v);
  const p2 = softmax(v.map((a) => 2 * a));
  const probs = T.tta(predict, x, (t: Tensor) => t.mul(2), 3);
  assertClose(probs, p1.map((a, i) => (a + 2 * p2[i]) / 3), TOL, 'with original');
  const noOrig = T.tta(predict, x, (t: Tensor) => t.mul(2), 2, { includeOriginal: false });
  assertClose(noOrig, p2, TOL, 'augmented only');
  assert.throws(() => T.tta(predict, x, (t: Tensor) => t, 0), /n must be a positive integer/);
});
