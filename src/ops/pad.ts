/**
 * Padding, like `torch.nn.functional.pad`: constant (negative amounts crop), reflect, replicate
 * and circular. Constant padding concatenates filled blocks; the other modes pick input indices
 * (indexSelect), so gradients come from cat/narrow/indexSelect and overlapping picks add up.
 * @module
 */
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkTensor } from './helpers.js';
import { indexSelect } from './indexing.js';
import { cat } from './join.js';
import { fullOn, indexTensor } from './spatial.js';
import { clone, narrow } from './view.js';

/** How {@link pad} fills the border. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

function constantPad(x: Tensor, pads: readonly number[], value: number): Tensor {
  let y = x;
  for (let k = 0; k < pads.length / 2; k++) {
    const dim = x.ndim - 1 - k;
    const [l, r] = [pads[2 * k], pads[2 * k + 1]];
    const size = y.shape[dim];
    const keep = size - Math.max(-l, 0) - Math.max(-r, 0);
    if (size + l + r < 0 || keep < 0) {
      throw new Error(`pad: padding (${l}, ${r}) of dim ${dim} (size ${size}) of input ${fmtShape(x.shape)} gives a negative size`);
    }
    if (l < 0 || r < 0) y = narrow(y, dim, Math.max(-l, 0), keep);
    const block = (n: number): Tensor => fullOn(y, y.shape.map((s, d) => (d === dim ? n : s)), value);
    const parts = [...(l > 0 ? [block(l)] : []), y, ...(r > 0 ? [block(r)] : [])];
    if (parts.length > 1) y = cat(parts, dim);
  }
  // Like PyTorch, the result never shares memory with the input.
  return y.storage === x.storage ? clone(y) : y;
}

/** Source index of each output position along one dim (before = l, after = r, input size n). */
function sourceIndices(mode: Exclude<PadMode, 'constant'>, x: Tensor, dim: number, l: number, r: number): number[] {
  const n = x.shape[dim];
  const where = `dim ${dim} of input ${fmtShape(x.shape)}`;
  const out = n + l + r;
  if (n < 1 || out < 1) throw new Error(`pad: ${mode} padding (${l}, ${r}) of ${where} leaves no elements`);
  if (mode === 'reflect') {
    if (l >= n || r >= n) throw new Error(`pad: reflect padding (${l}, ${r}) must be smaller than the size ${n} of ${where}`);
    return Array.from({ length: out }, (_, j) => {
      const i = j - l;
      return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    });
  }
  if (mode === 'replicate') return Array.from({ length: out }, (_, j) => Math.min(Math.max(j - l, 0), n - 1));
  // Circular, as PyTorch 1.13: crop negative amounts first, then wrap within what is left.
  const start = Math.max(-l, 0);
  const m = n - start - Math.max(-r, 0);
  const [lp, rp] = [Math.max(l, 0), Math.max(r, 0)];
  if (lp > m || rp > m) throw new Error(`pad: circular padding (${l}, ${r}) wraps around more than once (size ${m} of ${where})`);
  return Array.from({ length: m + lp + rp }, (_, j) => start + ((((j - lp) % m) + m) % m));
}

/**
 * Pads (or crops) the last dims, like `torch.nn.functional.pad`. `pad` lists amounts from the last
 * dim backwards: [left, right] pads the last dim, [left, right, top, bottom] the last two, and so on.
 * - 'constant': fills with `value`; negative amounts crop.
 * - 'reflect': mirrors without repeating the edge (amounts < the dim's size).
 * - 'replicate': repeats the edge value.
 * - 'circular': wraps around (amounts ≤ the dim's size).
 * Non-constant modes pad the last 1–3 dims of an input with one or two more dims ([C, …] or [N, C, …];
 * circular needs the batched form), as in PyTorch 1.13.
 * @example pad(x, [1, 1, 2, 0], 'reflect') // W + 2, H + 2
 */
export function pad(input: Tensor, pad: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  const x = checkTensor('pad', 'input', input);
  if (!MODES.includes(mode)) throw new Error(`pad: unknown mode '${mode as string}', expected one of ${MODES.join(', ')}`);
  if (pad.length % 2 !== 0 || pad.some((p) => !Number.isInteger(p))) {
    throw new Error(`pad: padding must be integer [before, after] pairs from the last dim backwards, got ${fmtShape(pad)}`);
  }
  const n = pad.length / 2;
  if (n > x.ndim) throw new Error(`pad: padding ${fmtShape(pad)} pads ${n} dims but input ${fmtShape(x.shape)} has ${x.ndim}`);
  if (mode === 'constant') return constantPad(x, pad, value);
  if (value !== 0) throw new Error(`pad: mode '${mode}' takes no value (got ${value})`);
  const batchedOnly = mode === 'circular';
  if (n < 1 || n > 3 || x.ndim > n + 2 || x.ndim < (batchedOnly ? n + 2 : n + 1)) {
    const need = batchedOnly ? `${n + 2}-d` : `${n + 1}-d or ${n + 2}-d`;
    throw new Error(`pad: mode '${mode}' pads 1 to 3 dims of a [C, …] or [N, C, …] input; padding ${fmtShape(pad)} needs a ${need} input, got ${fmtShape(x.shape)}`);
  }
  let y = x;
  for (let k = 0; k < n; k++) {
    const dim = x.ndim - 1 - k;
    const [l, r] = [pad[2 * k], pad[2 * k + 1]];
    if (l === 0 && r === 0) continue;
    y = indexSelect(y, dim, indexTensor(y, sourceIndices(mode, y, dim, l, r)));
  }
  return y === x ? clone(x) : y;
}
