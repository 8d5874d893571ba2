/**
 * From the sides' reports to the tables of BENCHMARKS.md: medians, units, ratios, footnotes and
 * aligned markdown. Pure functions (tested in test/bench_format.test.ts).
 * @module
 */
import { COLUMNS, higherIsBetter, valueOf, type ColumnId, type Item, type Unit } from './items.js';
import type { Report } from './protocol.js';

/** What a table cell holds. */
export interface Cell {
  /** absent: the framework is not installed; timeout: the side was stopped before this item. */
  status: 'ok' | 'fails' | 'skipped' | 'absent' | 'timeout';
  /** The median in the item's unit (status ok). */
  value?: number;
  /** Timed runs behind the median (timed items). */
  runs?: number;
  note?: string;
}

/** Every item's cells by column; a missing cell was not run. */
export type Results = Map<string, Partial<Record<ColumnId, Cell>>>;

/** The median: the middle value, or the mean of the two middle values. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median: no values');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The cell of a side's report: medians of timed items in the item's unit, RSS bytes in MiB. */
export function cellOf(item: Item, report: Report): Cell {
  if (report.status !== 'ok') return { status: report.status, note: report.note };
  const note = report.note ? { note: report.note } : {};
  if (report.times && report.times.length > 0) return { status: 'ok', value: valueOf(item, median(report.times)), runs: report.times.length, ...note };
  if (typeof report.value === 'number') return { status: 'ok', value: item.unit === 'MiB' ? report.value / 2 ** 20 : report.value, ...note };
  return { status: 'fails', note: 'the side reported no measurement' };
}

/**
 * A number for a table: thousands grouped above 1000, then fewer decimals as it grows
 * (3 significant digits below 100).
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(3);
}

/**
 * How many times better `mine` is than `theirs` in this unit (> 1: better): mine/theirs for rates,
 * theirs/mine for times and memory. Null unless both cells are ok.
 */
export function ratio(mine: Cell | undefined, theirs: Cell | undefined, unit: Unit): number | null {
  if (mine?.status !== 'ok' || theirs?.status !== 'ok' || mine.value === undefined || theirs.value === undefined) return null;
  if (mine.value <= 0 || theirs.value <= 0) return null;
  return higherIsBetter(unit) ? mine.value / theirs.value : theirs.value / mine.value;
}

/** A ratio as shown: two decimals and ×, or — when there is none. */
export function formatRatio(r: number | null, suffix = ''): string {
  return r === null ? '—' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×${suffix}`;
}

/** Numbered footnotes: the same text gets the same number. */
export class Footnotes {
  readonly texts: string[] = [];

  /** The number of `text`, added if new. */
  ref(text: string): number {
    let i = this.texts.indexOf(text);
    if (i < 0) i = this.texts.push(text) - 1;
    return i + 1;
  }

  /** `[n] text` lines. */
  lines(): string[] {
    return this.texts.map((t, i) => `[${i + 1}] ${t}`);
  }
}

/**
 * A cell as shown: `median (runs)` when measured, else its status; a note becomes a footnote
 * reference (the footnote names the column); — when not run. `convert` maps the value (e.g. ms → GFLOP/s).
 */
export function formatCell(cell: Cell | undefined, columnLabel: string, notes: Footnotes, convert: (v: number) => number = (v) => v): string {
  if (cell === undefined) return '—';
  if (cell.status === 'ok' && cell.value !== undefined) {
    const v = formatNumber(convert(cell.value));
    const text = cell.runs === undefined ? v : `${v} (${cell.runs})`;
    return cell.note ? `${text} [${notes.ref(`${columnLabel}: ${cell.note}`)}]` : text;
  }
  return cell.note ? `${cell.status} [${notes.ref(`${columnLabel}: ${cell.note}`)}]` : cell.status;
}

/** A markdown table with columns padded to a common width; `right` marks right-aligned columns. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[] = []): string {
  const width = header.map((h, c) => Math.max(3, h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((x, c) => (right[c] ? x.padStart(width[c]) : x.padEnd(width[c]))).join(' | ')} |`;
  const rule = `|${width.map((w, c) => (right[c] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map((r) => line(header.map((_, c) => r[c] ?? '')))].join('\n');
}

/** The tfjs cell a ratio compares with: wasm where it ran, else the CPU backend's (flagged). */
export function tfjsReference(cells: Partial<Record<ColumnId, Cell>>): { cell: Cell | undefined; suffix: string } {
  if (cells.tw?.status === 'ok') return { cell: cells.tw, suffix: '' };
  if (cells.tc?.status === 'ok') return { cell: cells.tc, suffix: ' (cpu)' };
  return { cell: undefined, suffix: '' };
}

/**
 * One markdown table per section: a row per item (and a GFLOP/s row under timed items that count
 * FLOP), a column per framework configuration, then the ratios — glubina wasm 1 thread vs PyTorch 1
 * thread, 2 threads vs PyTorch 2 threads, 1 thread vs tfjs (one thread in Node) — and the footnotes.
 */
export function renderResults(items: readonly Item[], results: Results): string {
  const notes = new Footnotes();
  const header = ['work', 'unit', ...COLUMNS.map((c) => c.label), 'vs PyTorch 1t', 'vs PyTorch 2t', 'vs tfjs'];
  const right = header.map((_, i) => i >= 2);
  const out: string[] = [];
  const sections = [...new Set(items.map((i) => i.section))];
  for (const section of sections) {
    const rows: string[][] = [];
    for (const item of items.filter((i) => i.section === section)) {
      const cells = results.get(item.id) ?? {};
      const tf = tfjsReference(cells);
      const ratios = [
        formatRatio(ratio(cells.g1, cells.p1, item.unit)),
        formatRatio(ratio(cells.g2, cells.p2, item.unit)),
        formatRatio(ratio(cells.g1, tf.cell, item.unit), tf.suffix),
      ];
      rows.push([item.label, item.unit, ...COLUMNS.map((c) => formatCell(cells[c.id], c.label, notes)), ...ratios]);
      if (item.flop !== undefined) {
        const gflops = (ms: number): number => (item.flop as number) / (ms / 1e3) / 1e9;
        rows.push([`${item.label}`, 'GFLOP/s', ...COLUMNS.map((c) => formatCell(cells[c.id], c.label, notes, gflops)), ...ratios]);
      }
    }
    out.push(`### ${section}\n\n${markdownTable(header, rows, right)}`);
  }
  const foot = notes.lines();
  if (foot.length > 0) out.push(foot.join('  \n'));
  return out.join('\n\n');
}
