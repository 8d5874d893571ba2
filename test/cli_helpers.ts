/**
 * Helpers of the CLI tests: running `node dist/src/cli/main.js …` and temporary folders.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers.js';

/** The compiled command line. */
export const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

/** What a CLI run printed and returned. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `glubina …args` in `cwd` (plain output: not a terminal). */
export function glubina(args: readonly string[], cwd = repoRoot): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GLUBINA_DEBUG: '' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary folder and its removal. */
export function tmp(prefix = 'glubina-cli-'): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts-friendly check that an error output is one message, without a stack trace. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+\(.*:\d+:\d+\)$/m.test(text) || /^\s+at file:/m.test(text);
}
