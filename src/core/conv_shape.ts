/**
 * Shape and padding arithmetic of convolution and pooling, computed once here and shared by the
 * ops and every backend: argument expansion and validation, output sizes, 'same'/'valid'
 * padding, the window geometry the `im2col`/`col2im` kernels follow, and the pooling windows
 * the `maxPool2d` kernel scans.
 * @module
 */
import { fmtShape } from './shape.js';

/** One size per spatial dim, or one number used for every spatial dim. */
export type SizeArg = number | readonly number[];

/**
 * Where every kernel tap of every output position reads the image, for `im2col` and `col2im`.
 *
 * Output position (oh, ow) with tap (i, j) reads image pixel
 * (oh·strideH − padTop + i·dilationH, ow·strideW − padLeft + j·dilationW); a pixel outside the
 * height × width image reads as 0 (im2col) or is dropped (col2im). Padding on the bottom/right is
 * implicit in `outH`/`outW`, so asymmetric padding ('same' with an even kernel) needs nothing more.
 */
export interface Conv2dGeometry {
  /** Image height (unpadded). */
  readonly height: number;
  /** Image width (unpadded). */
  readonly width: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  /** Zero rows added above the image. */
  readonly padTop: number;
  /** Zero columns added left of the image. */
  readonly padLeft: number;
  readonly dilationH: number;
  readonly dilationW: number;
  /** Number of output rows (window positions down). */
  readonly outH: number;
  /** Number of output columns (window positions across). */
  readonly outW: number;
}

/**
 * The windows of one pooling axis: output index o covers input indices
 * start[o], start[o] + step, … while below end[o], skipping negative ones (padding).
 * `end` is already clipped to the input size.
 */
export interface PoolAxis {
  readonly start: readonly number[];
  readonly end: readonly number[];
  readonly step: number;
}

/** The windows of a 2-d pooling: rows and columns are independent. */
export interface Pool2dWindows {
  readonly rows: PoolAxis;
  readonly cols: PoolAxis;
}

/**
 * Expands a size argument to `n` values (`3` → `[3, 3]`) and checks each is an integer ≥ `min`.
 * `what` names the argument in errors, e.g. `stride`.
 */
export function expandSize(op: string, what: string, value: SizeArg, n: number, min: number): number[] {
  // A one-element list counts as one number, as PyTorch's expand_param_if_needed does.
  const list = typeof value === 'number' ? new Array<number>(n).fill(value) : value.length === 1 ? new Array<number>(n).fill(value[0]) : [...value];
  if (list.length !== n) {
    throw new Error(`${op}: ${what} must be one number or ${n} numbers, got ${fmtShape(list)}`);
  }
  for (const v of list) {
    if (!Number.isInteger(v) || v < min) {
      const need = min === 0 ? 'non-negative' : min === 1 ? 'positive' : `at least ${min}`;
      throw new Error(`${op}: ${what} must be ${need} integers, got ${fmtShape(list)}`);
    }
  }
  return list;
}

/**
 * Output size of a convolution along one dim: ⌊(in + padBefore + padAfter − d·(k − 1) − 1) / s⌋ + 1.
 * May be ≤ 0 when the dilated kernel does not fit; callers report that.
 */
