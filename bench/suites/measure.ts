/**
 * Timing on a side: warm-up, then repeated timed runs, each run repeating the iteration long enough
 * for the timer; the runner reports the median. Slow iterations get fewer runs: at least 3 above
 * 1 s, exactly one above `Limits.singleRunAboveMs`, none (skipped) above `Limits.skipAboveMs`.
 * The same procedure is written out in scripts/bench/torch_bench.py for PyTorch.
 * @module
 */
import { readFileSync } from 'node:fs';
import { ITEMS } from './items.js';
import { emit, emitDone, emitReady, emitTime, errorNote, type Limits, type Report } from './protocol.js';
import { createInterface } from 'node:readline';

/** A measurement: the report without its item id, and how long one untimed iteration took (ms). */
export type Measurement = Omit<Report, 'item'> & { iterationMs: number };

/** Warm-up is judged by windows of iterations this long (ms)... */
const WARMUP_WINDOW_MS = 250;
/** ...and goes on after `Limits.warmupMs` while each window's median beats the best before it by this much. */
const WARMUP_GAIN = 0.03;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Times `fn` (one iteration of the work) under `limits`; see the module docs. */
export function measure(fn: () => void, limits: Limits): Measurement {
  const warm = warmUp(fn, limits);
  if (warm.status !== 'ok') return warm;
  const once = warm.iterationMs;
  const { reps, minRuns, maxRuns } = runPlan(once, limits);
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns) {
    times.push(timedRun(fn, reps));
    if (times.length >= minRuns && performance.now() - start > limits.budgetMs) break;
  }
  return { status: 'ok', times, iterationMs: once };
}

/**
 * The untimed part of {@link measure}: the first calls (an item over `skipAboveMs` is skipped), then
 * the warm-up. Returns how long one iteration took at the end, or the skip.
 */
export function warmUp(fn: () => void, limits: Limits): { status: 'ok'; iterationMs: number } | Measurement {
  const clock = (): number => performance.now();
  // The first call compiles, allocates and fills caches: it is never timed.
  let t0 = clock();
  fn();
  let once = clock() - t0;
  if (once > limits.skipAboveMs) return skipped(once, limits);
  if (once < 1000) {
    // A second warm-up call gives a steadier estimate of the iteration's cost.
    t0 = clock();
    fn();
    once = clock() - t0;
    if (once > limits.skipAboveMs) return skipped(once, limits);
  }
  // Warm up for at least `warmupMs`, then on while the iteration keeps getting faster (up to
  // `maxWarmupMs`). V8 optimises a function only after it has run a while, so timing right away
  // measured the compiler (batch-1 inference: 1.5 ms in the first runs, 0.2 ms once optimised),
  // and a training step, which calls hundreds of functions once each, ran 10–30% slower for its
  // first 2–3 s than from then on. Every side follows the same rule (torch_bench.py).
  if (once <= limits.singleRunAboveMs) {
    const warmStart = clock();
    let best = Infinity;
    for (;;) {
      const window: number[] = [];
      const windowStart = clock();
      while (clock() - windowStart < WARMUP_WINDOW_MS) {
        t0 = clock();
        fn();
        once = clock() - t0;
        window.push(once);
      }
      const typical = median(window);
      const improving = typical < best * (1 - WARMUP_GAIN);
      best = Math.min(best, typical);
      const elapsed = clock() - warmStart;
      if (elapsed >= limits.maxWarmupMs || (elapsed >= limits.warmupMs && !improving)) break;
    }
  }
  return { status: 'ok', iterationMs: once };
}

/**
 * The timed runs of an item whose iteration takes `iterationMs`: iterations per run (enough to last
 * `minRunMs`), and how many runs at least and at most (fewer for slow iterations).
 */
export function runPlan(iterationMs: number, limits: Limits): { reps: number; minRuns: number; maxRuns: number } {
  const single = iterationMs > limits.singleRunAboveMs;
  return {
    reps: Math.max(1, Math.ceil(limits.minRunMs / Math.max(iterationMs, 1e-3))),
    minRuns: single ? 1 : iterationMs > 1000 ? Math.min(3, limits.minRuns) : limits.minRuns,
    maxRuns: single ? 1 : limits.maxRuns,
  };
}

/** One timed run: `reps` iterations, in seconds per iteration. */
function timedRun(fn: () => void, reps: number): number {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) fn();
  return (performance.now() - t0) / reps / 1e3;
}

function skipped(ms: number, limits: Limits): Measurement {
  return { status: 'skipped', note: `one iteration took ${(ms / 1e3).toFixed(2)} s (cap ${(limits.skipAboveMs / 1e3).toFixed(1)} s)`, iterationMs: ms };
}

/**
 * The predicted duration of one iteration of `id` from the items already run (see
 * `Item.predictFrom`), in ms, with the item it came from; null when nothing predicts it.
 */
export function predictMs(id: string, iterationMs: ReadonlyMap<string, number>): { ms: number; from: string } | null {
  const item = ITEMS.find((i) => i.id === id);
  for (const p of item?.predictFrom ?? []) {
    const base = iterationMs.get(p.item);
    if (base !== undefined) return { ms: base * p.factor, from: p.item };
  }
  return null;
}

/**
 * A cheaper version of a benchmark's iteration (a smaller batch) whose time × `factor` predicts the
 * real one, so that an item far over the cap is skipped without paying for one full iteration.
 */
export interface Probe {
  run: () => void;
  factor: number;
  /** What the probe is, for the skip note (e.g. 'batch 2'). */
  label: string;
  teardown?: () => void;
}

