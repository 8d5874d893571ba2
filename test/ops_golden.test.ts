/**
 * Golden tests of every Foundation op against PyTorch (fixtures from scripts/fixtures/core_ops.py).
 * One generic runner: each fixture case names an op and its args; OPS maps the name to glubina's
 * public API. Forward values (and dtypes) are compared with FORWARD_TOL; then the case's random
 * upstream gradient is sent back and the gradients of the leaf inputs (taken before any
 * transpose/slice that made the op's input non-contiguous) are compared with BACKWARD_TOL.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Tensor, abs, add, amax, amin, argmax, argmin, bmm, cat, chunk, clamp, contiguous, div, elu, eq, exp, expand,
  addmm, flatten, gather, ge, gt, indexSelect, le, leakyRelu, log, logSoftmax, logsumexp, lt, maskedFill, matmul,
  max, maximum, mean, min, minimum, mm, mul, narrow, ne, neg, permute, pow, relu, reshape, select, sigmoid,
  slice, softmax, softplus, split, sqrt, squeeze, stack, std, sub, sum, t, tanh, transpose, unsqueeze,
  variance, view, where, scatterAdd, type ValuesIndices,
} from '../src/index.js';
import { BACKWARD_TOL, FORWARD_TOL, assertClose, fromFixture, loadFixture, type FixtureTensor } from './helpers.js';

/** A value of a case's args, as JSON gives it. */
type ArgValue = number | boolean | null | number[];
type Args = Record<string, ArgValue | undefined>;
/** A view op applied to a leaf before the op: ['transpose', d0, d1], ['permute', dims], ['slice', dim, start, end, step], ['expand', shape]. */
type Prep = [string, ...(number | number[])[]];

interface CaseInput {
  tensor: FixtureTensor;
  requiresGrad: boolean;
  prep: Prep[];
}

interface GoldenCase {
  name: string;
  op: string;
  args: Args;
  /** True when some input reaches the op as a non-contiguous view of its leaf. */
  noncontig: boolean;
  inputs: CaseInput[];
  outputs: FixtureTensor[];
  gradOutputs: (FixtureTensor | null)[];
  grads: (FixtureTensor | null)[];
}

type OpResult = Tensor | Tensor[] | ValuesIndices;
type OpFn = (xs: Tensor[], a: Args) => OpResult;

function num(a: Args, key: string): number {
  const v = a[key];
  if (typeof v !== 'number') throw new Error(`fixture arg '${key}' should be a number, got ${JSON.stringify(v)}`);
  return v;
}
function optNum(a: Args, key: string): number | undefined {
  return a[key] === undefined || a[key] === null ? undefined : num(a, key);
}
function list(a: Args, key: string): number[] {
  const v = a[key];
  if (!Array.isArray(v)) throw new Error(`fixture arg '${key}' should be a list, got ${JSON.stringify(v)}`);
  return v;
}
/** dim: absent/null (all dims), a number, or a list. */
function dims(a: Args): number | number[] | undefined {
  const v = a.dim;
  return v === undefined || v === null ? undefined : Array.isArray(v) ? v : num(a, 'dim');
}
function keepdim(a: Args): boolean {
  return a.keepdim === true;
}

/** Binary ops whose operand may be a number: args.self replaces the first, args.other the second. */
function binary(fn: (x: Tensor | number, y: Tensor | number) => Tensor): OpFn {
  return (xs, a) => {
    if (a.self !== undefined) return fn(num(a, 'self'), xs[0]);
    if (a.other !== undefined) return fn(xs[0], num(a, 'other'));
    return fn(xs[0], xs[1]);
  };
}

