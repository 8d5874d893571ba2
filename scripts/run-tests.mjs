#!/usr/bin/env node
/**
 * `npm test`: one spec, every backend. Runs the compiled test files (dist/test/*.test.js) with
 * node's test runner once per backend (GLUBINA_BACKEND=js, then wasm), except the files that test
 * one backend's machinery or no tensor code at all (ONCE below), which run once on the default
 * backend. Extra arguments filter the files by substring, e.g. `node scripts/run-tests.mjs ops_`.
 * Prints a closing `total: N passed, N failed` and exits non-zero when any run failed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testDir = join(root, 'dist', 'test');
/**
 * Prefixes of files run once: backend internals (they compare the backends themselves), data
 * loading, I/O and reports (no kernels), and end-to-end training runs (the machinery, not the
 * kernels; on the reference backend they take minutes).
 */
const ONCE = ['wasm_', 'data_', 'io_', 'report_', 'train_', 'cli_', 'models_'];

const filters = process.argv.slice(2);
const files = readdirSync(testDir)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
const once = files.filter((f) => ONCE.some((p) => f.startsWith(p)));
const every = files.filter((f) => !once.includes(f));

const runs = [
  ...['js', 'wasm'].map((backend) => ({ label: `backend ${backend}`, env: { GLUBINA_BACKEND: backend }, files: every })),
  { label: 'default backend', env: {}, files: once },
];

let passed = 0;
let failed = 0;
let anyFailed = false;
for (const run of runs) {
  if (run.files.length === 0) continue;
  console.log(`\n=== ${run.label}: ${run.files.length} files ===`);
  const res = spawnSync(
    process.execPath,
    ['--test', '--test-reporter=spec', ...run.files.map((f) => join(testDir, f))],
    { env: { ...process.env, ...run.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 },
  );
  process.stdout.write(res.stdout ?? '');
  const pass = /^ℹ pass (\d+)/m.exec(res.stdout ?? '');
  const fail = /^ℹ fail (\d+)/m.exec(res.stdout ?? '');
  passed += pass ? Number(pass[1]) : 0;
  failed += fail ? Number(fail[1]) : 0;
  if (res.status !== 0) anyFailed = true;
}
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
process.exit(anyFailed || failed > 0 ? 1 : 0);
