/**
 * `npm run bench`: glubina against TensorFlow.js and PyTorch on the same work, in one run.
 *
 * Each framework configuration (a column: glubina's wasm backend on 1 and 2 threads and its js
 * backend; tfjs's wasm backend, and its CPU backend for what wasm cannot do; PyTorch on 1 and 2
 * threads) runs in a child process of its own, so that they do not share a heap, a thread pool or
 * a crash, and a peak RSS can be read per framework. The compared columns (glubina wasm, tfjs wasm,
 * PyTorch) run side by side and take turns, one timed run each, item by item (suites/interleave.ts),
 * so that a slow spell of the shared machine falls on all of them; the slow columns (glubina js,
 * tfjs cpu) run afterwards, one process each. Every cell is the median of several timed runs after a
 * warm-up. Prints the tables and writes them to BENCHMARKS.md (overwritten each run).
 *
 * Options: `--quick` (a subset with shorter timing, under 2 minutes), `--only=gemm,ew` (items whose
 * id starts with one of these, from all items; BENCHMARKS.md is then left alone unless `--out` is given),
 * `--out=FILE`, `--python=PATH` (default /usr/bin/python3), `--verbose` (show the sides' other output),
 * `--rounds=N` (N passes of the compared columns over the items, their timed runs pooled).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { COLUMNS, ITEMS, itemById, type ColumnId, type Item } from './suites/items.js';
import { machineInfo, type MachineInfo } from './suites/machine.js';
import { LIMITS, parseLine, sideArgs, type Limits, type Meta, type Report } from './suites/protocol.js';
import { cellOf, formatCell, Footnotes, renderResults, type Cell, type Results } from './suites/table.js';
import { interleaveItem } from './suites/interleave.js';
import { exitNote, ServedProcess, sideEnv } from './suites/served.js';
import { checkTargets, formatTargets } from './suites/targets.js';

/** The repository root (this file runs from dist/bench/). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A child process that measures one column. */
interface Side {
  column: ColumnId;
  command: string;
  args: string[];
  env?: Record<string, string>;
  items: string[];
  timeoutMs: number;
}

/** What a side delivered. */
interface SideOutcome {
  reports: Report[];
  meta: Meta | null;
  /** Why the process could not run or ended badly, or null. */
  error: string | null;
  timedOut: boolean;
}

interface Options {
  quick: boolean;
  rounds: number;
  only: string[] | null;
  out: string | null;
  python: string;
  verbose: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { quick: false, rounds: 1, only: null, out: null, python: '/usr/bin/python3', verbose: false };
  for (const a of argv) {
    const [key, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, ''];
    if (key === '--quick') o.quick = true;
    else if (key === '--verbose') o.verbose = true;
    else if (key === '--only') o.only = value.split(',').filter((s) => s !== '');
    else if (key === '--out') o.out = value;
    else if (key === '--python') o.python = value;
    else if (key === '--rounds') {
      o.rounds = Number(value);
      if (!Number.isInteger(o.rounds) || o.rounds < 1 || o.rounds > 20) throw new Error(`bench: --rounds must be an integer from 1 to 20, got '${value}'`);
    } else throw new Error(`bench: unknown option '${a}' (known: --quick, --rounds=N, --only=gemm,conv,…, --out=FILE, --python=PATH, --verbose)`);
  }
  return o;
}

const label = (column: ColumnId): string => COLUMNS.find((c) => c.id === column)?.label ?? column;

