/**
 * Training progress: a live bar (cli-progress) with loss, accuracy, samples/s and ETA in a
 * terminal, and plain log lines when the output is not a terminal (CI logs, files, pipes).
 * @module
 */
import cliProgress from 'cli-progress';

/** Where progress goes: `process.stdout` or anything that writes text. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Numbers shown next to the bar; `loss` and `accuracy` first, then the rest by name. */
export type ProgressStats = Readonly<Record<string, number | undefined>>;

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Units of work in the whole run of the bar, e.g. samples in an epoch. */
  total: number;
  /** Text before the bar, e.g. `epoch 3/10`. */
  label?: string;
  /** Name of the unit in the rate (default 'samples'). */
  unit?: string;
  /** Output stream (default `process.stdout`). */
  stream?: ProgressStream;
  /** Draw a live bar (default: `stream.isTTY`). */
  tty?: boolean;
  /** Seconds between plain log lines when not drawing a bar (default 10). */
  logInterval?: number;
  /** Milliseconds clock (default `Date.now`), for tests. */
  clock?: () => number;
}

/** `1:02:03`, `2:05` or `7s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

function formatStat(key: string, v: number): string {
  if (/acc/i.test(key) && v >= 0 && v <= 1) return `${key} ${(100 * v).toFixed(2)}%`;
  return `${key} ${Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4)}`;
}

/** `loss 0.1234 | accuracy 97.50%`, loss and accuracy first. */
export function formatStats(stats: ProgressStats): string {
  const order = (k: string): number => (/loss/i.test(k) ? 0 : /acc/i.test(k) ? 1 : 2);
  return Object.entries(stats)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .sort((a, b) => order(a[0]) - order(b[0]))
    .map(([k, v]) => formatStat(k, v))
    .join(' | ');
}

/**
 * A progress reporter for one pass (an epoch, an evaluation).
 * @example
 * const bar = new Progress({ total: 60000, label: 'epoch 1/10' });
 * bar.update(seen, { loss, accuracy });
 * bar.stop({ loss, accuracy }); // final line, with the elapsed time
 */
export class Progress {
  /** Units of work in the whole run of the bar, e.g. samples in an epoch. */
  readonly total: number;
  /** Text before the bar, e.g. `epoch 3/10` (default ''). */
  readonly label: string;
  /** Name of the unit in the rate (default 'samples'). */
  readonly unit: string;
  /** Whether a live bar is drawn; otherwise plain log lines are written. */
  readonly tty: boolean;
  #stream: ProgressStream;
  #bar: cliProgress.SingleBar | null = null;
  #clock: () => number;
  #start: number;
  #lastLog: number;
  #logInterval: number;
  #done = 0;
  #stats: ProgressStats = {};
  #stopped = false;

  constructor(options: ProgressOptions) {
    if (!(options.total >= 0) || !Number.isFinite(options.total)) throw new Error(`Progress: total must be a non-negative number, got ${options.total}`);
    this.total = options.total;
    this.label = options.label ?? '';
    this.unit = options.unit ?? 'samples';
    this.#stream = options.stream ?? process.stdout;
    this.tty = options.tty ?? this.#stream.isTTY === true;
    this.#clock = options.clock ?? Date.now;
    this.#start = this.#clock();
    this.#lastLog = this.#start;
    this.#logInterval = 1000 * (options.logInterval ?? 10);
    if (this.tty) {
      this.#bar = new cliProgress.SingleBar({
        format: `${this.label ? `${this.label} ` : ''}|{bar}| {value}/{total} {info}`,
        stream: this.#stream as NodeJS.WritableStream,
        barsize: 25,
        hideCursor: false,
        clearOnComplete: false,
        fps: 10,
      }, cliProgress.Presets.shades_classic);
      this.#bar.start(this.total, 0, { info: '' });
    }
  }

  /** Units per second so far. */
  get rate(): number {
    const secs = (this.#clock() - this.#start) / 1000;
    return secs > 0 ? this.#done / secs : 0;
  }

  /** Seconds since the start. */
  get elapsed(): number {
    return (this.#clock() - this.#start) / 1000;
  }

  /** The text after the counts: stats, rate and ETA (or elapsed time when finished). */
  #info(final: boolean): string {
    const rate = this.rate;
    const parts = [formatStats(this.#stats)];
    parts.push(`${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} ${this.unit}/s`);
    if (final) parts.push(`took ${formatDuration(this.elapsed)}`);
    else parts.push(`ETA ${rate > 0 ? formatDuration((this.total - this.#done) / rate) : '?'}`);
    return `| ${parts.filter((p) => p !== '').join(' | ')}`;
  }

  #line(final: boolean): string {
    const pct = this.total > 0 ? Math.floor((100 * this.#done) / this.total) : 100;
    return `${this.label ? `${this.label} ` : ''}${this.#done}/${this.total} (${pct}%) ${this.#info(final)}`;
  }

  /** Sets the work done so far and the latest stats (merged into the previous ones). */
  update(done: number, stats: ProgressStats = {}): void {
    if (this.#stopped) throw new Error('Progress.update: the bar was stopped');
    this.#done = Math.min(done, this.total);
    this.#stats = { ...this.#stats, ...stats };
    if (this.#bar) {
      this.#bar.update(this.#done, { info: this.#info(false) });
    } else if (this.#clock() - this.#lastLog >= this.#logInterval && this.#done < this.total) {
      this.#lastLog = this.#clock();
      this.#stream.write(`${this.#line(false)}\n`);
    }
  }

  /** Adds `n` units of work done. */
  increment(n: number, stats: ProgressStats = {}): void {
    this.update(this.#done + n, stats);
  }

  /** Finishes the bar with a final line (stats, rate, elapsed time) and returns that line. */
  stop(stats: ProgressStats = {}): string {
    if (this.#stopped) return this.#line(true);
    this.#stats = { ...this.#stats, ...stats };
    this.#stopped = true;
    const line = this.#line(true);
    if (this.#bar) {
      this.#bar.update(this.#done, { info: this.#info(true) });
      this.#bar.stop();
    } else {
      this.#stream.write(`${line}\n`);
    }
    return line;
  }
}
