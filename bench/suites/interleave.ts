/**
 * Interleaved timing of one item on several served sides (see protocol.ts, `--serve`): every side
 * sets the item up and warms it in turn, then the sides take turns, one timed run each, the order
 * rotating every round, until each has its runs. On this shared machine a neighbour's slow spell
 * lasts tens of seconds and slows everything by 30–45%; measured one after the other, two columns
 * could land on different sides of one, and a ratio swung from 0.69 to 1.19 between rounds. Taking
 * turns every ~0.1–2 s puts such a spell into every column alike.
 * @module
 */
import type { ColumnId } from './items.js';
import { runPlan } from './measure.js';
import type { Limits, Line, Report } from './protocol.js';

/** A side that answers commands (a child process in `--serve` mode, or a stand-in in tests). */
export interface Served {
  readonly column: ColumnId;
  /**
   * Sends one command and resolves with the side's answer (a report, ready, time or done line);
   * rejects when the side exits or does not answer within `timeoutMs`.
   */
  request(command: string, timeoutMs: number): Promise<Line>;
}

/** What became of one side for one item. */
export interface SideResult {
  report: Report;
  /** The side stopped answering (it exited or timed out): send it nothing more. */
  lost: boolean;
}

interface Turn {
  side: Served;
  reps: number;
  minRuns: number;
  maxRuns: number;
  iterationMs: number;
  times: number[];
  note?: string;
}

/** Slack on top of the longest a command should take, for a loaded machine. */
const SLACK_MS = 30_000;

/**
 * Times `item` on `sides` with interleaved runs, each side with the limits `measure` uses on its own
 * (the same minimum and maximum runs); stops once every side has its minimum and the timed runs have
 * taken `budgetMs` per side. Resolves with each side's report.
 */
export async function interleaveItem(item: string, sides: readonly Served[], limits: Limits): Promise<Map<ColumnId, SideResult>> {
  const results = new Map<ColumnId, SideResult>();
  const turns: Turn[] = [];
  const fail = (side: Served, e: unknown): void => {
    results.set(side.column, { report: { item, status: 'fails', note: e instanceof Error ? e.message : String(e) }, lost: true });
  };
  // The warm-up of each side in turn: two could not share the cores.
  const setupMs = limits.maxWarmupMs + 3 * limits.skipAboveMs + SLACK_MS;
  for (const side of sides) {
    try {
      const answer = await side.request(`setup ${item}`, setupMs);
      if (answer.kind === 'ready') {
        turns.push({ side, iterationMs: answer.iterationMs, times: [], ...runPlan(answer.iterationMs, limits) });
      } else if (answer.kind === 'report') {
        results.set(side.column, { report: { ...answer.report, item }, lost: false });
      } else {
        fail(side, new Error(`unexpected answer '${answer.kind}' to setup`));
      }
    } catch (e) {
      fail(side, e);
    }
  }
  let timedMs = 0;
  for (let round = 0; ; round++) {
    const open = turns.filter((t) => !results.has(t.side.column) && t.times.length < t.maxRuns);
    if (open.length === 0) break;
    const ready = turns.filter((t) => !results.has(t.side.column));
    if (ready.every((t) => t.times.length >= t.minRuns) && timedMs >= limits.budgetMs * ready.length) break;
    for (let k = 0; k < open.length; k++) {
      const turn = open[(k + round) % open.length];
      const start = performance.now();
      try {
        const answer = await turn.side.request(`run ${turn.reps}`, (turn.reps + 1) * turn.iterationMs * 5 + SLACK_MS);
        if (answer.kind === 'time') turn.times.push(answer.seconds);
        else if (answer.kind === 'report') results.set(turn.side.column, { report: { ...answer.report, item }, lost: false });
        else fail(turn.side, new Error(`unexpected answer '${answer.kind}' to run`));
      } catch (e) {
        fail(turn.side, e);
      }
      timedMs += performance.now() - start;
    }
  }
  for (const turn of turns) {
    if (results.get(turn.side.column)?.lost) continue;
    try {
      const answer = await turn.side.request('teardown', SLACK_MS);
      if (answer.kind === 'done' && answer.note !== undefined) turn.note = answer.note;
    } catch (e) {
      fail(turn.side, e);
      continue;
    }
    if (!results.has(turn.side.column)) {
      const report: Report = { item, status: 'ok', times: turn.times };
      if (turn.note !== undefined) report.note = turn.note;
      results.set(turn.side.column, { report, lost: false });
    }
  }
  return results;
}
