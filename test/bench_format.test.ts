/**
 * The benchmark's arithmetic and formatting (bench/suites/table.ts, items.ts, targets.ts,
 * protocol.ts): medians, units, ratios, cells, footnotes, tables, target checks. No timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemById, valueOf } from '../bench/suites/items.js';
import { parseLine, parseSideArgs, sideArgs, LIMITS } from '../bench/suites/protocol.js';
import { predictMs } from '../bench/suites/measure.js';
import {
  cellOf, formatCell, formatNumber, formatRatio, Footnotes, markdownTable, median, ratio, renderResults, type Results,
} from '../bench/suites/table.js';
import { checkTargets, formatTargets } from '../bench/suites/targets.js';
import { amdCore } from '../bench/suites/machine.js';

test('median: middle value, mean of the two middle values, order-independent', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), /median: no values/);
});

test('valueOf: units from the median seconds of one iteration', () => {
  // 2·1024³ FLOP in 0.05 s = 42.95 GFLOP/s
  assert.ok(Math.abs(valueOf(itemById('gemm.1024'), 0.05) - (2 * 1024 ** 3) / 0.05 / 1e9) < 1e-9);
  assert.equal(valueOf(itemById('lenet.train64'), 0.004), 16000);
  assert.equal(valueOf(itemById('lenet.infer1'), 0.000125), 0.125);
  // add moves 3 × 4e7 bytes: in 0.01 s that is 12 GB/s
  assert.ok(Math.abs(valueOf(itemById('ew.add'), 0.01) - 12) < 1e-9);
  assert.throws(() => valueOf(itemById('rss.lenet'), 1), /reported directly/);
  assert.throws(() => itemById('gemm.3'), /unknown item 'gemm.3'/);
});

test('cellOf: median of the runs, RSS in MiB, failures keep their note', () => {
  const gemm = cellOf(itemById('gemm.128'), { item: 'gemm.128', status: 'ok', times: [0.002, 0.001, 0.004] });
  assert.equal(gemm.status, 'ok');
  assert.equal(gemm.runs, 3);
  assert.ok(Math.abs((gemm.value as number) - (2 * 128 ** 3) / 0.002 / 1e9) < 1e-9);
  assert.deepEqual(cellOf(itemById('rss.lenet'), { item: 'rss.lenet', status: 'ok', value: 300 * 2 ** 20, note: '9 steps' }), { status: 'ok', value: 300, note: '9 steps' });
  assert.deepEqual(cellOf(itemById('conv.fwdbwd'), { item: 'conv.fwdbwd', status: 'fails', note: 'no kernel' }), { status: 'fails', note: 'no kernel' });
  assert.equal(cellOf(itemById('conv.fwd'), { item: 'conv.fwd', status: 'ok' }).status, 'fails');
});

test('formatNumber: grouping and decimals by magnitude', () => {
  assert.equal(formatNumber(17859.4), '17,859');
  assert.equal(formatNumber(257.4), '257');
  assert.equal(formatNumber(42.06), '42.1');
  assert.equal(formatNumber(3.14159), '3.14');
  assert.equal(formatNumber(0.1213), '0.121');
  assert.equal(formatNumber(0), '0');
});

test('ratio: rates divide, times and memory invert; missing or failed cells give none', () => {
  assert.equal(ratio({ status: 'ok', value: 60 }, { status: 'ok', value: 30 }, 'GFLOP/s'), 2);
  assert.equal(ratio({ status: 'ok', value: 0.1 }, { status: 'ok', value: 0.12 }, 'ms'), 1.2);
  assert.equal(ratio({ status: 'ok', value: 200 }, { status: 'ok', value: 250 }, 'MiB'), 1.25);
  assert.equal(ratio({ status: 'ok', value: 1 }, { status: 'fails' }, 'ms'), null);
  assert.equal(ratio(undefined, { status: 'ok', value: 1 }, 'ms'), null);
  assert.equal(formatRatio(1.234), '1.23×');
  assert.equal(formatRatio(25.94), '25.9×');
  assert.equal(formatRatio(0.5, ' (cpu)'), '0.50× (cpu)');
  assert.equal(formatRatio(null), '—');
});

test('formatCell: median with runs, statuses with shared footnotes, — when not run', () => {
  const notes = new Footnotes();
  assert.equal(formatCell({ status: 'ok', value: 42.06, runs: 5 }, 'g', notes), '42.1 (5)');
  assert.equal(formatCell({ status: 'ok', value: 257 }, 'g', notes), '257');
  assert.equal(formatCell({ status: 'ok', value: 34, runs: 5 }, 'g', notes, (ms) => 1000 / ms), '29.4 (5)');
  assert.equal(formatCell({ status: 'fails', note: 'no kernel' }, 'tfjs wasm', notes), 'fails [1]');
  assert.equal(formatCell({ status: 'skipped', note: 'too slow' }, 'glubina js', notes), 'skipped [2]');
  assert.equal(formatCell({ status: 'fails', note: 'no kernel' }, 'tfjs wasm', notes), 'fails [1]');
  assert.equal(formatCell({ status: 'absent' }, 'PyTorch 1t', notes), 'absent');
  assert.equal(formatCell(undefined, 'x', notes), '—');
  assert.equal(formatCell({ status: 'ok', value: 0.5, runs: 3, note: 'allocates' }, 'PyTorch 1t', notes), '0.500 (3) [3]');
  assert.deepEqual(notes.lines(), ['[1] tfjs wasm: no kernel', '[2] glubina js: too slow', '[3] PyTorch 1t: allocates']);
});

test('markdownTable: padded columns, right-aligned numbers', () => {
  const t = markdownTable(['work', 'value'], [['a', '1'], ['longer', '22.5']], [false, true]);
  assert.equal(t, ['| work   | value |', '|--------|------:|', '| a      |     1 |', '| longer |  22.5 |'].join('\n'));
});

test('renderResults: a table per section, GFLOP/s rows under conv, ratios vs PyTorch and tfjs', () => {
  const results: Results = new Map([
    ['gemm.1024', { g1: { status: 'ok', value: 50, runs: 5 }, g2: { status: 'ok', value: 95, runs: 5 }, tw: { status: 'ok', value: 25, runs: 5 }, p1: { status: 'ok', value: 100, runs: 5 }, p2: { status: 'ok', value: 190, runs: 5 } }],
    ['conv.fwdbwd', { g1: { status: 'ok', value: 150, runs: 3 }, tw: { status: 'fails', note: 'no Conv2DBackpropFilter' }, tc: { status: 'ok', value: 3000, runs: 3 }, p1: { status: 'absent', note: 'no torch' } }],
  ]);
  const md = renderResults([itemById('gemm.1024'), itemById('conv.fwdbwd')], results);
  assert.match(md, /### GEMM float32/);
  assert.match(md, /### Conv 3×3 64→64/);
  const gemmRow = md.split('\n').find((l) => l.startsWith('| n = 1024')) as string;
  const cells = gemmRow.split('|').map((c) => c.trim());
  // work, unit, 7 columns, 3 ratios
  assert.deepEqual(cells.slice(1, -1), ['n = 1024', 'GFLOP/s', '50.0 (5)', '95.0 (5)', '—', '25.0 (5)', '—', '100 (5)', '190 (5)', '0.50×', '0.50×', '2.00×']);
  const convRows = md.split('\n').filter((l) => l.startsWith('| forward + backward'));
  assert.equal(convRows.length, 2);
  assert.match(convRows[0], /\| ms /);
  // 3 × 2.416 GFLOP in 150 ms = 48.3 GFLOP/s; tfjs falls back to cpu (20× slower), marked
  assert.match(convRows[1], /\| GFLOP\/s .*48\.3 \(3\)/);
  assert.match(convRows[0], /20\.0× \(cpu\)/);
  assert.match(convRows[0], /fails \[1\]/);
  assert.match(md, /\[1\] tfjs wasm: no Conv2DBackpropFilter/);
  assert.match(md, /\[2\] PyTorch 1t: no torch/);
});

test('checkTargets: thresholds per target, relaxed raises the GEMM floor, unmeasurable is null', () => {
  const results: Results = new Map([
    ['gemm.1024', { g1: { status: 'ok', value: 45 }, g2: { status: 'ok', value: 85 }, tw: { status: 'ok', value: 30 } }],
    ['ew.add', { g1: { status: 'ok', value: 6 } }],
    ['ew.copyref', { g1: { status: 'ok', value: 10 } }],
  ]);
  const simd = checkTargets(results, 'simd');
  assert.equal(simd[0].met, true); // 45 ≥ 40
  assert.equal(checkTargets(results, 'relaxed')[0].met, false); // 45 < 50
  assert.equal(simd[1].met, true); // 85 / 45 = 1.89 ≥ 1.8
  assert.equal(simd[2].met, true); // 45 / 30 = 1.5 ≥ 1.5
  assert.equal(simd.find((c) => c.target.startsWith('LeNet-5 training, batch 64 ≥ 1.0× PyTorch, 1'))?.met, null);
  const add = simd.find((c) => c.target.startsWith('add'));
  assert.deepEqual([add?.measured, add?.met], ['60%', true]);
  assert.match(formatTargets(simd), /^- ✓ GEMM n=1024, 1 thread ≥ 40 GFLOP\/s/);
  assert.match(formatTargets(simd), /- · LeNet-5 training/);
});

test('checkTargets: 2-thread targets compare with PyTorch\'s faster run of the two', () => {
  const busy: Results = new Map([['lenet.train64', { g2: { status: 'ok', value: 3000 }, p1: { status: 'ok', value: 10000 }, p2: { status: 'ok', value: 200 } }]]);
  const quiet: Results = new Map([['lenet.train64', { g2: { status: 'ok', value: 3000 }, p1: { status: 'ok', value: 10000 }, p2: { status: 'ok', value: 15000 } }]]);
  const pick = (r: Results) => checkTargets(r, 'relaxed').find((c) => c.target.includes('PyTorch, 2 threads') && c.target.startsWith('LeNet'));
  assert.deepEqual(pick(busy), { target: 'LeNet-5 training, batch 64 ≥ 1.0× PyTorch, 2 threads', measured: '0.30× (vs PyTorch 1t, its faster run here)', met: false });
  assert.deepEqual(pick(quiet)?.measured, '0.20×');
});

test('protocol: report and meta lines round-trip, other lines are ignored', () => {
  assert.deepEqual(parseLine('BENCH {"item":"gemm.128","status":"ok","times":[0.1]}'), { kind: 'report', report: { item: 'gemm.128', status: 'ok', times: [0.1] } });
  assert.deepEqual(parseLine('META {"framework":"tfjs"}'), { kind: 'meta', meta: { framework: 'tfjs' } });
  assert.equal(parseLine('BENCH {broken').kind, 'other');
  assert.equal(parseLine('BENCH {"item":"x","status":"weird"}').kind, 'other');
  assert.equal(parseLine('Hi there 👋').kind, 'other');
  const args = parseSideArgs(sideArgs(['gemm.128', 'conv.fwd'], LIMITS.quick, { backend: 'wasm' }));
  assert.deepEqual(args.items, ['gemm.128', 'conv.fwd']);
  assert.deepEqual(args.limits, LIMITS.quick);
  assert.equal(args.options.get('backend'), 'wasm');
});

test('predictMs: GEMM cost scales as n³ from the nearest smaller size that ran', () => {
  assert.deepEqual(predictMs('gemm.1024', new Map([['gemm.256', 10], ['gemm.512', 100]])), { ms: 800, from: 'gemm.512' });
  assert.deepEqual(predictMs('gemm.1024', new Map([['gemm.256', 10]])), { ms: 640, from: 'gemm.256' });
  assert.equal(predictMs('gemm.128', new Map()), null);
  assert.deepEqual(predictMs('conv.fwdbwd', new Map([['conv.fwd', 2000]])), { ms: 6000, from: 'conv.fwd' });
});

test('the machine line names the AMD core generation the targets depend on', () => {
  assert.equal(amdCore(25, 0x01), 'Zen 3'); // EPYC 7xx3 (Milan), as /proc/cpuinfo shows it here
  assert.equal(amdCore(25, 0x11), 'Zen 4'); // EPYC 9xx4 (Genoa)
  assert.equal(amdCore(25, 0x21), 'Zen 3'); // Ryzen 5000 (Vermeer)
  assert.equal(amdCore(25, 0x61), 'Zen 4'); // Ryzen 7000 (Raphael)
  assert.equal(amdCore(23, 0x31), 'Zen 2');
  assert.equal(amdCore(6, 0x8f), null); // not AMD's numbering
});
