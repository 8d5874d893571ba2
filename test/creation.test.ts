/**
 * Creating tensors (from data, filled, ranges, identity, random), reading them back, and printing
 * them exactly as PyTorch does (fixture: scripts/fixtures/printing.py).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  arange, eye, fromTypedArray, full, fullLike, Generator, linspace, manualSeed, ones, onesLike, rand, randint,
  randLike, randn, randnLike, randperm, tensor, zeros, zerosLike, type DType, type Tensor,
} from '../src/index.js';
import { formatTensorBody } from '../src/core/format.js';
import { assertClose, loadFixture } from './helpers.js';

describe('tensor() from data', () => {
  test('nested arrays give float32 with the nested shape', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.equal(x.dtype, 'float32');
    assert.deepEqual(x.shape, [2, 3]);
    assert.deepEqual(x.strides, [3, 1]);
    assert.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(tensor([[[1], [2]]]).shape, [1, 2, 1]);
  });

  test('a number gives a 0-d tensor; an empty list a [0] tensor', () => {
    const s = tensor(2.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.ndim, 0);
    assert.equal(s.numel(), 1);
    assert.equal(s.toArray(), 2.5);
    assert.deepEqual(tensor([]).shape, [0]);
    assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  });

  test('float32 rounds the values; dtype option converts (ints truncate toward zero)', () => {
    assert.deepEqual(Array.from(tensor([0.1]).dataSync()), [Math.fround(0.1)]);
    assert.deepEqual(Array.from(tensor([0.1], { dtype: 'float64' }).dataSync()), [0.1]);
    const i = tensor([1.7, -1.7, 3], { dtype: 'int32' });
    assert.equal(i.dtype, 'int32');
    assert.deepEqual(i.toArray(), [1, -1, 3]);
  });

  test('booleans give a bool tensor whose toArray() holds booleans', () => {
    const b = tensor([[true, false], [false, true]]);
    assert.equal(b.dtype, 'bool');
    assert.deepEqual(b.toArray(), [[true, false], [false, true]]);
    assert.deepEqual(Array.from(b.dataSync()), [1, 0, 0, 1]);
    assert.equal(tensor(true).toArray(), true);
  });

  test('typed arrays keep their dtype and take a shape', () => {
    const f = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    assert.equal(f.dtype, 'float64');
    assert.deepEqual(f.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.deepEqual(tensor(new Int32Array([1, 2])).shape, [2]);
    assert.equal(tensor(new Uint8Array([1, 0])).dtype, 'bool');
    assert.equal(tensor(new Float32Array([1, 2]), { dtype: 'float64' }).dtype, 'float64');
  });

  test('the data is copied: changing the source array later does not change the tensor', () => {
    const src = new Float32Array([1, 2, 3]);
    const x = fromTypedArray(src, [3]);
    src[0] = 100;
    assert.deepEqual(x.toArray(), [1, 2, 3]);
  });

  test('shape and data disagreeing throws, naming both', () => {
    assert.throws(() => tensor(new Float32Array(5), { shape: [2, 3] }), /tensor: shape \[2,3\] needs 6 elements, data has 5/);
  });

  test('a ragged nested array throws, naming where', () => {
    assert.throws(() => tensor([[1, 2], [3]]), /tensor: ragged nested array: data\[1\] has shape \[1\], data\[0\] has \[2\]/);
    assert.throws(() => tensor([[[1], [2]], [[3], [4, 5]]]), /ragged nested array: data\[1\]\[1\] has shape \[2\]/);
    assert.throws(() => tensor([1, [2]]), /ragged/);
  });

  test('requiresGrad option', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.equal(x.requiresGrad, true);
    assert.equal(x.isLeaf, true);
  });
});

describe('filled tensors', () => {
  test('zeros, ones, full in both call styles', () => {
    assert.deepEqual(zeros(2, 3).toArray(), [[0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(zeros([2, 3]).shape, [2, 3]);
    assert.deepEqual(ones(3).toArray(), [1, 1, 1]);
    assert.deepEqual(ones([2], { dtype: 'int32' }).toArray(), [1, 1]);
    assert.equal(ones([2], { dtype: 'int32' }).dtype, 'int32');
    assert.deepEqual(full([2, 2], 7).toArray(), [[7, 7], [7, 7]]);
    assert.deepEqual(full([2], 1.5, { dtype: 'float64' }).toArray(), [1.5, 1.5]);
    assert.deepEqual(zeros([]).shape, []);
    assert.equal(zeros([2, 0, 3]).numel(), 0);
    assert.equal(zeros([2], { requiresGrad: true }).requiresGrad, true);
  });

  test('invalid shapes throw naming the op', () => {
    assert.throws(() => zeros(-1), /zeros: invalid shape \[-1\]/);
    assert.throws(() => ones([2, 1.5]), /ones: invalid shape \[2,1\.5\]/);
    assert.throws(() => full([2], 1, { dtype: 'int8' as DType }), /full: unknown dtype 'int8'/);
  });

  test('*Like creators copy the shape and dtype', () => {
    const x = tensor([[1, 2]], { dtype: 'float64' });
    assert.deepEqual(zerosLike(x).toArray(), [[0, 0]]);
    assert.equal(zerosLike(x).dtype, 'float64');
    assert.deepEqual(onesLike(x, { dtype: 'int32' }).toArray(), [[1, 1]]);
    assert.equal(onesLike(x, { dtype: 'int32' }).dtype, 'int32');
    assert.deepEqual(fullLike(x, -2).toArray(), [[-2, -2]]);
  });

  test('eye', () => {
    assert.deepEqual(eye(3).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.deepEqual(eye(3, 2).toArray(), [[1, 0], [0, 1], [0, 0]]);
    assert.equal(eye(2, 2, { dtype: 'int32' }).dtype, 'int32');
  });
});

describe('ranges', () => {
  test('arange with integer arguments gives int32', () => {
    const a = arange(5);
    assert.equal(a.dtype, 'int32');
    assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(arange(1, 4).toArray(), [1, 2, 3]);
    assert.deepEqual(arange(5, 0, -2).toArray(), [5, 3, 1]);
    assert.deepEqual(arange(3, 3).toArray(), []);
  });

  test('arange with a fractional argument gives float32 with PyTorch lengths and values', () => {
    const a = arange(0, 1, 0.1);
    assert.equal(a.dtype, 'float32');
    assert.equal(a.numel(), 10);
    // torch.arange(0, 1, 0.1).tolist()
    assert.deepEqual(Array.from(a.dataSync()), [
      0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5,
      0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.8999999761581421,
    ]);
    assert.deepEqual(Array.from(arange(0, 0.3, 0.1).dataSync()), [0.0, 0.10000000149011612, 0.20000000298023224]);
    assert.deepEqual(arange(1, 2.5, 0.5).toArray(), [1, 1.5, 2]);
    assert.equal(arange(-1, 1, 0.3).numel(), 7);
    assert.equal(arange(4, undefined, 1, { dtype: 'float64' }).dtype, 'float64');
  });

  test('arange errors', () => {
    assert.throws(() => arange(0, 5, 0), /arange: step must be a non-zero finite number, got 0/);
    assert.throws(() => arange(5, 0, 1), /arange: step 1 goes away from end \(start 5, end 0\)/);
  });

  test('linspace includes both ends (values as PyTorch float32 within an ulp)', () => {
    assert.deepEqual(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    // torch.linspace(-3, 5, 10).tolist()
    assertClose(linspace(-3, 5, 10), [
      -3.0, -2.1111111640930176, -1.2222222089767456, -0.3333333134651184, 0.5555555820465088,
      1.4444444179534912, 2.3333332538604736, 3.222222328186035, 4.111111164093018, 5.0,
    ], { rtol: 1e-6, atol: 1e-7 });
    assert.equal(linspace(-3, 5, 10).dataSync()[9], 5);
    assert.deepEqual(linspace(2, 3, 1).toArray(), [2]);
    assert.deepEqual(linspace(2, 3, 0).toArray(), []);
    assert.throws(() => linspace(0, 1, -1), /linspace: steps must be a non-negative integer, got -1/);
  });
});

describe('random creators', () => {
  test('rand: uniform in [0, 1) with mean ≈ 1/2, variance ≈ 1/12', () => {
    manualSeed(7);
    const x = rand(100000).dataSync();
    let s = 0;
    let s2 = 0;
    for (const v of x) {
      assert.ok(v >= 0 && v < 1);
      s += v;
      s2 += v * v;
    }
    const mean = s / x.length;
    const variance = s2 / x.length - mean * mean;
    // Standard errors: 0.0009 for the mean, 0.0001 for the variance.
    assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 0.001, `variance ${variance}`);
  });

  test('randn: mean ≈ 0, std ≈ 1 over 1e5 draws; about 68% within one std', () => {
    manualSeed(123);
    const x = randn([100, 1000]);
    assert.deepEqual(x.shape, [100, 1000]);
    const mean = x.mean().item();
    const std = x.std().item();
    // Standard errors: 0.0032 for the mean, 0.0022 for the std.
    assert.ok(Math.abs(mean) < 0.015, `mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.01, `std ${std}`);
    const within = x.abs().lt(1).sum().item() / 1e5;
    assert.ok(Math.abs(within - 0.6827) < 0.01, `within one std: ${within}`);
  });

  test('randn and rand with dtype float64; generator option', () => {
    assert.equal(randn([2], { dtype: 'float64' }).dtype, 'float64');
    const a = rand([5], { generator: new Generator(3) }).dataSync();
    const b = rand([5], { generator: new Generator(3) }).dataSync();
    assert.deepEqual(a, b);
  });

  test('randint: int32 values in [low, high), every value hit', () => {
    manualSeed(1);
    const r = randint(-2, 3, [1000]);
    assert.equal(r.dtype, 'int32');
    const seen = new Set(r.dataSync());
    assert.deepEqual([...seen].sort((p, q) => p - q), [-2, -1, 0, 1, 2]);
    assert.deepEqual(randint(0, 10, [2, 3]).shape, [2, 3]);
    assert.throws(() => randint(3, 3, [2]), /randint: expected integers low < high, got low=3, high=3/);
  });

  test('randperm is a permutation of 0…n-1', () => {
    manualSeed(5);
    const p = randperm(50);
    assert.equal(p.dtype, 'int32');
    const values = Array.from(p.dataSync());
    assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(values, Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(randperm(0).toArray(), []);
    assert.throws(() => randperm(-1), /randperm: n must be a non-negative integer, got -1/);
  });

  test('randLike and randnLike copy shape and dtype', () => {
    const x = zeros([2, 3], { dtype: 'float64' });
    for (const y of [randLike(x), randnLike(x)]) {
      assert.deepEqual(y.shape, [2, 3]);
      assert.equal(y.dtype, 'float64');
    }
    const u = randLike(x).dataSync();
    assert.ok(u.every((v) => v >= 0 && v < 1));
  });

  test('manualSeed makes every random creator reproducible', () => {
    const draw = (): number[] => [
      ...rand(3).dataSync(), ...randn(3).dataSync(), ...randint(0, 100, [3]).dataSync(), ...randperm(5).dataSync(),
    ];
    manualSeed(99);
    const a = draw();
    manualSeed(99);
    assert.deepEqual(draw(), a);
  });
});

describe('reading values back', () => {
  test('toArray and dataSync follow the logical (row-major) order of views', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const t = x.t();
    assert.deepEqual(t.toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.deepEqual(Array.from(t.dataSync()), [1, 4, 2, 5, 3, 6]);
    assert.deepEqual(x.slice(1, 0, 3, 2).toArray(), [[1, 3], [4, 6]]);
  });

  test('dataSync returns a copy of the right typed array', () => {
    const x = tensor([1, 2]);
    const d = x.dataSync();
    assert.ok(d instanceof Float32Array);
    d[0] = 50;
    assert.deepEqual(x.toArray(), [1, 2]);
    assert.ok(tensor([1], { dtype: 'int32' }).dataSync() instanceof Int32Array);
  });

  test('data() resolves to the same values', async () => {
    assert.deepEqual(Array.from(await tensor([3, 4]).data()), [3, 4]);
  });

  test('item() of one-element tensors, and its error', () => {
    assert.equal(tensor(3.5).item(), 3.5);
    assert.equal(tensor([[7]], { dtype: 'int32' }).item(), 7);
    assert.throws(() => tensor([1, 2]).item(), /item: a tensor with 2 elements \(shape \[2\]\) cannot be converted to a number/);
    assert.throws(() => zeros(0).item(), /item: a tensor with 0 elements/);
  });

  test('size(), dim(), numel()', () => {
    const x = zeros(2, 3, 4);
    assert.deepEqual(x.size(), [2, 3, 4]);
    assert.equal(x.size(-1), 4);
    assert.equal(x.dim(), 3);
    assert.equal(x.numel(), 24);
    assert.throws(() => x.size(3), /size: dim 3 is out of range/);
  });
});

interface PrintCase {
  name: string;
  shape: number[];
  dtype: DType;
  data: (number | string)[];
  body: string;
  repr: string;
}

function fromPrintCase(c: PrintCase): Tensor {
  const values = c.data.map((v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number)));
  const arr =
    c.dtype === 'float64' ? Float64Array.from(values)
    : c.dtype === 'int32' ? Int32Array.from(values)
    : c.dtype === 'bool' ? Uint8Array.from(values)
    : Float32Array.from(values);
  return fromTypedArray(arr, c.shape);
}

describe('printing as PyTorch prints', () => {
  const cases = loadFixture<PrintCase[]>('printing');

  test('the fixture covers the formatter modes', () => {
    assert.ok(cases.length >= 40);
  });

  for (const c of cases) {
    test(`body: ${c.name}`, () => {
      assert.equal(formatTensorBody(fromPrintCase(c)), c.body);
    });
  }

  // Whole reprs match where glubina's suffix is PyTorch's (float32 and bool have none).
  for (const c of cases.filter((k) => (k.dtype === 'float32' || k.dtype === 'bool') && k.shape.reduce((a, b) => a * b, 1) > 0)) {
    test(`repr: ${c.name}`, () => {
      assert.equal(String(fromPrintCase(c)), c.repr);
    });
  }

  test('suffixes: dtype, requiresGrad, gradFn, empty size', () => {
    assert.equal(String(tensor([1, 2], { dtype: 'float64' })), 'tensor([1., 2.], dtype=glubina.float64)');
    assert.equal(String(arange(3)), 'tensor([0, 1, 2], dtype=glubina.int32)');
    const x = tensor([1.5, 2], { requiresGrad: true });
    assert.equal(String(x), 'tensor([1.5000, 2.0000], requiresGrad=true)');
    assert.equal(String(x.mul(2)), 'tensor([3., 4.], gradFn=<MulBackward0>)');
    assert.equal(String(zeros(0, 3)), 'tensor([], size=(0, 3))');
    assert.equal(String(zeros([0], { dtype: 'bool' })), 'tensor([], dtype=glubina.bool)');
    assert.equal(String(tensor(2, { dtype: 'float64' })), 'tensor(2., dtype=glubina.float64)');
  });

  test('a suffix that would pass column 80 goes on its own line', () => {
    // PyTorch: torch.arange(14.).double() → suffix on a new line, indented to the body.
    const s = String(arange(14, undefined, 1, { dtype: 'float64' }));
    assert.equal(s, 'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.],\n       dtype=glubina.float64)');
  });

  test('console.log uses the same text', async () => {
    const { inspect } = await import('node:util');
    assert.equal(inspect(tensor([1, 2])), 'tensor([1., 2.])');
  });
});