export function convOutSize(inSize: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation: number): number {
  return Math.floor((inSize + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Output size of a pooling along one dim, PyTorch's rule:
 * ⌊(in + 2p − d·(k − 1) − 1 [+ s − 1 with ceilMode]) / s⌋ + 1, and with ceilMode the last window must
 * start inside the input or its left padding (else it is dropped).
 */
export function poolOutSize(inSize: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  let out = Math.floor((inSize + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + pad) out--;
  return out;
}

/** Output size of a transposed convolution: (in − 1)·s − 2p + d·(k − 1) + outputPadding + 1. */
export function convTransposeOutSize(inSize: number, kernel: number, stride: number, pad: number, dilation: number, outputPadding: number): number {
  return (inSize - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPadding + 1;
}

/** Padding of a convolution: a number, one number per dim, or PyTorch's 'valid' (none) and 'same'. */
export type ConvPadding = SizeArg | 'valid' | 'same';

/** Padding before and after the input along each spatial dim. */
export interface ResolvedPadding {
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/**
 * Resolves a convolution's padding. 'same' (stride 1 only) pads d·(k − 1) in total per dim,
 * ⌊total/2⌋ before and the rest after, so an odd total puts the extra row/column at the
 * bottom/right as PyTorch does.
 */
export function resolveConvPadding(op: string, padding: ConvPadding, kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): ResolvedPadding {
  const n = kernel.length;
  if (padding === 'valid') return { before: new Array<number>(n).fill(0), after: new Array<number>(n).fill(0) };
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) {
      throw new Error(`${op}: padding='same' is not supported for strided convolutions (stride ${fmtShape(stride)})`);
    }
    const total = kernel.map((k, i) => dilation[i] * (k - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return { before, after: total.map((t, i) => t - before[i]) };
  }
  if (typeof padding === 'string') {
    throw new Error(`${op}: padding must be a number, a list of numbers, 'valid' or 'same', got '${padding as string}'`);
  }
  const p = expandSize(op, 'padding', padding, n, 0);
  return { before: p, after: p };
}

/**
 * The geometry of a 2-d convolution of an H×W image; throws naming `op` and `shapes()` (a
 * description of the operands for the message, built only then: formatting the shapes on every
 * call cost ~3 µs per convolution) when the dilated kernel is larger than the padded input.
 */
export function convGeometry(
  op: string,
  shapes: () => string,
  size: readonly [number, number],
  kernel: readonly number[],
  stride: readonly number[],
  pad: ResolvedPadding,
  dilation: readonly number[],
): Conv2dGeometry {
  const paddedH = size[0] + pad.before[0] + pad.after[0];
  const paddedW = size[1] + pad.before[1] + pad.after[1];
  const effH = dilation[0] * (kernel[0] - 1) + 1;
  const effW = dilation[1] * (kernel[1] - 1) + 1;
  if (effH > paddedH || effW > paddedW) {
    throw new Error(
      `${op}: kernel size (${kernel[0]}x${kernel[1]}, dilated ${effH}x${effW}) is larger than the padded input ` +
        `(${paddedH}x${paddedW}) for ${shapes()}`,
    );
  }
  return {
    height: size[0],
    width: size[1],
    kernelH: kernel[0],
    kernelW: kernel[1],
    strideH: stride[0],
    strideW: stride[1],
    padTop: pad.before[0],
    padLeft: pad.before[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    outH: convOutSize(size[0], kernel[0], stride[0], pad.before[0], pad.after[0], dilation[0]),
    outW: convOutSize(size[1], kernel[1], stride[1], pad.before[1], pad.after[1], dilation[1]),
  };
}

/** Windows of a regular pooling axis: start = o·s − p, end = min(start + d·(k − 1) + 1, in). */
export function poolAxis(inSize: number, kernel: number, stride: number, pad: number, dilation: number, outSize: number): PoolAxis {
  const start: number[] = [];
  const end: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const s = o * stride - pad;
    start.push(s);
    end.push(Math.min(s + dilation * (kernel - 1) + 1, inSize));
  }
  return { start, end, step: dilation };
}

/** Windows of an adaptive pooling axis, PyTorch's: start = ⌊o·in/out⌋, end = ⌈(o + 1)·in/out⌉. */
export function adaptiveAxis(inSize: number, outSize: number): PoolAxis {
  const start: number[] = [];
  const end: number[] = [];
  for (let o = 0; o < outSize; o++) {
    start.push(Math.floor((o * inSize) / outSize));
    end.push(Math.ceil(((o + 1) * inSize) / outSize));
  }
  return { start, end, step: 1 };
}

/**
 * The divisor of every output of an average pooling (row-major over outH × outW), PyTorch's rule:
 * the window clipped to the padded input counts when `countIncludePad`, else the window clipped to
 * the input itself; `divisorOverride` replaces both. Empty windows get 1 (their sum is 0).
 */
export function avgPoolDivisors(
  size: readonly [number, number],
  kernel: readonly number[],
  stride: readonly number[],
  pad: readonly number[],
  out: readonly [number, number],
  countIncludePad: boolean,
  divisorOverride?: number,
): Float64Array {
  const div = new Float64Array(out[0] * out[1]);
  for (let oh = 0; oh < out[0]; oh++) {
    for (let ow = 0; ow < out[1]; ow++) {
      let h0 = oh * stride[0] - pad[0];
      let w0 = ow * stride[1] - pad[1];
      let h1 = Math.min(h0 + kernel[0], size[0] + pad[0]);
      let w1 = Math.min(w0 + kernel[1], size[1] + pad[1]);
      const withPad = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0);
      w0 = Math.max(w0, 0);
      h1 = Math.min(h1, size[0]);
      w1 = Math.min(w1, size[1]);
      const inside = h0 < h1 && w0 < w1 ? (h1 - h0) * (w1 - w0) : 0;
      let d = divisorOverride ?? (countIncludePad ? withPad : inside);
      if (inside === 0) d = 1;
      div[oh * out[1] + ow] = d;
    }
  }
  return div;
}
