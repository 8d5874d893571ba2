/**
 * Printing tensors exactly as PyTorch 1.13 does (torch/_tensor_str.py with the default print
 * options: precision 4, linewidth 80, threshold 1000, edgeitems 3): one width for every element,
 * integer-valued floats as `1.`, scientific notation when the range is wide, rows wrapped at 80
 * columns, tensors of more than 1000 elements summarised with `...`. Only the suffixes differ:
 * `dtype=glubina.int32`, `requiresGrad=true`, `gradFn=<MulBackward0>`.
 * @module
 */
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

const PRECISION = 4;
const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PREFIX = 'tensor(';

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return undefined;
}

/**
 * Python's rounding is half-to-even on the exact binary value; JavaScript's toFixed/toExponential
 * round exact ties away from zero. `rounded` is JS's result for |v|, `exact` a longer rendering
 * (exact for any tie); on a tie whose JS result ends in an odd digit, Python keeps the lower one.
 */
function halfEven(rounded: string, exact: string, digits: number): string {
  const [mant, exp] = exact.split('e');
  const point = mant.indexOf('.');
  const tail = mant.slice(point + 1 + digits);
  if (!/^50*$/.test(tail)) return rounded;
  const lastDigit = Number(rounded.split('e')[0].slice(-1));
  if (lastDigit % 2 === 0) return rounded;
  const truncated = digits === 0 ? mant.slice(0, point) : mant.slice(0, point + 1 + digits);
  return exp === undefined ? truncated : `${truncated}e${exp}`;
}

/** Python's `'{:.Nf}'.format(v)`. */
function pyFixed(v: number, digits: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const a = Math.abs(v);
  const body = halfEven(a.toFixed(digits), a.toFixed(Math.min(100, digits + 30)), digits);
  return v < 0 || Object.is(v, -0) ? `-${body}` : body;
}

/** Python's `'{:.Ne}'.format(v)`: at least two exponent digits. */
function pyExp(v: number, digits: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const a = Math.abs(v);
  const body = halfEven(a.toExponential(digits), a.toExponential(Math.min(100, digits + 30)), digits).replace(/e([+-])(\d)$/, 'e$10$2');
  return v < 0 || Object.is(v, -0) ? `-${body}` : body;
}

/** How every element of one tensor is printed: a function to a string, padded to `width`. */
interface Formatter {
  width: number;
  format(v: number): string;
}

/** PyTorch's `_Formatter`: the mode and width are chosen from the (summarised) values shown. */
function makeFormatter(dtype: DType, values: readonly number[]): Formatter {
  let width = 1;
  let toStr: (v: number) => string;
  if (dtype === 'bool' || dtype === 'int32') {
    toStr = dtype === 'bool' ? (v) => (v ? 'True' : 'False') : (v) => String(v);
    for (const v of values) width = Math.max(width, toStr(v).length);
  } else {
    const nonzero = values.filter((v) => Number.isFinite(v) && v !== 0);
    let intMode = true;
    let sci = false;
    if (nonzero.length > 0) {
      const abs = nonzero.map(Math.abs);
      const max = Math.max(...abs);
      const min = Math.min(...abs);
      intMode = nonzero.every((v) => Number.isInteger(v));
      // Wide ranges switch to scientific notation; fractional values also when tiny.
      sci = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
      for (const v of nonzero) {
        const len = sci ? pyExp(v, PRECISION).length : intMode ? pyFixed(v, 0).length + 1 : pyFixed(v, PRECISION).length;
        width = Math.max(width, len);
      }
    }
    if (sci) toStr = (v) => pyExp(v, PRECISION);
    else if (intMode) toStr = (v) => pyFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else toStr = (v) => pyFixed(v, PRECISION);
  }
  return { width, format: (v) => toStr(v).padStart(width) };
}

/** Index lists per dim: all indices, or the first and last EDGE_ITEMS with null for the gap. */
function shownIndices(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i);
  return [...head, null, ...tail];
}

/**
 * The bracketed body of a tensor's printout (what PyTorch's `_tensor_str(t, indent)` returns),
 * e.g. `[[1., 2.],\n        [3., 4.]]`; `indent` is the column where the body starts.
 */
export function formatTensorBody(t: Tensor, indent = PREFIX.length): string {
  const flat = t.dataSync();
  const shape = t.shape;
  if (flat.length === 0) return '[]';
  const summarize = flat.length > THRESHOLD;
  const strides: number[] = [];
  for (let d = shape.length - 1, acc = 1; d >= 0; acc *= shape[d], d--) strides[d] = acc;

  // The formatter sees only the values that will be printed, as PyTorch's get_summarized_data.
  const shown: number[] = [];
  const collect = (d: number, base: number): void => {
    if (d === shape.length) {
      shown.push(flat[base]);
      return;
    }
    for (const i of shownIndices(shape[d], summarize)) if (i !== null) collect(d + 1, base + i * strides[d]);
  };
  collect(0, 0);
  const fmt = makeFormatter(t.dtype, shown);

  const render = (d: number, base: number, ind: number): string => {
    const indices = shownIndices(shape[d], summarize);
    if (d === shape.length - 1) {
      const items = indices.map((i) => (i === null ? ' ...' : fmt.format(flat[base + i * strides[d]])));
      const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / (fmt.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(ind + 1))}]`;
    }
    const parts = indices.map((i) => (i === null ? '...' : render(d + 1, base + i * strides[d], ind + 1)));
    return `[${parts.join(',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(ind + 1))}]`;
  };
  return shape.length === 0 ? fmt.format(flat[0]) : render(0, 0, indent);
}

/** Appends `, suffix` items, moving one to its own line when it would pass column 80 (PyTorch's `_add_suffixes`). */
function addSuffixes(body: string, suffixes: readonly string[]): string {
  let out = body;
  // PyTorch's arithmetic, kept as is (it counts two columns more than the last line has).
  let lastLineLen = body.length - body.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLineLen + s.length + 2 > LINEWIDTH) {
      out += `,\n${' '.repeat(PREFIX.length)}${s}`;
      lastLineLen = PREFIX.length + s.length;
    } else {
      out += `, ${s}`;
      lastLineLen += s.length + 2;
    }
  }
  return `${out})`;
}

/** Formats a tensor as PyTorch prints it: `tensor([[1., 2.],\n        [3., 4.]], requiresGrad=true)`. */
export function formatTensor(t: Tensor): string {
  const suffixes: string[] = [];
  const empty = t.numel() === 0;
  if (empty && t.ndim !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
  // float32 is the default dtype; bool prints its values as True/False, so it needs no suffix unless empty.
  if (t.dtype !== 'float32' && (t.dtype !== 'bool' || empty)) suffixes.push(`dtype=glubina.${t.dtype}`);
  if (t.gradFn) suffixes.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requiresGrad=true');
  return addSuffixes(PREFIX + formatTensorBody(t), suffixes);
}
