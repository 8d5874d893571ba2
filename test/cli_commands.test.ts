import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { data, io, noGrad, randn, report, softmax, stack, tensor, train } from '../src/index.js';
import { trainMnist } from '../src/apps/mnist/train.js';
import { loadMnistModel } from '../src/apps/mnist/saved.js';
import { toMnistImage } from '../src/apps/mnist/preprocess.js';
import { glubina, hasStackTrace, tmp } from './cli_helpers.js';

let dir = '';
let done = (): void => {};
let weights = '';
let checkpoint = '';

before(async () => {
  ({ dir, done } = tmp());
  // A tiny trained model: the MLP, one epoch on 1,500 images.
  const r = await trainMnist({ model: 'mlp', overrides: { epochs: 1, limit: 1500 }, out: join(dir, 'run'), progress: false, plot: false });
  weights = r.files.weights;
  checkpoint = r.files.checkpoint;
});

after(() => done());

test('eval prints the test accuracy of a weights file and of a checkpoint, as evaluate() computes it', () => {
  const { model, config } = loadMnistModel(weights);
  const te = data.loadMnist('test', { limit: 300 });
  const x = new data.transforms.Normalize(config.mean, config.std).apply(te.images);
  const expected = train.evaluate(model, [[x, te.labels]]).metrics.acc;
  const pct = `${(100 * expected).toFixed(2)}%`;
  for (const file of [weights, checkpoint]) {
    const r = glubina(['eval', '--checkpoint', file, '--limit', '300']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^model: mlp \(235,146 parameters\), trained 1 epoch, from /);
    assert.ok(r.stdout.includes(`test accuracy ${pct} (300 images, ${Math.round((1 - expected) * 300)} errors)`), r.stdout);
    assert.match(r.stdout, /per digit: 0: \d+\.\d\d%  1: /);
  }
  // Test-time augmentation: one copy is the plain prediction; more copies add warped ones.
  const ttaRun = (n: number): string | undefined => /test-time augmentation \(\d+ copies\) (\S+)/.exec(glubina(['eval', '--checkpoint', weights, '--limit', '300', '--tta', String(n)]).stdout)?.[1];
  const three = ttaRun(3);
  assert.match(three ?? '', /^\d+\.\d\d%$/);
  assert.equal(ttaRun(3), three, 'seeded: the same warps every run');
});

test('predict converts any PNG to an MNIST digit and prints the prediction of the model', () => {
  const te = data.loadMnist('test', { limit: 1 });
  const digit = te.images.select(0, 0); // a 7, light on dark, 28×28
  const small = join(dir, 'seven.png');
  report.saveImage(digit, small);
  // The same digit as dark ink on white paper, three times larger.
  const inv = digit.mul(-1).add(1).dataSync();
  const big = new Float32Array(84 * 84);
  for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) big[y * 84 + x] = inv[Math.floor(y / 3) * 28 + Math.floor(x / 3)];
  const large = join(dir, 'seven_on_paper.png');
  report.saveImage(tensor(Array.from(big)).reshape([1, 84, 84]), large);

  const { model, config } = loadMnistModel(weights);
  const norm = new data.transforms.Normalize(config.mean, config.std);
  const expected = noGrad(() => softmax(model.call(norm.apply(stack([toMnistImage(report.readImage(small, { mode: 'L' }))], 0))), 1).dataSync());
  const r = glubina(['predict', '--checkpoint', weights, '--json', small, large]);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; digit: number; probabilities: number[] });
  assert.equal(out.length, 2);
  const argmax = [...expected].indexOf(Math.max(...expected));
  for (const p of out) {
    assert.equal(p.digit, argmax);
    p.probabilities.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-4, `${p.file}: probability ${i}: ${v} vs ${expected[i]}`));
    assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  }
  const text = glubina(['predict', '--checkpoint', weights, small]);
  assert.match(text.stdout, new RegExp(`seven\\.png: ${argmax} \\(\\d+\\.\\d\\d%\\)\\n  0: \\d+\\.\\d\\d%  1: `));
});