/** Runs one side, forwarding progress to stderr; resolves when it exits or its time runs out. */
function runSide(side: Side, verbose: boolean, onReport: (r: Report) => void): Promise<SideOutcome> {
  return new Promise((resolve) => {
    const outcome: SideOutcome = { reports: [], meta: null, error: null, timedOut: false };
    const child = spawn(side.command, side.args, { cwd: ROOT, env: sideEnv(side.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => {
      outcome.timedOut = true;
      child.kill('SIGKILL');
    }, side.timeoutMs);
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = parseLine(text);
      if (line.kind === 'report') {
        outcome.reports.push(line.report);
        onReport(line.report);
      } else if (line.kind === 'meta') {
        outcome.meta = line.meta;
      } else if (line.kind === 'other' && verbose) {
        process.stderr.write(`    ${label(side.column)}| ${line.text}\n`);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      if (verbose) process.stderr.write(d);
    });
    child.on('error', (e) => {
      outcome.error = e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (outcome.error === null && !outcome.timedOut && code !== 0) outcome.error = exitNote(code, signal, stderr);
      resolve(outcome);
    });
  });
}

/** Timed reports of earlier rounds, by column and item, whose runs later rounds add to. */
const pooled = new Map<string, Report>();

/** Sets one cell of the results. */
function setCell(results: Results, id: string, column: ColumnId, cell: Cell): void {
  const row = results.get(id) ?? {};
  row[column] = cell;
  results.set(id, row);
}

/** Puts one report into the results, its timed runs pooled with earlier rounds of the same column. */
function recordReport(results: Results, column: ColumnId, r: Report): void {
  const key = `${column} ${r.item}`;
  const before = pooled.get(key);
  const merged = before?.status === 'ok' && r.status === 'ok' && before.times && r.times ? { ...r, times: [...before.times, ...r.times] } : r;
  if (merged.times) pooled.set(key, merged);
  setCell(results, r.item, column, cellOf(itemById(r.item), merged));
}

/**
 * Puts a side's outcome into the results: its reports, and timeout/fails cells for what it did not
 * deliver.
 */
function record(results: Results, side: Side, outcome: SideOutcome): void {
  const seen = new Set(outcome.reports.map((r) => r.item));
  for (const r of outcome.reports) recordReport(results, side.column, r);
  for (const id of side.items) {
    if (seen.has(id)) continue;
    if (outcome.timedOut) setCell(results, id, side.column, { status: 'timeout', note: `the process was stopped after ${side.timeoutMs / 1e3} s` });
    else if (outcome.error !== null) setCell(results, id, side.column, { status: 'fails', note: outcome.error });
  }
}

function progressLine(column: ColumnId, r: Report): string {
  const item = itemById(r.item);
  const notes = new Footnotes();
  const text = formatCell(cellOf(item, r), label(column), notes);
  const note = notes.texts.length > 0 ? ` — ${r.note}` : '';
  const unit = r.status === 'ok' ? ` ${item.unit}` : '';
  return `  ${label(column).padEnd(16)} ${item.section} · ${item.label}: ${text.replace(/ \[\d+\]$/, '')}${unit}${note}\n`;
}

/** Which BLAS PyTorch loaded; Debian's python3-torch falls back to the slow reference BLAS without OpenBLAS. */
function blasNote(libs: string): string {
  if (/openblas/i.test(libs)) return `OpenBLAS (${libs})`;
  return `${libs} — **not OpenBLAS**: PyTorch's GEMM-bound cells are far below its real speed (\`apt-get install libopenblas0-pthread\`)`;
}

/** Markdown describing the machine and the frameworks; `loads` holds the load average as each column started. */
function describe(info: MachineInfo, metas: Map<ColumnId, Meta>, torchNote: string | null, loadEnd: number, loads: Map<ColumnId, number>): string {
  const g = metas.get('g1') ?? metas.get('g2');
  const tw = metas.get('tw') ?? metas.get('tc');
  const p = metas.get('p1');
  const wasm = g && g.backend === 'wasm' ? `wasm backend, ${g.variant === 'relaxed' ? 'relaxed-SIMD' : 'SIMD128'} kernels (relaxed SIMD ${g.variant === 'relaxed' ? 'available' : 'not available'} in this Node)` : 'wasm backend did not load';
  return [
    `- CPU: ${info.cpu}${info.simdFlags.length ? ` (${info.simdFlags.join(', ')})` : ''}; \`nproc\` = ${info.nproc}; ${info.memoryGiB} GiB`,
    `- Node ${info.node}, ${info.platform}; 1-minute load average ${info.loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end; as each column started: ${[...loads].map(([c, l]) => `${label(c)} ${l.toFixed(1)}`).join(', ')}. The machine is shared: a load above ~1 means another process holds a core, which hurts the 2-thread columns most (a parallel region waits for its descheduled thread)`,
    `- glubina ${info.revision ?? '(not a git checkout)'}: ${wasm}`,
    `- TensorFlow.js ${tw?.version ?? '(did not run)'}: wasm backend (XNNPACK; one thread in Node), CPU backend for the items wasm has no kernels for`,
    `- PyTorch ${p?.torch ?? `absent${torchNote ? ` (${torchNote})` : ''}`}${p?.torch ? ` (Python ${p.python}; BLAS: ${blasNote(String(p.blas))}), \`torch.set_num_threads(1|2)\` with OPENBLAS_NUM_THREADS=1` : ''}`,
  ].join('\n');
}

function method(limits: Limits, quick: boolean, rounds: number): string {
  return [
    `Each configuration runs in its own child process. The compared columns (glubina wasm, tfjs wasm, PyTorch) run side by side and take turns: for each item, each warms up in turn, then they alternate one timed run at a time, the order rotating each round, so that a slow spell of this shared machine (tens of seconds, 30–45% slower) falls on every column alike${rounds > 1 ? `; ${rounds} passes over the items, their timed runs pooled, so a cell's count covers all passes` : ''}. glubina js and tfjs cpu run afterwards, one process each. Each cell: untimed warm-up iterations for ${limits.warmupMs / 1e3} s, then on while the iteration gets faster (each 250 ms window's median 3% below the best before it; V8 optimises a training step's hundreds of functions over its first 2–3 s), up to ${limits.maxWarmupMs / 1e3} s (one iteration when it takes over ${limits.singleRunAboveMs / 1e3} s), then timed runs, each repeating the iteration for at least ${limits.minRunMs} ms (in the compared columns after one untimed iteration, as the side has been idle); at least ${limits.minRuns} runs (3 when an iteration takes over 1 s${limits.singleRunAboveMs < limits.skipAboveMs ? `, 1 when over ${limits.singleRunAboveMs / 1e3} s` : ''}) and at most ${limits.maxRuns}, stopping after ${limits.budgetMs / 1e3} s of timed runs per column. **Cells show the median (number of timed runs).** An item one iteration of which takes over ${limits.skipAboveMs / 1e3} s is skipped, predicted from a smaller size (the previous GEMM, the convolution at batch 1) where possible.${quick ? ' This was a `--quick` run: a subset with shorter timing, without the glubina js and tfjs cpu columns.' : ''}`,
    '',
    '- "1t"/"2t": threads. tfjs runs one thread in Node. PyTorch\'s 2-thread run sets OPENBLAS_NUM_THREADS=1 (OpenBLAS\'s own threads fight PyTorch\'s).',
    '- Ratios: how many times better glubina is (> 1: glubina faster or smaller; rates divided, times and memory inverted). "vs PyTorch 1t": glubina wasm 1t ÷ PyTorch 1t; "vs PyTorch 2t": glubina wasm 2t ÷ PyTorch 2t; "vs tfjs": glubina wasm 1t ÷ tfjs wasm, or tfjs cpu where wasm fails (marked). The 2-thread targets compare with PyTorch\'s faster run of the two (its best configuration on 2 cores).',
    '- LeNet-5: the same network in each framework (glubina `models.lenet5({ inputSize: 28 })`: conv 5×5 1→6 pad 2, tanh, avg-pool, conv 6→16, tanh, avg-pool, conv 16→120, tanh, linear 120→84, tanh, linear 84→10) on random 28×28 inputs; training = forward + cross-entropy + backward + SGD (lr 0.01, momentum 0.9). MLP 784-1000-10 with ReLU, trained the same way.',
    '- Elementwise GB/s count bytes moved (add: two reads and a write of 4e7 bytes; relu and copies: a read and a write). The reference is `Float32Array.set` of 1e7 floats in Node.',
    '- Peak RSS: VmHWM of a fresh process that trains LeNet-5 (batch 64, 1 thread), including the runtime itself.',
  ].join('\n');
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const limits = opts.quick ? LIMITS.quick : LIMITS.full;
  const only = opts.only;
  // --only picks from every item; --quick alone picks its subset.
  const items: Item[] = ITEMS.filter((i) => (only === null ? !opts.quick || i.quick : only.some((p) => i.id.startsWith(p))));
  if (items.length === 0) throw new Error(`bench: --only=${only?.join(',')} matches no item (ids: ${ITEMS.map((i) => i.id).join(', ')})`);
  const timed = items.filter((i) => i.unit !== 'MiB').map((i) => i.id);
  const wantRss = items.some((i) => i.id === 'rss.lenet');
  const t0 = performance.now();
  const info = machineInfo(ROOT);
  const results: Results = new Map();
  const metas = new Map<ColumnId, Meta>();
  const loads = new Map<ColumnId, number>();
  const sideTimeout = (opts.quick ? 40 : 150) * 1e3;
  const rssTimeout = (opts.quick ? 30 : 90) * 1e3;
  const glubina = join(ROOT, 'dist', 'bench', 'suites', 'glubina.js');
  const tfjs = join(ROOT, 'dist', 'bench', 'peers', 'tfjs.js');
  const torch = join(ROOT, 'scripts', 'bench', 'torch_bench.py');
  const node = process.execPath;
  const without = (ids: string[], drop: string[]): string[] => ids.filter((id) => !drop.includes(id));

  console.error(`glubina bench${opts.quick ? ' --quick' : ''}: ${items.length} items, ${info.nproc} cores, load ${info.loadStart.toFixed(1)}`);
  const run = async (side: Side): Promise<SideOutcome> => {
    const start = performance.now();
    if (!loads.has(side.column)) loads.set(side.column, loadavg()[0]);
    const outcome = await runSide(side, opts.verbose, (r) => process.stderr.write(progressLine(side.column, r)));
    record(results, side, outcome);
    if (outcome.meta && !metas.has(side.column)) metas.set(side.column, outcome.meta);
    const s = ((performance.now() - start) / 1e3).toFixed(0);
    const why = outcome.timedOut ? ` (stopped after ${side.timeoutMs / 1e3} s)` : outcome.error ? ` (${outcome.error})` : '';
    console.error(`  ${label(side.column)}: done in ${s} s${why}`);
    return outcome;
  };
  const glubinaSide = (column: ColumnId, backend: string, threads: number, ids: string[], extra: Record<string, string> = {}): Side => ({
    column, command: node, args: [glubina, ...sideArgs(ids, limits, { backend, threads: String(threads), ...extra })], items: ids, timeoutMs: sideTimeout,
  });

  // PyTorch: absent when the interpreter is missing or cannot import torch.
  let torchNote: string | null = null;
  const torchItems = without(timed, ['ew.copyref']);
  const torchSide = (column: ColumnId, threads: number, ids: string[], extra: Record<string, string> = {}): Side => ({
    column, command: opts.python, args: [torch, ...sideArgs(ids, limits, { threads: String(threads), ...extra })], items: ids,
    env: { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) }, timeoutMs: sideTimeout,
  });
  const absent = (columns: ColumnId[], ids: string[], note: string): void => {
    for (const id of ids) for (const c of columns) results.set(id, { ...(results.get(id) ?? {}), [c]: { status: 'absent', note } });
  };
  const torchIds = [...torchItems, ...(wantRss ? ['rss.lenet'] : [])];
  let torchUsable = existsSync(opts.python);
  if (!torchUsable) {
    torchNote = `${opts.python} not found`;
    absent(['p1', 'p2'], torchIds, torchNote);
  }
  const tfItems = without(timed, ['ew.copyref', 'ew.clone']);
  // The compared columns run as served sides, all alive at once, taking turns run by run (see
  // suites/interleave.ts); each item's cells are then measured over the same minutes.
  const serve = (column: ColumnId, side: Side): { side: ServedProcess; items: Set<string> } => {
    loads.set(column, loadavg()[0]);
    const env = sideEnv(side.env);
    const onOther = (text: string): void => { if (opts.verbose) process.stderr.write(`    ${label(column)}| ${text}\n`); };
    return { side: new ServedProcess(column, { command: side.command, args: [...side.args, '--serve=true'], env, cwd: ROOT }, onOther), items: new Set(side.items) };
  };
  const served = timed.length === 0 ? [] : [
    serve('g1', glubinaSide('g1', 'wasm', 1, timed, { copyref: 'true' })),
    serve('g2', glubinaSide('g2', 'wasm', 2, without(timed, ['ew.copyref']))),
    serve('tw', { column: 'tw', command: node, args: [tfjs, ...sideArgs([], limits, { backend: 'wasm' })], items: tfItems, timeoutMs: sideTimeout }),
    ...(torchUsable ? [serve('p1', torchSide('p1', 1, torchItems)), serve('p2', torchSide('p2', 2, torchItems))] : []),
  ];
  for (const { side } of served) {
    const meta = await side.meta;
    if (meta !== null && !metas.has(side.column)) metas.set(side.column, meta);
    if (side.column === 'p1' && meta !== null && meta.torch === null) {
      torchNote = `no torch in ${opts.python}: ${String(meta.error)}`;
      absent(['p1', 'p2'], torchIds, torchNote);
      torchUsable = false;
    }
  }
  const inPlay = served.filter(({ side }) => torchUsable || (side.column !== 'p1' && side.column !== 'p2'));
  for (let round = 0; round < opts.rounds; round++) {
    if (opts.rounds > 1 && timed.length > 0) console.error(`round ${round + 1} of ${opts.rounds}`);
    for (const id of timed) {
      const sides = inPlay.filter((s) => s.items.has(id));
      for (const { side } of sides) {
        const why = side.stoppedBecause;
        if (why !== null) setCell(results, id, side.column, { status: 'fails', note: why });
      }
      const outcome = await interleaveItem(id, sides.filter((s) => s.side.stoppedBecause === null).map((s) => s.side), limits);
      for (const [column, { report, lost }] of outcome) {
        recordReport(results, column, report);
        process.stderr.write(progressLine(column, report));
        if (lost) served.find((s) => s.side.column === column)?.side.stop(report.note ?? 'stopped answering');
      }
    }
  }
  await Promise.all(served.map(({ side }) => side.close()));
  // The slow columns (glubina's reference backend, tfjs's CPU backend for what its wasm backend
  // cannot do) run once, one process each; --quick leaves them out.
  if (!opts.quick && timed.length > 0) {
    await run(glubinaSide('gjs', 'js', 1, without(timed, ['ew.copyref'])));
    const failed = tfItems.filter((id) => results.get(id)?.tw?.status === 'fails');
    if (failed.length > 0) {
      await run({ column: 'tc', command: node, args: [tfjs, ...sideArgs(failed, limits, { backend: 'cpu' })], items: failed, timeoutMs: sideTimeout });
    }
  }
  if (torchUsable && timed.length === 0) {
    // Only the memory item: ask PyTorch for its versions first, so a missing torch reads as absent.
    const probe = await run(torchSide('p1', 1, []));
    if (probe.meta && probe.meta.torch === null) {
      torchNote = `no torch in ${opts.python}: ${String(probe.meta.error)}`;
      absent(['p1', 'p2'], torchIds, torchNote);
      torchUsable = false;
    }
  }
  if (torchUsable && wantRss) await run({ ...torchSide('p1', 1, ['rss.lenet'], { rss: 'true' }), timeoutMs: rssTimeout });
  if (wantRss) {
    await run({ ...glubinaSide('g1', 'wasm', 1, ['rss.lenet'], { rss: 'true' }), timeoutMs: rssTimeout });
    await run({ column: 'tw', command: node, args: [tfjs, ...sideArgs(['rss.lenet'], limits, { backend: 'wasm', rss: 'true' })], items: ['rss.lenet'], timeoutMs: rssTimeout });
    if (results.get('rss.lenet')?.tw?.status === 'fails' && !opts.quick) {
      await run({ column: 'tc', command: node, args: [tfjs, ...sideArgs(['rss.lenet'], limits, { backend: 'cpu', rss: 'true' })], items: ['rss.lenet'], timeoutMs: rssTimeout });
    }
  }

  const loadEnd = loadavg()[0];
  const minutes = ((performance.now() - t0) / 60e3).toFixed(1);
  const variant = metas.get('g1')?.variant;
  const tables = renderResults(items, results);
  const targets = formatTargets(checkTargets(results, typeof variant === 'string' ? variant : null));
  const body = [
    '## Machine', describe(info, metas, torchNote, loadEnd, loads),
    '## Results', tables,
    '## Targets (issue 5)', `✓ met, ✗ not met, · not measurable in this run.\n\n${targets}`,
    '## Method', method(limits, opts.quick, opts.rounds),
  ].join('\n\n');
  console.log(`\n${body}\n\nTotal time: ${minutes} min.`);
  const out = opts.out ?? (only === null ? join(ROOT, 'BENCHMARKS.md') : null);
  if (out !== null) {
    const head = `# Benchmarks\n\nWritten by \`npm run bench${opts.quick || opts.rounds > 1 ? ` --${opts.quick ? ' --quick' : ''}${opts.rounds > 1 ? ` --rounds=${opts.rounds}` : ''}` : ''}\` on ${info.date} in ${minutes} min; each run overwrites this file. Medians of repeated runs; single runs on this shared machine can be 15–35% slow, so differences under ~5% are noise.`;
    writeFileSync(out, `${head}\n\n${body}\n`);
    console.error(`wrote ${relative(process.cwd(), out) || out}`);
  }
}

try {
  await main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
