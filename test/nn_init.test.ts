/**
 * nn.init: gains and fans against PyTorch, the distributions each initialiser draws (range, mean,
 * spread), in-place semantics under noGrad, reproducibility, and errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualSeed, nn, zeros, type Tensor } from '../src/index.js';
import { loadFixture } from './helpers.js';

const init = nn.init;

interface InitFixture {
  gains: [nn.init.Nonlinearity, number | null, number][];
  fans: [number[], [number, number]][];
}

const fixture = loadFixture<{ init: InitFixture }>('nn').init;

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.dataSync();
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const e of v) {
    s += e;
    s2 += e * e;
    min = Math.min(min, e);
    max = Math.max(max, e);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

describe('gains and fans match PyTorch', () => {
  test('calculateGain', () => {
    for (const [name, param, gain] of fixture.gains) {
      assert.ok(Math.abs(init.calculateGain(name, param ?? undefined) - gain) < 1e-12, `${name} ${param}`);
    }
  });
  test('calculateFanInAndFanOut (Linear, conv and 3-d weights)', () => {
    for (const [shape, fans] of fixture.fans) assert.deepEqual(init.calculateFanInAndFanOut(zeros(shape)), fans);
  });
});

describe('initialisers draw from the documented distributions', () => {
  // 256×400 = 102400 draws: sample std within 2% and mean within 0.01·σ-ish bounds.
  const w = (): nn.Parameter => new nn.Parameter(zeros(256, 400));
  test('uniform_ and normal_', () => {
    manualSeed(1);
    const u = stats(init.uniform_(w(), -2, 3));
    assert.ok(u.min >= -2 && u.max < 3 && Math.abs(u.mean - 0.5) < 0.03 && Math.abs(u.std - 5 / Math.sqrt(12)) < 0.02);
    const n = stats(init.normal_(w(), 1, 0.5));
    assert.ok(Math.abs(n.mean - 1) < 0.01 && Math.abs(n.std - 0.5) < 0.01);
  });
  test('xavierUniform_ and xavierNormal_: σ = gain·√(2 / (fan_in + fan_out))', () => {
    manualSeed(2);
    const sigma = Math.sqrt(2 / (400 + 256));
    const u = stats(init.xavierUniform_(w()));
    assert.ok(u.max <= Math.sqrt(3) * sigma && u.min >= -Math.sqrt(3) * sigma);
    assert.ok(Math.abs(u.std / sigma - 1) < 0.02);
    const n = stats(init.xavierNormal_(w(), 5 / 3));
    assert.ok(Math.abs(n.std / ((5 / 3) * sigma) - 1) < 0.02);
  });
  test('kaimingUniform_ and kaimingNormal_: σ = gain / √fan (He: √(2 / fan_in) for ReLU)', () => {
    manualSeed(3);
    const he = Math.sqrt(2 / 400);
    const u = stats(init.kaimingUniform_(w(), 0, 'fan_in', 'relu'));
    assert.ok(u.max <= Math.sqrt(3) * he && Math.abs(u.std / he - 1) < 0.02);
    const n = stats(init.kaimingNormal_(w(), { nonlinearity: 'relu' }));
    assert.ok(Math.abs(n.std / he - 1) < 0.02);
    // Conv weight [out, in, kh, kw] with mode 'fan_out': fan = out·kh·kw.
    const conv = stats(init.kaimingNormal_(new nn.Parameter(zeros(64, 32, 5, 5)), { mode: 'fan_out', nonlinearity: 'relu' }));
    assert.ok(Math.abs(conv.std / Math.sqrt(2 / (64 * 25)) - 1) < 0.02);
    // Default nonlinearity leaky_relu with a = √5 gives PyTorch's Linear bound 1/√fan_in.
    const lin = stats(init.kaimingUniform_(w(), Math.sqrt(5)));
    assert.ok(lin.max <= 1 / Math.sqrt(400) && lin.max > 0.99 / Math.sqrt(400));
  });
  test('constant_, zeros_, ones_', () => {
    const p = w();
    assert.equal(stats(init.constant_(p, 0.25)).min, 0.25);
    assert.equal(stats(init.ones_(p)).mean, 1);
    assert.equal(stats(init.zeros_(p)).max, 0);
  });
  test('in place on a parameter that requires grad: same tensor, no graph, reproducible by seed', () => {
    const p = w();
    manualSeed(9);
    const out = init.normal_(p);
    assert.equal(out, p);
    assert.ok(p.isLeaf && p.requiresGrad && p.grad === null);
    const first = Array.from(p.dataSync().slice(0, 5));
    manualSeed(9);
    init.normal_(p);
    assert.deepEqual(Array.from(p.dataSync().slice(0, 5)), first);
  });
});

describe('init errors', () => {
  test('fans of a 1-d tensor, unknown nonlinearity, bad mode, integer tensor', () => {
    assert.throws(() => init.xavierUniform_(zeros(5)), /init: fan in and fan out can not be computed for a tensor with fewer than 2 dims \(got \[5\]\)/);
    assert.throws(() => init.calculateGain('swish' as nn.init.Nonlinearity), /init\.calculateGain: unsupported nonlinearity 'swish'/);
    assert.throws(() => init.kaimingNormal_(zeros(2, 2), { mode: 'fanIn' as nn.init.FanMode }), /init\.kaimingNormal_: mode must be 'fan_in' or 'fan_out', got 'fanIn'/);
    assert.throws(() => init.normal_(zeros([2], { dtype: 'int32' })), /init\.normal_: needs a floating-point tensor, got int32 \[2\]/);
  });
});
