/**
 * The benchmark's warm-up rule (bench/suites/measure.ts): untimed iterations go on past the minimum
 * warm-up while the iteration keeps getting faster, as V8's tier-up makes a training step faster
 * over its first seconds, so the timed runs see the steady state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measure } from '../bench/suites/measure.js';
import { LIMITS } from '../bench/suites/protocol.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: the iteration's cost
  }
}

test('measure: warm-up outlasts its minimum while iterations get faster, and times only the fast ones', () => {
  // 2 ms per call for the first 0.4 s, then 0.1 ms: a "compiler" that finishes after the 50 ms minimum.
  const start = performance.now();
  const fn = (): void => busy(performance.now() - start < 400 ? 2 : 0.1);
  const limits = { ...LIMITS.quick, warmupMs: 50, maxWarmupMs: 3000, budgetMs: 100, minRunMs: 5 };
  const m = measure(fn, limits);
  assert.equal(m.status, 'ok');
  assert.ok(m.times !== undefined && m.times.length >= limits.minRuns);
  // The timed runs are of the fast phase (seconds per iteration), the first one included (a slow-phase
  // run would average 2 ms; the margins leave room for a busy machine's preemptions).
  const shown = `timed runs ${m.times.map((t) => (t * 1e3).toFixed(2)).join(', ')} ms`;
  assert.ok(m.times[0] < 0.0015, shown);
  assert.ok([...m.times].sort((a, b) => a - b)[Math.floor(m.times.length / 2)] < 0.0005, shown);
});

test('measure: a steady iteration warms up about the minimum, not the maximum', () => {
  const limits = { ...LIMITS.quick, warmupMs: 100, maxWarmupMs: 5000, budgetMs: 100, minRunMs: 5 };
  const t0 = performance.now();
  measure(() => busy(0.2), limits);
  // Minimum warm-up, at most two 250 ms windows, the timed budget: far below maxWarmupMs.
  assert.ok(performance.now() - t0 < 2000, `took ${(performance.now() - t0).toFixed(0)} ms`);
});
