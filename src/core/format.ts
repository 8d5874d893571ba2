/**
 * Printing tensors the way PyTorch does (4 decimals, integer floats as `1.`, scientific when the
 * range is wide, long tensors summarised with `...`).
 * @module
 */
import type { Tensor } from './tensor.js';

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function floatFormatter(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  if (finite.length === 0) return (v) => special(v) ?? '0.';
  const allInts = values.every((v) => !Number.isFinite(v) || Number.isInteger(v));
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  if (allInts) {
    if (max > 1e8) return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
    return (v) => special(v) ?? `${v.toFixed(0)}.`;
  }
  if (max / min > 1000 || max > 1e8 || min < 1e-4) {
    return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return (v) => special(v) ?? v.toFixed(4);
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return undefined;
}

/** Formats a tensor as PyTorch prints it. */
export function formatTensor(t: Tensor): string {
  const flat = Array.from(t.dataSync());
  const dtype = t.dtype;
  const summarize = flat.length > SUMMARY_THRESHOLD;
  let fmt: (v: number) => string;
  if (dtype === 'bool') fmt = (v) => (v ? 'True' : 'False');
  else if (dtype === 'int32') fmt = (v) => String(v);
  else fmt = floatFormatter(flat);
  const width = Math.max(0, ...flat.map((v) => fmt(v).length));
  const pad = (v: number): string => fmt(v).padStart(width);

  const shape = t.shape;
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const indexList = (n: number): (number | null)[] =>
    summarize && n > 2 * EDGE_ITEMS
      ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
      : Array.from({ length: n }, (_, i) => i);
  const render = (d: number, base: number, indent: number): string => {
    if (d === shape.length) return pad(flat[base]);
    const parts = indexList(shape[d]).map((i) => (i === null ? '...' : render(d + 1, base + i * strides[d], indent + 1)));
    if (d === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? pad(flat[0]) : flat.length === 0 ? '[]' : render(0, 0, 'tensor('.length);
  const extras: string[] = [];
  if (dtype !== 'float32' && !(dtype === 'bool')) extras.push(`dtype=glubina.${dtype}`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
