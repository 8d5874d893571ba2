/**
 * Convolution, pooling, resizing and padding modules against PyTorch fixtures (weights loaded from
 * PyTorch's state dict; outputs and gradients w.r.t. inputs and parameters, paddingMode variants
 * included), parameter counts, PyTorch's default init ranges, construction-time validation, reprs,
 * gradcheck in float64, and use inside Sequential.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradcheck, manualSeed, nn, randn, zeros, type Tensor } from '../src/index.js';
import { assertClose, BACKWARD_TOL, FORWARD_TOL, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

interface ModuleCase {
  name: string;
  ctor: { type: string; args: unknown[]; options: Record<string, unknown> };
  state: Record<string, FixtureTensor>;
  inputs: FixtureTensor[];
  callArgs: number[][];
  outputs: FixtureTensor[];
  gradOutput: FixtureTensor;
  inputGrads: (FixtureTensor | null)[];
  paramGrads: Record<string, FixtureTensor>;
  numParams: number;
}

type AnyCall = (...args: unknown[]) => Tensor | [Tensor, Tensor];
type Built = { module: nn.AnyModule; call: AnyCall };

const n = (v: unknown): number => v as number;
const size = (v: unknown): number | number[] => v as number | number[];
const opts = <T>(o: Record<string, unknown>): T => o as T;

const builders: Record<string, (a: unknown[], o: Record<string, unknown>) => nn.AnyModule> = {
  Conv1d: (a, o) => new nn.Conv1d(n(a[0]), n(a[1]), size(a[2]), opts(o)) as unknown as nn.AnyModule,
  Conv2d: (a, o) => new nn.Conv2d(n(a[0]), n(a[1]), size(a[2]), opts(o)) as unknown as nn.AnyModule,
  ConvTranspose1d: (a, o) => new nn.ConvTranspose1d(n(a[0]), n(a[1]), size(a[2]), opts(o)) as unknown as nn.AnyModule,
  ConvTranspose2d: (a, o) => new nn.ConvTranspose2d(n(a[0]), n(a[1]), size(a[2]), opts(o)) as unknown as nn.AnyModule,
  MaxPool1d: (a, o) => new nn.MaxPool1d(size(a[0]), opts<nn.MaxPoolLayerOptions<boolean>>(o)) as unknown as nn.AnyModule,
  MaxPool2d: (a, o) => new nn.MaxPool2d(size(a[0]), opts<nn.MaxPoolLayerOptions<boolean>>(o)) as unknown as nn.AnyModule,
  AvgPool1d: (a, o) => new nn.AvgPool1d(size(a[0]), opts(o)) as unknown as nn.AnyModule,
  AvgPool2d: (a, o) => new nn.AvgPool2d(size(a[0]), opts(o)) as unknown as nn.AnyModule,
  AdaptiveAvgPool1d: (a) => new nn.AdaptiveAvgPool1d(n(a[0])) as unknown as nn.AnyModule,
  AdaptiveAvgPool2d: (a) => new nn.AdaptiveAvgPool2d(a[0] as number | (number | null)[]) as unknown as nn.AnyModule,
  AdaptiveMaxPool1d: (a) => new nn.AdaptiveMaxPool1d(n(a[0])) as unknown as nn.AnyModule,
  AdaptiveMaxPool2d: (a) => new nn.AdaptiveMaxPool2d(a[0] as number | (number | null)[]) as unknown as nn.AnyModule,
  MaxUnpool1d: (a, o) => new nn.MaxUnpool1d(size(a[0]), opts(o)) as unknown as nn.AnyModule,
  MaxUnpool2d: (a, o) => new nn.MaxUnpool2d(size(a[0]), opts(o)) as unknown as nn.AnyModule,
  Upsample: (_a, o) => new nn.Upsample(opts(o)) as unknown as nn.AnyModule,
  PixelShuffle: (a) => new nn.PixelShuffle(n(a[0])) as unknown as nn.AnyModule,
  PixelUnshuffle: (a) => new nn.PixelUnshuffle(n(a[0])) as unknown as nn.AnyModule,
  ZeroPad2d: (a) => new nn.ZeroPad2d(size(a[0])) as unknown as nn.AnyModule,
  ConstantPad1d: (a) => new nn.ConstantPad1d(size(a[0]), n(a[1])) as unknown as nn.AnyModule,
  ConstantPad2d: (a) => new nn.ConstantPad2d(size(a[0]), n(a[1])) as unknown as nn.AnyModule,
  ReflectionPad1d: (a) => new nn.ReflectionPad1d(size(a[0])) as unknown as nn.AnyModule,
  ReflectionPad2d: (a) => new nn.ReflectionPad2d(size(a[0])) as unknown as nn.AnyModule,
  ReplicationPad1d: (a) => new nn.ReplicationPad1d(size(a[0])) as unknown as nn.AnyModule,
  ReplicationPad2d: (a) => new nn.ReplicationPad2d(size(a[0])) as unknown as nn.AnyModule,
};

function build(c: ModuleCase): Built {
  const make = builders[c.ctor.type];
  assert.ok(make, `no builder for ${c.ctor.type}`);
  const module = make(c.ctor.args, c.ctor.options);
  return { module, call: (...args: unknown[]) => (module.call as unknown as AnyCall)(...args) };
}

const fixture = loadFixture<{ modules: ModuleCase[] }>('conv_modules');

describe('modules match PyTorch (forward and gradients, weights from its state dict)', () => {
  for (const c of fixture.modules) {
    test(c.name, () => {
      const { module, call } = build(c);
      module.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])));
      assert.equal(module.numParameters(), c.numParams, 'parameter count');
      const inputs = c.inputs.map((f) => fromFixture(f, { requiresGrad: f.dtype === 'float32' }));
      const result = call(...inputs, ...c.callArgs);
      const outs = Array.isArray(result) ? result : [result];
      assert.equal(outs.length, c.outputs.length, 'number of outputs');
      outs.forEach((o, i) => {
        if (c.outputs[i].dtype === 'int32') assert.deepEqual([...o.dataSync()], c.outputs[i].data, 'indices');
        else assertClose(o, c.outputs[i], FORWARD_TOL, `${c.name} output ${i}`);
      });
      outs[0].mul(fromFixture(c.gradOutput)).sum().backward();
      inputs.forEach((x, i) => {
        const g = c.inputGrads[i];
        if (g) assertClose(x.grad!, g, BACKWARD_TOL, `${c.name} input ${i} grad`);
      });
      const params = new Map(module.namedParameters());
      assert.deepEqual([...params.keys()].sort(), Object.keys(c.paramGrads).sort(), 'parameter names');
      for (const [name, g] of Object.entries(c.paramGrads)) assertClose(params.get(name)!.grad!, g, BACKWARD_TOL, `${c.name} ${name} grad`);
    });
  }
});

describe('parameter count (2d+1)²·C·T (+T)', () => {
  const cases: [string, nn.Conv2d, number][] = [
    ['3×3, C=3, T=8', new nn.Conv2d(3, 8, 3), 9 * 3 * 8 + 8],
    ['5×5 (d=2), C=16, T=32', new nn.Conv2d(16, 32, 5), 25 * 16 * 32 + 32],
    ['5×5, C=16, T=32, no bias', new nn.Conv2d(16, 32, 5, { bias: false }), 25 * 16 * 32],
    ['1×1, C=64, T=16', new nn.Conv2d(64, 16, 1), 64 * 16 + 16],
    ['3×3, C=8, T=8, groups 4 (C/4 inputs per filter)', new nn.Conv2d(8, 8, 3, { groups: 4 }), 9 * 2 * 8 + 8],
  ];
  for (const [name, conv, expected] of cases) {
    test(name, () => {
      assert.equal(conv.numParameters(), expected);
      assert.deepEqual([...conv.weight.shape], [conv.outChannels, conv.inChannels / conv.groups, ...conv.kernelSize]);
    });
  }
  test('ConvTranspose2d weight is [Cin, Cout/groups, kH, kW]', () => {
    const up = new nn.ConvTranspose2d(16, 8, 2, { stride: 2 });
    assert.deepEqual([...up.weight.shape], [16, 8, 2, 2]);
    assert.equal(up.numParameters(), 16 * 8 * 4 + 8);
  });
});

describe("PyTorch's default init", () => {
  test('Conv2d: W and b in ±1/√fan_in, W with the variance of U(−b, b)', () => {
    manualSeed(1);
    const conv = new nn.Conv2d(8, 32, 3);
    const bound = 1 / Math.sqrt(8 * 9);
    const w = [...conv.weight.dataSync()];
    const b = [...conv.bias!.dataSync()];
    assert.ok(w.every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound));
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    assert.ok(Math.abs(variance - (bound * bound) / 3) < 0.1 * (bound * bound) / 3, `variance ${variance}`);
    assert.ok(Math.max(...w.map(Math.abs)) > 0.95 * bound, 'uses the whole range');
  });
  test('ConvTranspose2d: fan_in read from weight dim 1 (Cout/groups·k²), as PyTorch', () => {
    manualSeed(2);
    const up = new nn.ConvTranspose2d(4, 16, 2, { stride: 2 });
    const bound = 1 / Math.sqrt(16 * 4);
    const w = [...up.weight.dataSync()];
    assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w.map(Math.abs)) > 0.9 * bound);
  });
  test('resetParameters redraws', () => {
    const conv = new nn.Conv1d(2, 2, 3);
    const before = [...conv.weight.dataSync()];
    conv.resetParameters();
    assert.notDeepEqual([...conv.weight.dataSync()], before);
  });
});

describe('validation at construction and at the call', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['groups must divide inChannels', () => new nn.Conv2d(3, 6, 3, { groups: 2 }), /Conv2d: inChannels=3 must be divisible by groups=2/],
    ['groups must divide outChannels', () => new nn.Conv2d(4, 6, 3, { groups: 4 }), /Conv2d: outChannels=6 must be divisible by groups=4/],
    ['non-positive stride', () => new nn.Conv2d(1, 1, 3, { stride: 0 }), /Conv2d: stride must be positive integers, got \[0,0\]/],
    ['negative dilation', () => new nn.Conv1d(1, 1, 3, { dilation: -1 }), /Conv1d: dilation must be positive integers/],
    ['unknown paddingMode', () => new nn.Conv2d(1, 1, 3, { paddingMode: 'mirror' as nn.ConvPaddingMode }), /Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'/],
    ["'same' with stride 2", () => new nn.Conv2d(1, 1, 3, { padding: 'same', stride: 2 }), /Conv2d: padding='same' is not supported for strided convolutions/],
    ['unknown padding string', () => new nn.Conv2d(1, 1, 3, { padding: 'full' as 'same' }), /Conv2d: padding must be a number, a list of numbers, 'valid' or 'same', got 'full'/],
    ['negative padding', () => new nn.Conv2d(1, 1, 3, { padding: -1 }), /Conv2d: padding must be non-negative/],
    ['kernel of three numbers for 2-d', () => new nn.Conv2d(1, 1, [3, 3, 3]), /Conv2d: kernelSize must be one number or 2 numbers/],
    ['zero channels', () => new nn.Conv2d(0, 1, 3), /Conv2d: inChannels must be a positive integer, got 0/],
    ['transpose with reflect', () => new nn.ConvTranspose2d(1, 1, 3, { paddingMode: 'reflect' as 'zeros' }), /ConvTranspose2d: only paddingMode 'zeros'/],
    ['outputPadding too large', () => new nn.ConvTranspose2d(1, 1, 3, { stride: 2, outputPadding: 2 }), /ConvTranspose2d: outputPadding \(2, 2\) must be smaller than either stride/],
    ['pool padding above half the kernel', () => new nn.MaxPool2d(2, { padding: 2 }), /MaxPool2d: padding \[2,2\] must be at most half the kernel size \[2,2\]/],
    ['pool zero stride', () => new nn.AvgPool2d(2, { stride: 0 }), /AvgPool2d: stride must be positive/],
    ['adaptive size 0', () => new nn.AdaptiveAvgPool2d(0), /AdaptiveAvgPool2d: outputSize must be one positive integer or 2/],
    ['Upsample with both size and scale', () => new nn.Upsample({ size: 4, scaleFactor: 2 }), /Upsample: give exactly one of size and scaleFactor/],
    ['Upsample alignCorners with nearest', () => new nn.Upsample({ scaleFactor: 2, alignCorners: true }), /Upsample: alignCorners can only be set with the linear modes/],
    ['padding layer with 3 amounts', () => new nn.ReflectionPad2d([1, 2, 3]), /ReflectionPad2d: padding must be one integer or 4 integers/],
    ['PixelShuffle factor 0', () => new nn.PixelShuffle(0), /PixelShuffle: the factor must be a positive integer/],
  ];
  for (const [name, fn, re] of cases) test(name, () => assert.throws(fn, re));

  test('channel mismatch at the call names the op and the shapes', () => {
    assert.throws(() => new nn.Conv2d(3, 4, 3).call(zeros([1, 2, 5, 5])), /conv2d: input \[1,2,5,5\] has 2 channels, weight \[4,3,3,3\] expects 3/);
  });
  test('kernel larger than the padded input', () => {
    assert.throws(() => new nn.Conv2d(1, 1, 5, { padding: 1 }).call(zeros([1, 1, 2, 2])), /conv2d: kernel size \(5x5, dilated 5x5\) is larger than the padded input \(4x4\)/);
  });
  test('reflect padding wider than the input', () => {
    assert.throws(() => new nn.Conv2d(1, 1, 5, { padding: 3, paddingMode: 'reflect' }).call(zeros([1, 1, 3, 3])), /pad: reflect padding \(3, 3\) must be smaller than the size 3/);
  });
  test('ConvTranspose2d outputSize out of reach', () => {
    const up = new nn.ConvTranspose2d(1, 1, 3, { stride: 2 });
    assert.throws(() => up.call(zeros([1, 1, 3, 3]), [9, 10]), /ConvTranspose2d: requested outputSize \[9,10\] is not reachable from input \[1,1,3,3\]: dim 0 must be between 7 and 8/);
  });
});

describe('reprs', () => {
  const cases: [nn.AnyModule | { toString(): string }, string][] = [
    [new nn.Conv2d(3, 8, 3), 'Conv2d(3, 8, kernelSize=(3, 3), stride=(1, 1))'],
    [new nn.Conv2d(3, 8, [3, 5], { stride: 2, padding: [1, 2], dilation: 2, groups: 1, bias: false, paddingMode: 'reflect' }),
      'Conv2d(3, 8, kernelSize=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), bias=false, paddingMode=reflect)'],
    [new nn.Conv1d(4, 4, 3, { padding: 'same', groups: 2 }), 'Conv1d(4, 4, kernelSize=(3), stride=(1), padding=same, groups=2)'],
    [new nn.ConvTranspose2d(16, 8, 2, { stride: 2 }), 'ConvTranspose2d(16, 8, kernelSize=(2, 2), stride=(2, 2))'],
    [new nn.MaxPool2d(2), 'MaxPool2d(kernelSize=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), ceilMode=false)'],
    [new nn.AvgPool2d(3, { stride: 2, padding: 1 }), 'AvgPool2d(kernelSize=(3, 3), stride=(2, 2), padding=(1, 1), ceilMode=false, countIncludePad=true)'],
    [new nn.AdaptiveAvgPool2d([null, 2]), 'AdaptiveAvgPool2d(outputSize=(None, 2))'],
    [new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: false }), 'Upsample(scaleFactor=2, mode=bilinear, alignCorners=false)'],
    [new nn.PixelShuffle(3), 'PixelShuffle(upscaleFactor=3)'],
    [new nn.ZeroPad2d([1, 2, 0, 1]), 'ZeroPad2d(padding=(1, 2, 0, 1))'],
    [new nn.ConstantPad1d(2, 0.5), 'ConstantPad1d(padding=(2, 2), value=0.5)'],
  ];
  for (const [m, s] of cases) test(s, () => assert.equal(m.toString(), s));
});

describe('gradcheck in float64 (inputs and parameters)', () => {
  const cases: [string, () => nn.Module][] = [
    ['Conv2d reflect padding stride 2', () => new nn.Conv2d(2, 2, 3, { padding: 1, paddingMode: 'reflect', stride: 2 })],
    ["Conv2d circular 'same' even kernel", () => new nn.Conv2d(2, 1, [2, 3], { padding: 'same', paddingMode: 'circular' })],
    ['Conv1d replicate padding, dilation 2', () => new nn.Conv1d(2, 1, 3, { padding: 2, paddingMode: 'replicate', dilation: 2 })],
    ['ConvTranspose2d stride 2 padding 1 outputPadding 1', () => new nn.ConvTranspose2d(2, 1, 3, { stride: 2, padding: 1, outputPadding: 1 })],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      manualSeed(3);
      const m = make().to('float64');
      const spatial = m instanceof nn.Conv1d ? [5] : [4, 5];
      const x = randn([1, 2, ...spatial], { dtype: 'float64', requiresGrad: true });
      assert.ok(gradcheck((xi) => m.call(xi), [x, ...m.parameters()]));
    });
  }
});

describe('modules compose', () => {
  test('a small encoder–decoder in Sequential keeps the shapes', () => {
    manualSeed(4);
    const net = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 'same', paddingMode: 'reflect' }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.ConvTranspose2d(4, 2, 2, { stride: 2 }),
      new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }),
      new nn.AdaptiveAvgPool2d(3),
    );
    const y = net.call(randn([2, 1, 8, 6]));
    assert.deepEqual([...y.shape], [2, 2, 3, 3]);
    assert.deepEqual(net.namedParameters().map(([k]) => k), ['0.weight', '0.bias', '3.weight', '3.bias']);
  });
  test('MaxPool2d with returnIndices feeds MaxUnpool2d', () => {
    const pool = new nn.MaxPool2d(2, { returnIndices: true });
    const x = randn([1, 1, 4, 4]);
    const [y, idx] = pool.call(x);
    const back = new nn.MaxUnpool2d(2).call(y, idx);
    const xs = x.dataSync();
    const bs = back.dataSync();
    // Every 2×2 block keeps exactly its max, the rest is zero.
    for (let bi = 0; bi < 2; bi++) {
      for (let bj = 0; bj < 2; bj++) {
        const cells = [0, 1, 2, 3].map((k) => (2 * bi + (k >> 1)) * 4 + 2 * bj + (k & 1));
        const max = Math.max(...cells.map((c) => xs[c]));
        assert.deepEqual(cells.map((c) => bs[c]).sort(), cells.map((c) => (xs[c] === max ? max : 0)).sort());
      }
    }
  });
  test('unbatched input with circular padding', () => {
    const conv = new nn.Conv2d(1, 1, 3, { padding: 1, paddingMode: 'circular', bias: false });
    const y = conv.call(randn([1, 4, 4]));
    assert.deepEqual([...y.shape], [1, 4, 4]);
  });
});
