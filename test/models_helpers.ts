/**
 * Helpers of the model-zoo tests: the closed-form weights of scripts/fixtures/models.py (the same
 * numbers, bit for bit, computed in exact integer arithmetic), the fixture's types, and the
 * forward + backward test shared by models_train.test.ts and models_train_big.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copy_, dispose, fromTypedArray, functional as F, manualSeed, models, noGrad, randint, randn, tidy, type nn, type Tensor } from '../src/index.js';
import type { FixtureTensor } from './helpers.js';

/** FNV-1a 32-bit hash of the key's UTF-8 bytes. */
function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(key, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Affine map u ↦ scale·u + shift applied to the uniform numbers of a key (by its last component). */
function closedMap(key: string, shape: readonly number[]): [number, number] {
  const last = key.split('.').pop();
  if (last === 'weight' && shape.length >= 2) return [Math.sqrt(6 / shape.slice(1).reduce((x, y) => x * y, 1)), 0];
  if (last === 'weight') return [0.2, 1];
  if (last === 'bias' || last === 'running_mean') return [0.1, 0];
  if (last === 'running_var') return [0.25, 1.25];
  return [1, 0];
}

/** Period of the closed-form values (a prime). */
const PERIOD = 65521;

/**
 * The closed-form values of `key` with `shape` (see the fixture script's docs) and their [Σv, Σ|v|].
 * u = murmur3-finalised ((i mod 65521)·0x9E3779B1 + seed) mod 2³², mapped to [−1, 1);
 * v = float32(scale·u + shift), written in the Python script's order of operations.
 */
export function closedValueWithSums(key: string, shape: readonly number[]): [Tensor, [number, number]] {
  const n = shape.reduce((a, b) => a * b, 1);
  if (key.endsWith('num_batches_tracked')) return [fromTypedArray(new Int32Array(n), [...shape]), [0, 0]];
  const seed = fnv1a(key);
  const [scale, shift] = closedMap(key, shape);
  const isVar = key.endsWith('running_var');
  const out = new Float32Array(n);
  const m = Math.min(n, PERIOD);
  const prefix = new Float64Array(2 * m + 2); // running [Σv, Σ|v|] over the first period
  for (let i = 0; i < m; i++) {
    let h = (Math.imul(i, 0x9e3779b1) + seed) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    const u = ((h >>> 0) / 4294967296) * 2 - 1;
    const v = (out[i] = Math.fround(isVar ? 1 + 0.25 * (u + 1) : shift === 0 ? u * scale : shift + scale * u));
    prefix[2 * i + 2] = prefix[2 * i] + v;
    prefix[2 * i + 3] = prefix[2 * i + 1] + Math.abs(v);
  }
  for (let start = m; start < n; start += m) out.copyWithin(start, 0, Math.min(m, n - start));
  const full = Math.floor(n / m);
  const rest = n - full * m;
  const sums: [number, number] = [full * prefix[2 * m] + prefix[2 * rest], full * prefix[2 * m + 1] + prefix[2 * rest + 1]];
  return [fromTypedArray(out, [...shape]), sums];
}

/** The closed-form value of every element of `key` with `shape`. */
export function closedValue(key: string, shape: readonly number[]): Tensor {
  return closedValueWithSums(key, shape)[0];
}

/** Fills every entry of `model`'s state dict with its closed-form value in place, and returns each float tensor's [Σv, Σ|v|]. */
export function loadClosedForm(model: nn.AnyModule): Map<string, [number, number]> {
  const sums = new Map<string, [number, number]>();
  noGrad(() => {
    for (const [k, t] of model.stateDict({ keepVars: true })) {
      const [v, sum] = closedValueWithSums(k, t.shape);
      if (v.dtype === 'float32') sums.set(k, sum);
      copy_(t, v);
      v.dispose();
    }
  });
  return sums;
}

/** A closed-form output case of the fixture. */
export interface ClosedCase {
  name: string;
  options: Record<string, unknown>;
  inputShape: number[];
  output: FixtureTensor;
  sums: Record<string, [number, number]>;
}

/** Parameter count, number of state-dict entries and sha256 of "key:shape" lines, from torchvision. */
export interface CountEntry {
  params: number;
  stateKeys: number;
  keyHash: string;
}

/** The whole fixture file test/fixtures/models.json. */
export interface ModelsFixture {
  counts: Record<string, CountEntry>;
  keys: Record<string, [string, number[]][]>;
  closed: ClosedCase[];
  lrn: { size: number; alpha: number; beta: number; k: number; x: FixtureTensor; w: FixtureTensor; y: FixtureTensor; grad: FixtureTensor }[];
  lenet5: { file: string; keys: [string, number[]][]; input: FixtureTensor; output: FixtureTensor };
}

/** Splits a fixture name like `resnet18({"numClasses":10})` into the builder name and its options. */
export function parseSpec(spec: string): [string, Record<string, unknown>] {
  const m = /^(\w+)(?:\((.*)\))?$/.exec(spec);
  if (!m) throw new Error(`bad model spec ${spec}`);
  return [m[1], m[2] ? (JSON.parse(m[2]) as Record<string, unknown>) : {}];
}

/** Every builder with the options used here, the input side and channels (the biggest in models_train_big.test.ts). */
export const CASES: [string, number, number][] = [
  ['lenet5', 32, 1],
  ['lenet5({"inputSize":28,"activation":"relu","pooling":"max"})', 28, 1],
  ['alexnet({"numClasses":10,"hidden":64,"poolSize":1})', 64, 3],
  ['alexnet({"numClasses":10,"hidden":64,"poolSize":1,"twoTower":true})', 64, 3],
  ...(['vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn'].map((n): [string, number, number] => [`${n}({"numClasses":10,"hidden":64,"poolSize":1})`, 32, 3])),
  ['googlenet({"numClasses":10})', 32, 3],
  ['googlenet({"numClasses":10,"auxLogits":false,"transformInput":true})', 32, 3],
  ...(['resnet18', 'resnet34', 'resnet50'].map((n): [string, number, number] => [`${n}({"numClasses":10})`, 32, 3])),
  ...(['resnet20', 'resnet32', 'resnet44', 'resnet56', 'plainNet20', 'plainNet32', 'plainNet44', 'plainNet56'].map(
    (n): [string, number, number] => [n, 16, 3],
  )),
  ['resnet20({"shortcut":"B","inChannels":1,"width":8})', 28, 1],
];

/** The biggest models (run by models_train_big.test.ts). */
export const BIG_CASES: [string, number, number][] = [
  ...(['vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn'].map((n): [string, number, number] => [`${n}({"numClasses":10,"hidden":64,"poolSize":1})`, 32, 3])),
  ['resnet101({"numClasses":10})', 32, 3],
  ['resnet152({"numClasses":10})', 32, 3],
];

/** The main logits of a model's output. */
function logitsOf(out: Tensor | models.GoogLeNetOutputs): Tensor {
  return 'logits' in out ? out.logits : out;
}

/** Registers a forward + backward test per case (batch 2, training mode). */
export function forwardBackwardTests(cases: readonly [string, number, number][]): void {
  for (const [spec, size, channels] of cases) {
    test(`${spec} on [2,${channels},${size},${size}]`, () => {
      const [name, options] = parseSpec(spec);
      const m = models.skipInit(() => models.create(name, options));
      try {
        loadClosedForm(m);
        const numClasses = m.numClasses;
        // Gradients are read inside the tidy: it frees every tensor made in it, .grad included.
        tidy(() => {
          manualSeed(0);
          const out = m.call(randn(2, channels, size, size));
          const logits = logitsOf(out);
          assert.deepEqual(logits.shape, [2, numClasses]);
          const target = randint(0, numClasses, [2]);
          let loss = F.crossEntropy(logits, target);
          if ('aux1' in out) loss = loss.add(F.crossEntropy(out.aux1, target).add(F.crossEntropy(out.aux2, target)).mul(0.3));
          assert.ok(Number.isFinite(loss.item()), `loss ${loss.item()}`);
          loss.backward();
          let total = 0;
          for (const [k, p] of m.namedParameters()) {
            assert.ok(p.grad !== null, `${k} has no gradient`);
            const g2 = p.grad.mul(p.grad).sum().item();
            assert.ok(Number.isFinite(g2), `${k}: gradient is not finite`);
            total += g2;
          }
          assert.ok(total > 0, 'some gradient is non-zero');
          // The head's bias gradient is mean(softmax − one-hot) over the batch: its entries sum to 0.
          const head = m.namedParameters().filter(([k]) => k.endsWith('bias')).pop()![1];
          assert.ok(Math.abs(head.grad!.sum().item()) < 1e-6);
          m.zeroGrad();
        });
      } finally {
        dispose([...m.stateDict({ keepVars: true }).values()]);
      }
    });
  }
}