const OPS: Record<string, OpFn> = {
  add: binary(add),
  addAlpha: ([x, y], a) => add(x, y, { alpha: num(a, 'alpha') }),
  sub: binary(sub),
  subAlpha: ([x, y], a) => sub(x, y, { alpha: num(a, 'alpha') }),
  mul: binary(mul),
  div: binary(div),
  pow: binary(pow),
  neg: ([x]) => neg(x),
  exp: ([x]) => exp(x),
  log: ([x]) => log(x),
  sqrt: ([x]) => sqrt(x),
  abs: ([x]) => abs(x),
  clamp: ([x], a) => clamp(x, optNum(a, 'min'), optNum(a, 'max')),
  maximum: binary(maximum),
  minimum: binary(minimum),
  where: ([c, x, y], a) => where(c, x, a.other !== undefined ? num(a, 'other') : y),
  eq: binary(eq),
  ne: binary(ne),
  lt: binary(lt),
  le: binary(le),
  gt: binary(gt),
  ge: binary(ge),
  sum: ([x], a) => sum(x, dims(a), keepdim(a)),
  mean: ([x], a) => mean(x, dims(a), keepdim(a)),
  amax: ([x], a) => amax(x, dims(a), keepdim(a)),
  amin: ([x], a) => amin(x, dims(a), keepdim(a)),
  logsumexp: ([x], a) => logsumexp(x, dims(a), keepdim(a)),
  max: ([x], a) => (a.dim === undefined ? max(x) : max(x, num(a, 'dim'), keepdim(a))),
  min: ([x], a) => (a.dim === undefined ? min(x) : min(x, num(a, 'dim'), keepdim(a))),
  argmax: ([x], a) => argmax(x, optNum(a, 'dim'), keepdim(a)),
  argmin: ([x], a) => argmin(x, optNum(a, 'dim'), keepdim(a)),
  var: ([x], a) => variance(x, dims(a), varOptions(a)),
  std: ([x], a) => std(x, dims(a), varOptions(a)),
  matmul: ([x, y]) => matmul(x, y),
  mm: ([x, y]) => mm(x, y),
  bmm: ([x, y]) => bmm(x, y),
  addmm: ([c, x, y], a) => addmm(c, x, y, { beta: optNum(a, 'beta'), alpha: optNum(a, 'alpha') }),
  reshape: ([x], a) => reshape(x, list(a, 'shape')),
  view: ([x], a) => view(x, list(a, 'shape')),
  flatten: ([x], a) => flatten(x, optNum(a, 'startDim'), optNum(a, 'endDim')),
  squeeze: ([x], a) => squeeze(x, optNum(a, 'dim')),
  unsqueeze: ([x], a) => unsqueeze(x, num(a, 'dim')),
  permute: ([x], a) => permute(x, list(a, 'dims')),
  transpose: ([x], a) => transpose(x, num(a, 'dim0'), num(a, 'dim1')),
  t: ([x]) => t(x),
  expand: ([x], a) => expand(x, list(a, 'shape')),
  contiguous: ([x]) => contiguous(x),
  cat: (xs, a) => cat(xs, num(a, 'dim')),
  stack: (xs, a) => stack(xs, num(a, 'dim')),
  split: ([x], a) => split(x, Array.isArray(a.split) ? a.split : num(a, 'split'), num(a, 'dim')),
  chunk: ([x], a) => chunk(x, num(a, 'chunks'), num(a, 'dim')),
  slice: ([x], a) => slice(x, num(a, 'dim'), num(a, 'start'), num(a, 'end'), num(a, 'step')),
  narrow: ([x], a) => narrow(x, num(a, 'dim'), num(a, 'start'), num(a, 'length')),
  select: ([x], a) => select(x, num(a, 'dim'), num(a, 'index')),
  indexSelect: ([x, i], a) => indexSelect(x, num(a, 'dim'), i),
  gather: ([x, i], a) => gather(x, num(a, 'dim'), i),
  scatterAdd: ([x, i, s], a) => scatterAdd(x, num(a, 'dim'), i, s),
  maskedFill: ([x, m], a) => maskedFill(x, m, num(a, 'value')),
  relu: ([x]) => relu(x),
  sigmoid: ([x]) => sigmoid(x),
  tanh: ([x]) => tanh(x),
  softmax: ([x], a) => softmax(x, num(a, 'dim')),
  logSoftmax: ([x], a) => logSoftmax(x, num(a, 'dim')),
  leakyRelu: ([x], a) => leakyRelu(x, optNum(a, 'negativeSlope')),
  elu: ([x], a) => elu(x, optNum(a, 'alpha')),
  softplus: ([x], a) => softplus(x, optNum(a, 'beta'), optNum(a, 'threshold')),
};

