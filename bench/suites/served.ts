/**
 * A side running in `--serve` mode as a child process: commands go to its stdin, answers come back
 * from its stdout one line each (see protocol.ts). The process lives for the whole benchmark run.
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Served } from './interleave.js';
import type { ColumnId } from './items.js';
import { parseLine, type Line, type Meta } from './protocol.js';

/** Why a side's process ended, with the last line of its stderr. */
export function exitNote(code: number | null, signal: string | null, stderr: string): string {
  const last = stderr.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? '';
  return `the process exited with ${code !== null ? `code ${code}` : `signal ${signal}`}${last ? `: ${last.trim().slice(0, 200)}` : ''}`;
}

/** The environment of a side: the runner's, plus `extra`, without the variables each side sets itself. */
export function sideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Each side chooses its backend and threads itself.
  delete env.GLUBINA_BACKEND;
  delete env.GLUBINA_NUM_THREADS;
  return env;
}

/** How to start a side. */
export interface SideCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A served side's child process. */
export class ServedProcess implements Served {
  /** Resolves with the side's META line, or null when it exits without one. */
  readonly meta: Promise<Meta | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private waiting: { resolve: (l: Line) => void; reject: (e: Error) => void } | null = null;
  private exitReason: string | null = null;
  private stderr = '';

  constructor(readonly column: ColumnId, side: SideCommand, onOther: (text: string) => void) {
    this.child = spawn(side.command, side.args, { cwd: side.cwd, env: side.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let gotMeta: (m: Meta | null) => void = () => undefined;
    this.meta = new Promise((resolve) => { gotMeta = resolve; });
    createInterface({ input: this.child.stdout }).on('line', (text) => {
      const line = parseLine(text);
      if (line.kind === 'meta') gotMeta(line.meta);
      else if (line.kind === 'other') onOther(line.text);
      else this.answer(line);
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    // Writing to a side that has just died must not take the runner down; 'close' reports it.
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (e) => this.lost(e.message));
    this.child.on('close', (code, signal) => {
      gotMeta(null);
      this.lost(exitNote(code, signal, this.stderr));
    });
  }

  /** Why the process has exited or been stopped, or null while it runs. */
  get stoppedBecause(): string | null {
    return this.exitReason;
  }

  request(command: string, timeoutMs: number): Promise<Line> {
    if (this.exitReason !== null) return Promise.reject(new Error(this.exitReason));
    if (this.waiting !== null) return Promise.reject(new Error(`'${command}' sent while a command is pending`));
    return new Promise<Line>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stop(`no answer to '${command}' within ${(timeoutMs / 1e3).toFixed(0)} s`);
      }, timeoutMs);
      this.waiting = {
        resolve: (l) => { clearTimeout(timer); resolve(l); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      this.child.stdin.write(`${command}\n`);
    });
  }

  /** Closes stdin (the side then exits) and waits for the process to end. */
  async close(): Promise<void> {
    if (this.exitReason !== null) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    await closed;
  }

  /** Kills the process, failing a pending command with `reason`. */
  stop(reason: string): void {
    this.lost(reason);
    this.child.kill('SIGKILL');
  }

  private answer(line: Line): void {
    const w = this.waiting;
    this.waiting = null;
    w?.resolve(line);
  }

  private lost(reason: string): void {
    this.exitReason ??= reason;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(new Error(this.exitReason));
  }
}
