/**
 * Golden tests: every case of scripts/fixtures/conv.py (convolutions, pooling, padding, resizing)
 * run through glubina and compared with PyTorch — outputs, then gradients for a random upstream gradient.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functional as F, transpose, type Tensor } from '../src/index.js';
import { assertClose, BACKWARD_TOL, FORWARD_TOL, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

interface Case {
  name: string;
  op: string;
  args: unknown[];
  options: Record<string, unknown>;
  inputs: { tensor: FixtureTensor; requiresGrad: boolean; prep: ['transpose', number, number] | null }[];
  outputs: FixtureTensor[];
  gradOutputs: (FixtureTensor | null)[];
  grads: (FixtureTensor | null)[];
}

type Run = (xs: Tensor[], args: unknown[], options: Record<string, unknown>) => Tensor | Tensor[];
// The fixture's args and options are already in glubina's shapes; `as Json` only bridges JSON's types.
type Json = never;
const OPS: Record<string, Run> = {
  conv1d: (xs, _a, o) => F.conv1d(xs[0], xs[1], xs[2] ?? null, o),
  conv2d: (xs, _a, o) => F.conv2d(xs[0], xs[1], xs[2] ?? null, o),
  convTranspose1d: (xs, _a, o) => F.convTranspose1d(xs[0], xs[1], xs[2] ?? null, o),
  convTranspose2d: (xs, _a, o) => F.convTranspose2d(xs[0], xs[1], xs[2] ?? null, o),
  unfold: (xs, a, o) => F.unfold(xs[0], a[0] as Json, o),
  fold: (xs, a, o) => F.fold(xs[0], a[0] as Json, a[1] as Json, o),
  maxPool1d: (xs, a, o) => F.maxPool1d(xs[0], a[0] as Json, o as Json),
  maxPool2d: (xs, a, o) => F.maxPool2d(xs[0], a[0] as Json, o as Json),
  avgPool1d: (xs, a, o) => F.avgPool1d(xs[0], a[0] as Json, o),
  avgPool2d: (xs, a, o) => F.avgPool2d(xs[0], a[0] as Json, o),
  adaptiveAvgPool1d: (xs, a) => F.adaptiveAvgPool1d(xs[0], a[0] as Json),
  adaptiveAvgPool2d: (xs, a) => F.adaptiveAvgPool2d(xs[0], a[0] as Json),
  adaptiveMaxPool1d: (xs, a, o) => F.adaptiveMaxPool1d(xs[0], a[0] as Json, o as Json),
  adaptiveMaxPool2d: (xs, a, o) => F.adaptiveMaxPool2d(xs[0], a[0] as Json, o as Json),
  maxUnpool1d: (xs, a, o) => F.maxUnpool1d(xs[0], xs[1], a[0] as Json, o),
  maxUnpool2d: (xs, a, o) => F.maxUnpool2d(xs[0], xs[1], a[0] as Json, o),
  pad: (xs, a) => F.pad(xs[0], a[0] as Json, a[1] as Json, a[2] as Json),
  interpolate: (xs, _a, o) => F.interpolate(xs[0], o),
  pixelShuffle: (xs, a) => F.pixelShuffle(xs[0], a[0] as Json),
  pixelUnshuffle: (xs, a) => F.pixelUnshuffle(xs[0], a[0] as Json),
};

function runCase(c: Case): void {
  const run = OPS[c.op];
  assert.ok(run, `no runner for op '${c.op}'`);
  const leaves = c.inputs.map((i) => fromFixture(i.tensor, { requiresGrad: i.requiresGrad }));
  const xs = leaves.map((l, k) => {
    const prep = c.inputs[k].prep;
    return prep ? transpose(l, prep[1], prep[2]) : l;
  });
  if (c.inputs.some((i) => i.prep)) assert.ok(xs.some((x) => !x.isContiguous()), `${c.name}: expected a non-contiguous input`);
  const result = run(xs, c.args, c.options);
  const outs = Array.isArray(result) ? result : [result];
  assert.equal(outs.length, c.outputs.length, `${c.name}: number of outputs`);
  outs.forEach((o, k) => {
    if (c.outputs[k].dtype === 'int32') {
      assert.equal(o.dtype, 'int32', `${c.name}: output ${k} dtype`);
      assert.deepEqual([...o.shape], c.outputs[k].shape, `${c.name}: output ${k} shape`);
      assert.deepEqual([...o.dataSync()], c.outputs[k].data, `${c.name}: output ${k} (indices)`);
    } else {
      assertClose(o, c.outputs[k], FORWARD_TOL, `${c.name}: output ${k}`);
    }
  });
  const k = c.gradOutputs.findIndex((g) => g !== null);
  if (k < 0) return;
  assert.equal(c.gradOutputs.filter((g) => g !== null).length, 1, 'one differentiable output per case');
  outs[k].backward(fromFixture(c.gradOutputs[k]!));
  leaves.forEach((l, i) => {
    const expected = c.grads[i];
    if (expected === null) return;
    assert.ok(l.grad, `${c.name}: input ${i} got no gradient`);
    assertClose(l.grad, expected, BACKWARD_TOL, `${c.name}: grad of input ${i}`);
  });
}

for (const file of ['conv', 'conv_pool', 'conv_resize']) {
  const { cases } = loadFixture<{ cases: Case[] }>(file);
  for (const c of cases) test(`${file}: ${c.name}`, () => runCase(c));
}