function varOptions(a: Args): { correction?: number; unbiased?: boolean; keepdim: boolean } {
  return {
    correction: optNum(a, 'correction'),
    unbiased: typeof a.unbiased === 'boolean' ? a.unbiased : undefined,
    keepdim: keepdim(a),
  };
}

function applyPrep(x: Tensor, prep: readonly Prep[]): Tensor {
  for (const [kind, ...p] of prep) {
    if (kind === 'transpose') x = transpose(x, p[0] as number, p[1] as number);
    else if (kind === 'permute') x = permute(x, p[0] as number[]);
    else if (kind === 'slice') x = slice(x, p[0] as number, p[1] as number, p[2] as number, p[3] as number);
    else if (kind === 'expand') x = expand(x, p[0] as number[]);
    else throw new Error(`unknown prep '${kind}'`);
  }
  return x;
}

function outputsOf(r: OpResult): Tensor[] {
  if (r instanceof Tensor) return [r];
  if (Array.isArray(r)) return r;
  return [r.values, r.indices];
}

function runCase(c: GoldenCase): void {
  const op = OPS[c.op];
  assert.ok(op, `no glubina op mapped for '${c.op}'`);
  const leaves = c.inputs.map((i) => fromFixture(i.tensor, { requiresGrad: i.requiresGrad }));
  const xs = leaves.map((leaf, k) => applyPrep(leaf, c.inputs[k].prep));
  if (c.noncontig) assert.ok(xs.some((x) => !x.isContiguous()), 'expected a non-contiguous input');
  const outs = outputsOf(op(xs, c.args));

  assert.equal(outs.length, c.outputs.length, 'number of outputs');
  outs.forEach((o, i) => {
    assert.equal(o.dtype, c.outputs[i].dtype, `output ${i} dtype`);
    assertClose(o, c.outputs[i], FORWARD_TOL, `output ${i}`);
    assert.equal(o.requiresGrad, c.gradOutputs[i] !== null, `output ${i} requiresGrad`);
  });

  const upstream = c.gradOutputs.map((g, i) => (g === null ? null : { out: outs[i], g: fromFixture(g) }));
  const diff = upstream.filter((u) => u !== null);
  if (diff.length === 1) {
    diff[0].out.backward(diff[0].g);
  } else if (diff.length > 1) {
    // Several outputs (split, chunk): L = Σᵢ sum(outᵢ ⊙ gᵢ) sends exactly gᵢ back through outᵢ.
    diff.map(({ out, g }) => sum(mul(out, g))).reduce((p, q) => add(p, q)).backward();
  }

  leaves.forEach((leaf, k) => {
    const expected = c.grads[k];
    if (expected === null) {
      if (leaf.grad !== null) assert.ok(leaf.grad.dataSync().every((v) => v === 0), `input ${k}: PyTorch has no gradient, glubina a non-zero one`);
      return;
    }
    assert.ok(leaf.grad !== null, `input ${k}: no gradient`);
    assertClose(leaf.grad, expected, BACKWARD_TOL, `grad of input ${k}`);
  });
}

const fixture = loadFixture<{ cases: GoldenCase[] }>('core_ops');

test('the fixture covers every op of the runner table', () => {
  const used = new Set(fixture.cases.map((c) => c.op));
  assert.deepEqual(Object.keys(OPS).filter((k) => !used.has(k)), []);
  assert.ok(fixture.cases.length > 200);
});

const byOp = new Map<string, GoldenCase[]>();
for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
for (const [op, cases] of byOp) {
  describe(`golden ${op}`, () => {
    for (const c of cases) test(c.name, () => runCase(c));
  });
}