/** A benchmark on a side: sets up its data and returns one iteration, what frees the data, and a probe. */
export type Bench = () => { run: () => void; teardown?: () => void; probe?: () => Probe };

/**
 * The predicted iteration time from a probe: its second call (the first warms up) × its factor, or
 * the first call's when that alone predicts thrice the cap (the verdict is the same; save the time).
 */
function probeMs(make: () => Probe, capMs: number): { ms: number; from: string } {
  const probe = make();
  try {
    let t0 = performance.now();
    probe.run();
    const first = (performance.now() - t0) * probe.factor;
    if (first > 3 * capMs) return { ms: first, from: probe.label };
    t0 = performance.now();
    probe.run();
    return { ms: (performance.now() - t0) * probe.factor, from: probe.label };
  } finally {
    probe.teardown?.();
  }
}

/**
 * Runs each requested item that `benches` has (others are left out: the runner shows them as not
 * run), emitting one report per item; a throw in setup or in an iteration becomes a 'fails' report.
 */
export function runBenches(items: readonly string[], benches: Readonly<Record<string, Bench>>, limits: Limits): void {
  const iterationMs = new Map<string, number>();
  for (const id of items) {
    const bench = benches[id];
    if (!bench) continue;
    const predicted = predictMs(id, iterationMs);
    if (predicted !== null && predicted.ms > limits.skipAboveMs) {
      const s = (ms: number): string => (ms / 1e3).toFixed(1);
      emit({ item: id, status: 'skipped', note: `about ${s(predicted.ms)} s per iteration, predicted from ${predicted.from} (cap ${s(limits.skipAboveMs)} s)` });
      iterationMs.set(id, predicted.ms);
      continue;
    }
    let teardown: (() => void) | undefined;
    try {
      const b = bench();
      teardown = b.teardown;
      const probed = b.probe ? probeMs(b.probe, limits.skipAboveMs) : null;
      if (probed !== null && probed.ms > limits.skipAboveMs) {
        const s = (ms: number): string => (ms / 1e3).toFixed(1);
        emit({ item: id, status: 'skipped', note: `about ${s(probed.ms)} s per iteration, predicted from ${probed.from} (cap ${s(limits.skipAboveMs)} s)` });
        iterationMs.set(id, probed.ms);
        continue;
      }
      const { iterationMs: ms, ...result } = measure(b.run, limits);
      iterationMs.set(id, ms);
      emit({ item: id, ...result });
    } catch (e) {
      emit({ item: id, status: 'fails', note: errorNote(e) });
    } finally {
      try {
        teardown?.();
      } catch {
        // freeing after a failure may fail too; the next item starts afresh
      }
    }
  }
}

/**
 * The `--serve` loop (see protocol.ts): answers `setup`, `run` and `teardown` commands from stdin for
 * the items `benches` has, until stdin closes. The runner sends one command at a time and waits.
 * With `unavailable` (why the framework could not start), every setup fails with that note.
 */
export async function serveBenches(benches: Readonly<Record<string, Bench>>, limits: Limits, unavailable?: string): Promise<void> {
  let current: { id: string; run: () => void; teardown?: () => void } | null = null;
  const finish = (): void => {
    try {
      current?.teardown?.();
    } catch {
      // freeing after a failure may fail too; the next item starts afresh
    }
    current = null;
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, arg = ''] = line.trim().split(/\s+/, 2);
    if (command === 'setup') {
      finish();
      const bench = benches[arg];
      if (unavailable !== undefined) {
        emit({ item: arg, status: 'fails', note: unavailable });
        continue;
      }
      if (!bench) {
        emit({ item: arg, status: 'fails', note: `no benchmark '${arg}' on this side` });
        continue;
      }
      try {
        const b = bench();
        current = { id: arg, run: b.run, teardown: b.teardown };
        const warm = warmUp(b.run, limits);
        if (warm.status === 'ok') emitReady(arg, warm.iterationMs);
        else {
          const { iterationMs: _ms, ...report } = warm;
          emit({ item: arg, ...report });
          finish();
        }
      } catch (e) {
        emit({ item: arg, status: 'fails', note: errorNote(e) });
        finish();
      }
    } else if (command === 'run') {
      if (current === null) {
        emit({ item: '', status: 'fails', note: 'run before a successful setup' });
        continue;
      }
      const { id, run } = current;
      try {
        run();
        emitTime(timedRun(run, Math.max(1, Number(arg) || 1)));
      } catch (e) {
        emit({ item: id, status: 'fails', note: errorNote(e) });
        finish();
      }
    } else if (command === 'teardown') {
      finish();
      emitDone();
    }
  }
  finish();
}

/**
 * Peak resident set size of this process in bytes: VmHWM from /proc/self/status where there is one,
 * else Node's `resourceUsage().maxRSS`.
 */
export function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Runs `step` (one LeNet-5 training step) `limits.rssSteps` times or until 4·budgetMs have passed,
 * and reports the process's peak RSS.
 */
export function reportTrainingRss(step: () => void, limits: Limits): void {
  try {
    const start = performance.now();
    let steps = 0;
    while (steps < limits.rssSteps && (steps < 2 || performance.now() - start < 4 * limits.budgetMs)) {
      step();
      steps++;
    }
    emit({ item: 'rss.lenet', status: 'ok', value: peakRss(), note: `after ${steps} training steps` });
  } catch (e) {
    emit({ item: 'rss.lenet', status: 'fails', note: errorNote(e) });
  }
}
