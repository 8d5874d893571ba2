/**
 * Training curves as PNG: a Vega-Lite spec, rendered to SVG by Vega (server-side, no canvas), then
 * to PNG by resvg (WebAssembly) with the DejaVu Sans font shipped by the `dejavu-fonts-ttf`
 * package, so plotting works offline and draws the same text on every machine.
 * The plotting libraries load on first use, so importing glubina stays fast.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../io/atomic.js';

/** One epoch's numbers, e.g. `{ epoch: 3, trainLoss: 0.1, valLoss: 0.12, trainAcc: 0.97, valAcc: 0.96 }`. */
export type EpochRecord = Readonly<Record<string, number | null | undefined>>;

/**
 * Training history: a list of epoch records, or series by name (`{ loss: [...], val_loss: [...] }`,
 * Keras's form; epochs count from 1).
 */
export type History = readonly EpochRecord[] | Readonly<Record<string, readonly (number | null)[]>>;

/** Options of {@link plotHistory}. */
export interface PlotOptions {
  /** Title above the charts. */
  title?: string;
  /** Width and height of each chart in CSS pixels (default 360×240). */
  width?: number;
  height?: number;
  /** Pixel density of the PNG (default 2). */
  zoom?: number;
}

const FONT = 'DejaVu Sans';

interface Renderer {
  toPng(svg: string, zoom: number): Uint8Array;
  toSvg(spec: TopLevelSpec): Promise<string>;
}

let renderer: Promise<Renderer> | null = null;

/** Loads vega, vega-lite and resvg once (the WebAssembly module can be initialised only once). */
function getRenderer(): Promise<Renderer> {
  renderer ??= (async (): Promise<Renderer> => {
    const require = createRequire(import.meta.url);
    const [vega, vl, resvg] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-wasm')]);
    await resvg.initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const font = readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
    return {
      async toSvg(spec: TopLevelSpec): Promise<string> {
        const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
        try {
          return await view.toSVG();
        } finally {
          view.finalize();
        }
      },
      toPng(svg: string, zoom: number): Uint8Array {
        const r = new resvg.Resvg(svg, {
          font: { fontBuffers: [font], defaultFontFamily: FONT, sansSerifFamily: FONT, loadSystemFonts: false },
          background: 'white',
          fitTo: { mode: 'zoom', value: zoom },
        });
        const img = r.render();
        const png = img.asPng();
        img.free();
        r.free();
        return png;
      },
    };
  })();
  return renderer;
}

/** Renders a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return (await getRenderer()).toSvg(spec);
}

/** Renders a Vega-Lite spec to PNG bytes (`zoom` pixels per CSS pixel, default 2). */
export async function renderPng(spec: TopLevelSpec, zoom = 2): Promise<Uint8Array> {
  const r = await getRenderer();
  return r.toPng(await r.toSvg(spec), zoom);
}

/** A row of the long-form table the charts draw from. */
interface Point {
  epoch: number;
  metric: 'loss' | 'accuracy';
  split: string;
  value: number;
}

/** 'loss' / 'accuracy' for a metric name, or null for other columns (epoch, lr, time…). */
function metricOf(key: string): 'loss' | 'accuracy' | null {
  if (/loss/i.test(key)) return 'loss';
  if (/acc/i.test(key)) return 'accuracy';
  return null;
}

/** The split a key names: `trainLoss`, `loss` → train; `valAcc`, `val_accuracy` → validation. */
function splitOf(key: string): string {
  const rest = key.replace(/[_\- ]?(loss|accuracy|acc)[_\- ]?/i, '').toLowerCase();
  if (rest === '' || rest === 'train' || rest === 'training') return 'train';
  if (rest === 'val' || rest === 'valid' || rest === 'validation') return 'validation';
  return rest;
}

/** The history as long-form points; exported for tests and custom charts. */
export function historyPoints(history: History): Point[] {
  const points: Point[] = [];
  const add = (epoch: number, key: string, v: number | null | undefined): void => {
    const metric = metricOf(key);
    if (metric && typeof v === 'number' && Number.isFinite(v)) points.push({ epoch, metric, split: splitOf(key), value: v });
  };
  if (Array.isArray(history)) {
    (history as readonly EpochRecord[]).forEach((rec, i) => {
      const epoch = typeof rec.epoch === 'number' ? rec.epoch : i + 1;
      for (const [k, v] of Object.entries(rec)) if (k !== 'epoch') add(epoch, k, v);
    });
  } else {
    for (const [k, series] of Object.entries(history as Record<string, readonly (number | null)[]>)) {
      if (!Array.isArray(series)) throw new Error(`plotHistory: series '${k}' must be an array of numbers`);
      series.forEach((v, i) => add(i + 1, k, v));
    }
  }
  return points;
}

/** The Vega-Lite spec of {@link plotHistory}: loss and accuracy side by side, one line per split. */
export function historySpec(history: History, options: PlotOptions = {}): TopLevelSpec {
  const points = historyPoints(history);
  const width = options.width ?? 360;
  const height = options.height ?? 240;
  const epochs = new Set(points.map((p) => p.epoch)).size;
  const chart = (metric: 'loss' | 'accuracy', title: string): Record<string, unknown> => ({
    title,
    width,
    height,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: epochs <= 50 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: null, sort: ['train', 'validation', 'test'] },
    },
  });
  const panels = (['loss', 'accuracy'] as const).filter((m) => points.some((p) => p.metric === m));
  if (panels.length === 0) throw new Error('plotHistory: the history has no loss or accuracy values to plot');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: { text: options.title, anchor: 'middle' } } : {}),
    data: { values: points },
    hconcat: panels.map((m) => chart(m, m === 'loss' ? 'Loss' : 'Accuracy')),
    config: { font: FONT, legend: { orient: 'bottom' } },
  } as unknown as TopLevelSpec;
}

/**
 * Writes a PNG with the loss curves (left) and accuracy curves (right) per epoch, one line per
 * split (train, validation, …). Keys with "loss" go left, keys with "acc" right.
 * @example
 * await report.plotHistory([{ epoch: 1, trainLoss: 0.3, valLoss: 0.2, trainAcc: 0.91, valAcc: 0.94 }, …], 'run/curves.png');
 */
export async function plotHistory(history: History, path: string, options: PlotOptions = {}): Promise<void> {
  const png = await renderPng(historySpec(history, options), options.zoom ?? 2);
  writeFileAtomic(path, png);
}
