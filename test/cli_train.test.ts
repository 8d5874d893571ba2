import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { io } from '../src/index.js';
import { glubina, hasStackTrace, tmp } from './cli_helpers.js';

const SMALL = ['--model', 'mlp', '--limit', '600', '--batch-size', '50'];

test('train mnist writes weights, checkpoint, metrics.jsonl and curves.png; --resume continues bit for bit', () => {
  const a = tmp();
  const b = tmp();
  try {
    const outA = join(a.dir, 'run');
    const first = glubina(['train', 'mnist', ...SMALL, '--epochs', '1', '--out', outA]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /mlp \(235,146 parameters\), 1 epochs, batch 50, sgd lr 0\.05 momentum 0\.9, step schedule, seed 0/);
    assert.match(first.stdout, /data: 550 training \/ 50 validation \/ 600 test images/);
    assert.match(first.stdout, /epoch 1\/1 550\/550 \(100%\) \| loss \d\.\d{4} \| acc \d+\.\d\d% \| \d+(\.\d)? samples\/s \| took/);
    assert.match(first.stdout, /test accuracy \d+\.\d\d% \(600 test images\)/);
    assert.match(first.stdout, /wall time /);
    for (const f of ['model.safetensors', 'best.safetensors', 'checkpoint.safetensors', 'metrics.jsonl', 'curves.png']) {
      assert.ok(existsSync(join(outA, f)), `${f} written`);
    }
    assert.deepEqual([...readFileSync(join(outA, 'curves.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'curves.png is a PNG');
    const weights = io.loadSafetensors(join(outA, 'model.safetensors'));
    assert.deepEqual([...weights.tensors.keys()], ['1.weight', '1.bias', '3.weight', '3.bias', '5.weight', '5.bias']);
    assert.equal(JSON.parse(weights.metadata['glubina.mnist']).model, 'mlp');

    const resumed = glubina(['train', 'mnist', '--epochs', '2', '--resume', '--out', outA, '--no-plot']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /resuming after epoch 1 of 2/);
    assert.doesNotMatch(resumed.stdout, /epoch 1\/2/, 'epoch 1 is not run again');

    const outB = join(b.dir, 'run');
    const straight = glubina(['train', 'mnist', ...SMALL, '--epochs', '2', '--out', outB, '--no-plot']);
    assert.equal(straight.status, 0, straight.stderr);
    assert.ok(readFileSync(join(outA, 'model.safetensors')).equals(readFileSync(join(outB, 'model.safetensors'))), 'the final weights are identical, bit for bit');
    const ca = io.loadCheckpoint(join(outA, 'checkpoint.safetensors'));
    const cb = io.loadCheckpoint(join(outB, 'checkpoint.safetensors'));
    for (const [k, t] of cb.model) assert.deepEqual([...ca.model.get(k)!.dataSync()], [...t.dataSync()], k);
    assert.deepEqual(ca.rngState, cb.rngState);
    const lines = (dir: string): unknown[] => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
      const { seconds: _s, ...rest } = JSON.parse(l) as Record<string, number>;
      return rest;
    });
    assert.equal(lines(outA).length, 2);
    assert.deepEqual(lines(outA), lines(outB));
    // The test accuracy lines agree as well.
    const acc = (s: string): string | undefined => /test accuracy (\S+)/.exec(s)?.[1];
    assert.equal(acc(resumed.stdout), acc(straight.stdout));

    // A resumed run keeps its data and optimiser settings.
    const changed = glubina(['train', 'mnist', '--epochs', '3', '--resume', '--out', outA, '--batch-size', '32']);
    assert.equal(changed.status, 1);
    assert.match(changed.stderr, /^glubina train: cannot resume with a different batchSize \(32; the run used 50\): only --epochs may change\n$/);
  } finally {
    a.done();
    b.done();
  }
});

test('train: usage errors exit with 2, run errors with 1, each as one line without a stack trace', () => {
  const { dir, done } = tmp();
  try {
    const cases: [string[], number, RegExp][] = [
      [['train', 'mnist', '--model', 'transformer'], 2, /^glubina train: --model must be one of mlp, lenet, cnn, got 'transformer'\n$/],
      [['train', 'mnist', '--epochs', 'ten'], 2, /^glubina train: --epochs must be an integer ≥ 1, got 'ten'\n$/],
      [['train', 'mnist', '--lr', '0'], 2, /^glubina train: --lr must be positive, got 0\n$/],
      [['train', 'mnist', '--bogus'], 2, /^glubina train: Unknown option '--bogus' \(see 'glubina train --help'\)\n$/],
      [['train', 'cifar10'], 2, /^glubina train: unknown data set 'cifar10' \(known: mnist\)\n$/],
      [['train', 'mnist', '--resume', '--out', join(dir, 'empty')], 1, /^glubina train: cannot resume: no checkpoint at .*empty\/checkpoint\.safetensors \(train without --resume first\)\n$/],
      [['frobnicate'], 2, /^glubina: unknown command 'frobnicate'/],
    ];
    for (const [args, code, message] of cases) {
      const r = glubina(args);
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.ok(!hasStackTrace(r.stderr), `no stack trace for ${args.join(' ')}`);
    }
    const help = glubina(['train', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: glubina train mnist/);
    assert.match(help.stdout, /--resume\s+continue the run saved in --out/);
    const top = glubina(['--help']);
    assert.match(top.stdout, /train\s+train mnist --model mlp\|lenet\|cnn/);
  } finally {
    done();
  }
});