test('summary prints layers and parameter counts for the MNIST models and the zoo', () => {
  const cases: [string[], RegExp[]][] = [
    [['summary', '--model', 'lenet'], [/Model: LeNet5, input \[1, 1, 28, 28\]/, /features\.0 \(Conv2d\)\s+\[1, 6, 28, 28\]\s+156/, /Total params: 61,706/]],
    [['summary', '--model', 'mlp'], [/Total params: 235,146/]],
    [['summary', '--model', 'cnn'], [/\(BatchNorm2d\)\s+\[1, 32, 28, 28\]\s+64/, /\(Linear\)\s+\[1, 10\]\s+1,290/]],
    [['summary', '--model', 'resnet18', '--depth', '1'], [/input \[1, 3, 224, 224\]/, /fc \(Linear\)\s+\[1, 1000\]\s+513,000/, /Total params: 11,689,512/]],
  ];
  for (const [args, patterns] of cases) {
    const r = glubina(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    for (const p of patterns) assert.match(r.stdout, p, args.join(' '));
  }
  const bad = glubina(['summary', '--model', 'resnet9000']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^glubina summary: unknown model 'resnet9000'; known: mlp, lenet, cnn, lenet5, /);
});

test('missing, corrupt, truncated and foreign files give one clear error line and a non-zero exit', () => {
  const corrupt = join(dir, 'corrupt.safetensors');
  writeFileSync(corrupt, Buffer.from('this is not a safetensors file at all, just text'));
  const truncated = join(dir, 'truncated.safetensors');
  const bytes = readFileSync(weights);
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 1000));
  const foreign = join(dir, 'foreign.safetensors');
  io.saveSafetensors(foreign, { w: randn([2, 2]) });
  const wrongShape = join(dir, 'wrong.safetensors');
  const w = io.loadSafetensors(weights);
  const tensors = new Map(w.tensors);
  tensors.set('5.bias', randn([3]));
  io.saveSafetensors(wrongShape, tensors, w.metadata);
  const notPng = join(dir, 'digit.png');
  copyFileSync(corrupt, notPng);
  const blank = join(dir, 'blank.png');
  report.saveImage(tensor(new Array(400).fill(1)).reshape([1, 20, 20]), blank);
  const cases: [string[], number, RegExp][] = [
    [['eval', '--checkpoint', join(dir, 'missing.safetensors')], 1, /^glubina eval: .*missing\.safetensors: no such file\n$/],
    [['eval', '--checkpoint', corrupt], 1, /^glubina eval: .*corrupt\.safetensors.*header/],
    [['eval', '--checkpoint', truncated], 1, /^glubina eval: .*truncated\.safetensors.*(truncated|size|bytes|offset)/i],
    [['eval', '--checkpoint', foreign], 1, /^glubina eval: .*foreign\.safetensors: holds no MNIST model configuration/],
    [['eval', '--checkpoint', wrongShape], 1, /^glubina eval: .*wrong\.safetensors: the weights do not fit the 'mlp' model: loadStateDict: [\s\S]*size mismatch for 5\.bias: copying a param with shape \[3\]/],
    [['eval', '--checkpoint', dir], 1, /is a directory/],
    [['eval'], 2, /^glubina eval: give the model to evaluate: --checkpoint FILE/],
    [['predict', '--checkpoint', weights], 2, /^glubina predict: give at least one PNG image/],
    [['predict', '--checkpoint', weights, join(dir, 'nope.png')], 1, /^glubina predict: .*nope\.png: no such file\n$/],
    [['predict', '--checkpoint', weights, notPng], 1, /^glubina predict: readImage: .*digit\.png: not a readable PNG/],
    [['predict', '--checkpoint', weights, blank], 1, /^glubina predict: .*blank\.png: toMnistImage: the image \(20×20\) looks blank/],
    [['predict', '--checkpoint', corrupt, blank], 1, /^glubina predict: .*corrupt\.safetensors/],
  ];
  for (const [args, code, message] of cases) {
    const r = glubina(args);
    assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, `${args.join(' ')}: ${r.stderr}`);
    // One message: a single line, or a first line with indented details (several mismatched weights).
    assert.ok(r.stderr.trim().split('\n').slice(1).every((l) => l.startsWith('\t')), `one message: ${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), `no stack trace: ${r.stderr}`);
  }
  // A corrupt checkpoint in a run folder stops --resume with the same kind of message.
  const run = join(dir, 'broken-run');
  mkdirSync(run);
  copyFileSync(corrupt, join(run, 'checkpoint.safetensors'));
  const r = glubina(['train', 'mnist', '--out', run, '--resume']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^glubina train: .*broken-run\/checkpoint\.safetensors.*header/);
  assert.ok(!hasStackTrace(r.stderr));
});
