/**
 * How a side (a child process running one framework configuration) talks to the runner: one line
 * per result on stdout, `BENCH {json}`, and one `META {json}` line describing the side. Any other
 * output (banners, warnings) is ignored, so a side may print freely. Results stream as they come:
 * a side that crashes or times out still delivers what it finished.
 *
 * With `--serve` a side instead waits for commands on stdin, one per line, and answers each with
 * one line, so that the runner can interleave the timed runs of several sides (see interleave.ts):
 * - `setup <item>`: builds and warms up the item; `READY {item, iterationMs}`, or a `BENCH` report
 *   when it fails or is skipped;
 * - `run <reps>`: one untimed iteration (caches, sleeping threads), then `reps` timed ones;
 *   `TIME {seconds}` per iteration;
 * - `teardown`: frees the item; `DONE {note?}` (a note about the item, e.g. PyTorch's preallocated
 *   elementwise speed).
 * @module
 */

/** One item's outcome as a side reports it. */
export interface Report {
  item: string;
  /** ok: measured; fails: the framework threw; skipped: one iteration was over the cap. */
  status: 'ok' | 'fails' | 'skipped';
  /** Seconds per iteration, one entry per timed run (timed items). */
  times?: number[];
  /** The measured value for items reported directly (peak RSS in bytes). */
  value?: number;
  /** Why it failed or was skipped, or what was measured. */
  note?: string;
}

/** Facts about a side: versions, backend, threads. */
export type Meta = Record<string, string | number | boolean | null>;

export const REPORT_PREFIX = 'BENCH ';
export const META_PREFIX = 'META ';
export const READY_PREFIX = 'READY ';
export const TIME_PREFIX = 'TIME ';
export const DONE_PREFIX = 'DONE ';

/** Writes one result line. */
export function emit(report: Report): void {
  process.stdout.write(REPORT_PREFIX + JSON.stringify(report) + '\n');
}

/** Writes the side's meta line. */
export function emitMeta(meta: Meta): void {
  process.stdout.write(META_PREFIX + JSON.stringify(meta) + '\n');
}

/** Writes a served side's answer to `setup`: the item is warm; one iteration took `iterationMs`. */
export function emitReady(item: string, iterationMs: number): void {
  process.stdout.write(READY_PREFIX + JSON.stringify({ item, iterationMs }) + '\n');
}

/** Writes a served side's answer to `run`: seconds per timed iteration. */
export function emitTime(seconds: number): void {
  process.stdout.write(TIME_PREFIX + JSON.stringify({ seconds }) + '\n');
}

/** Writes a served side's answer to `teardown`, with an optional note about the item. */
export function emitDone(note?: string): void {
  process.stdout.write(DONE_PREFIX + JSON.stringify(note === undefined ? {} : { note }) + '\n');
}

/** A line of a side's output: a report, its meta, a served side's answer, or anything else (ignored). */
export type Line =
  | { kind: 'report'; report: Report }
  | { kind: 'meta'; meta: Meta }
  | { kind: 'ready'; item: string; iterationMs: number }
  | { kind: 'time'; seconds: number }
  | { kind: 'done'; note?: string }
  | { kind: 'other'; text: string };

/** Parses one line of a side's stdout; malformed protocol lines count as 'other'. */
export function parseLine(text: string): Line {
  try {
    if (text.startsWith(REPORT_PREFIX)) {
      const r = JSON.parse(text.slice(REPORT_PREFIX.length)) as Report;
      if (typeof r.item === 'string' && (r.status === 'ok' || r.status === 'fails' || r.status === 'skipped')) return { kind: 'report', report: r };
    } else if (text.startsWith(META_PREFIX)) {
      const m = JSON.parse(text.slice(META_PREFIX.length)) as unknown;
      if (m !== null && typeof m === 'object' && !Array.isArray(m)) return { kind: 'meta', meta: m as Meta };
    } else if (text.startsWith(READY_PREFIX)) {
      const r = JSON.parse(text.slice(READY_PREFIX.length)) as { item?: unknown; iterationMs?: unknown };
      if (typeof r.item === 'string' && typeof r.iterationMs === 'number') return { kind: 'ready', item: r.item, iterationMs: r.iterationMs };
    } else if (text.startsWith(TIME_PREFIX)) {
      const r = JSON.parse(text.slice(TIME_PREFIX.length)) as { seconds?: unknown };
      if (typeof r.seconds === 'number' && r.seconds >= 0) return { kind: 'time', seconds: r.seconds };
    } else if (text.startsWith(DONE_PREFIX)) {
      const r = JSON.parse(text.slice(DONE_PREFIX.length)) as { note?: unknown };
      if (r !== null && typeof r === 'object') return typeof r.note === 'string' ? { kind: 'done', note: r.note } : { kind: 'done' };
    }
  } catch {
    // not ours
  }
  return { kind: 'other', text };
}

/** Timing limits, the same on every side (the Python side receives them as arguments). */
export interface Limits {
  /** Time to spend on the timed runs of one item once the minimum runs are done, ms. */
  budgetMs: number;
  /** Timed runs, at least (3 when one iteration is over a second). */
  minRuns: number;
  /** Timed runs, at most. */
  maxRuns: number;
  /** An item one iteration of which takes (or is predicted to take) longer is skipped, ms. */
  skipAboveMs: number;
  /** An item one iteration of which takes longer gets a single timed run, ms. */
  singleRunAboveMs: number;
  /** Untimed iterations continue until they have taken this long (not for single-run items), ms... */
  warmupMs: number;
  /** ...and then while they keep getting faster (V8's tier-up), until they have taken this long, ms. */
  maxWarmupMs: number;
  /** Each timed run repeats the iteration until it lasts this long, ms (timer resolution, call noise). */
  minRunMs: number;
  /** Steps of the LeNet-5 training process whose peak RSS is read (fewer if `budgetMs`·4 runs out). */
  rssSteps: number;
}

/** Limits of a full run and of `--quick`. */
export const LIMITS: Record<'full' | 'quick', Limits> = {
  full: { budgetMs: 2000, warmupMs: 1000, maxWarmupMs: 8000, minRuns: 5, maxRuns: 15, skipAboveMs: 15000, singleRunAboveMs: 4000, minRunMs: 100, rssSteps: 100 },
  quick: { budgetMs: 500, warmupMs: 250, maxWarmupMs: 2000, minRuns: 3, maxRuns: 7, skipAboveMs: 1500, singleRunAboveMs: 1500, minRunMs: 40, rssSteps: 30 },
};

/** Arguments every side takes: `--items=a,b,c`, `--limits=<json>`, plus side-specific `--key=value`. */
export interface SideArgs {
  items: string[];
  limits: Limits;
  options: Map<string, string>;
}

/** Parses a side's command line (see {@link SideArgs}). */
export function parseSideArgs(argv: readonly string[]): SideArgs {
  const options = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`bench side: cannot parse argument '${a}' (expected --key=value)`);
    options.set(m[1], m[2] ?? 'true');
  }
  const items = (options.get('items') ?? '').split(',').filter((s) => s !== '');
  const limits = options.has('limits') ? (JSON.parse(options.get('limits') as string) as Limits) : LIMITS.full;
  return { items, limits, options };
}

/** The arguments that give a side `items` and `limits`. */
export function sideArgs(items: readonly string[], limits: Limits, extra: Record<string, string> = {}): string[] {
  return [`--items=${items.join(',')}`, `--limits=${JSON.stringify(limits)}`, ...Object.entries(extra).map(([k, v]) => `--${k}=${v}`)];
}

/** A short message of an error (first line), for 'fails' cells. */
export function errorNote(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 200);
}
