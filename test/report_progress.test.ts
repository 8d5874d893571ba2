import { test } from 'node:test';
import assert from 'node:assert/strict';
import { report } from '../src/index.js';

function sink(isTTY: boolean): { stream: { write(s: string): boolean; isTTY: boolean; columns: number }; text: () => string } {
  let out = '';
  return { stream: { write: (s: string) => { out += s; return true; }, isTTY, columns: 160 }, text: () => out };
}

test('formatDuration and formatStats', () => {
  assert.equal(report.formatDuration(7.4), '7s');
  assert.equal(report.formatDuration(125), '2:05');
  assert.equal(report.formatDuration(3723), '1:02:03');
  assert.equal(report.formatDuration(NaN), '?');
  assert.equal(report.formatStats({ accuracy: 0.975, lr: 0.001, loss: 0.12345 }), 'loss 0.1235 | accuracy 97.50% | lr 0.0010');
});

test('plain log lines when not a terminal: throttled, then a final line with rate and time', () => {
  const { stream, text } = sink(false);
  let now = 0;
  const bar = new report.Progress({ total: 1000, label: 'epoch 1/3', stream, logInterval: 10, clock: () => now });
  now = 5000;
  bar.update(200, { loss: 0.5, accuracy: 0.8 });
  assert.equal(text(), '', 'nothing before the log interval');
  now = 10000;
  bar.update(400, { loss: 0.4 });
  // 400 samples in 10 s → 40/s; 600 left → 15 s.
  assert.equal(text(), 'epoch 1/3 400/1000 (40%) | loss 0.4000 | accuracy 80.00% | 40.0 samples/s | ETA 15s\n');
  now = 25000;
  const line = bar.stop({ loss: 0.3, accuracy: 0.9 });
  assert.equal(line, 'epoch 1/3 400/1000 (40%) | loss 0.3000 | accuracy 90.00% | 16.0 samples/s | took 25s');
  assert.ok(text().endsWith(`${line}\n`));
  assert.throws(() => bar.update(500), /the bar was stopped/);
});

test('a live bar in a terminal', () => {
  const { stream, text } = sink(true);
  let now = 0;
  const bar = new report.Progress({ total: 100, label: 'train', stream, clock: () => now });
  now = 1000;
  bar.increment(50, { loss: 1.25 });
  bar.stop();
  const out = text();
  assert.match(out, /train \|[█░]+\| 50\/100 \| loss 1\.2500 \| 50\.0 samples\/s \| took 1s/);
});
