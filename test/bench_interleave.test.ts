/**
 * The benchmark runner's interleaving (bench/suites/interleave.ts): every side warms up before any
 * timed run, then the sides take turns one run at a time with the order rotating, each gets its
 * runs, and a side that fails or stops answering does not stop the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interleaveItem, type Served } from '../bench/suites/interleave.js';
import type { ColumnId } from '../bench/suites/items.js';
import { LIMITS, type Line } from '../bench/suites/protocol.js';

/** A stand-in side: answers from `reply`, logging `column:command` into `log`. */
function fake(column: ColumnId, log: string[], reply: (command: string, runs: number) => Line | Error): Served {
  let runs = 0;
  return {
    column,
    request(command: string): Promise<Line> {
      log.push(`${column}:${command.split(' ')[0]}`);
      if (command.startsWith('run')) runs++;
      const answer = reply(command, runs);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

/** A side that works: ready after setup, `seconds` per run, an optional note at teardown. */
function steady(seconds: number, note?: string): (command: string) => Line {
  return (command) => {
    if (command.startsWith('setup')) return { kind: 'ready', item: 'gemm.128', iterationMs: 1 };
    if (command.startsWith('run')) return { kind: 'time', seconds };
    return note === undefined ? { kind: 'done' } : { kind: 'done', note };
  };
}

// No time budget: the runs stop as soon as every side has its minimum.
const limits = { ...LIMITS.quick, budgetMs: 0, minRuns: 3, maxRuns: 5 };

test('interleaveItem: all sides warm up first, then take turns with the order rotating', async () => {
  const log: string[] = [];
  const out = await interleaveItem('gemm.128', [fake('g1', log, steady(0.001)), fake('p1', log, steady(0.002, 'a note'))], limits);
  assert.deepEqual(log, [
    'g1:setup', 'p1:setup',
    'g1:run', 'p1:run', 'p1:run', 'g1:run', 'g1:run', 'p1:run',
    'g1:teardown', 'p1:teardown',
  ]);
  assert.deepEqual(out.get('g1'), { report: { item: 'gemm.128', status: 'ok', times: [0.001, 0.001, 0.001] }, lost: false });
  assert.deepEqual(out.get('p1'), { report: { item: 'gemm.128', status: 'ok', times: [0.002, 0.002, 0.002], note: 'a note' }, lost: false });
});

test('interleaveItem: a side that fails at setup or mid-way, or stops answering, leaves the others their runs', async () => {
  const log: string[] = [];
  const failsSetup = fake('tw', log, () => ({ kind: 'report', report: { item: 'gemm.128', status: 'fails', note: 'no kernel' } }));
  const failsSecondRun = fake('g2', log, (command, runs) => (command.startsWith('run') && runs === 2
    ? { kind: 'report', report: { item: 'gemm.128', status: 'fails', note: 'out of memory' } }
    : steady(0.003)(command)));
  const dies = fake('p2', log, (command) => (command.startsWith('run') ? new Error('the process exited with code 1') : steady(0.004)(command)));
  const out = await interleaveItem('gemm.128', [failsSetup, fake('g1', log, steady(0.001)), failsSecondRun, dies], limits);
  assert.deepEqual(out.get('tw'), { report: { item: 'gemm.128', status: 'fails', note: 'no kernel' }, lost: false });
  assert.deepEqual(out.get('g2'), { report: { item: 'gemm.128', status: 'fails', note: 'out of memory' }, lost: false });
  assert.deepEqual(out.get('p2'), { report: { item: 'gemm.128', status: 'fails', note: 'the process exited with code 1' }, lost: true });
  assert.deepEqual(out.get('g1')?.report.times, [0.001, 0.001, 0.001]);
  // Nothing more is sent to a side once it failed or was lost; the failed one is still torn down.
  assert.equal(log.filter((l) => l === 'tw:run').length, 0);
  assert.equal(log.filter((l) => l === 'g2:run').length, 2);
  assert.equal(log.filter((l) => l.startsWith('p2:')).length, 2);
  assert.ok(log.includes('g2:teardown'));
});

test('interleaveItem: an item over singleRunAboveMs gets one timed run per side', async () => {
  const log: string[] = [];
  const slow = fake('g1', log, (command) => (command.startsWith('setup')
    ? { kind: 'ready', item: 'gemm.2048', iterationMs: limits.singleRunAboveMs + 1 }
    : steady(2)(command)));
  const out = await interleaveItem('gemm.2048', [slow], limits);
  assert.deepEqual(out.get('g1')?.report.times, [2]);
});
