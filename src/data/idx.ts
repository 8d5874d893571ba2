/**
 * The IDX file format of MNIST (LeCun et al.), read with validation.
 *
 * Layout: a 4-byte magic number `0x00 0x00 T D` — T the element type, D the number of dims —
 * then D big-endian uint32 sizes, then the elements, big-endian, row-major. MNIST labels are
 * `0x00000801` (ubyte, 1 dim), images `0x00000803` (ubyte, 3 dims).
 *
 * Untrusted input: the header is checked and the size it implies is compared with the real file
 * size before any buffer for the elements is allocated, so a corrupt or lying file is a clear error.
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The element types IDX can hold, by their type byte. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array an IDX type is returned in. */
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: element type, shape, and elements in row-major order. */
export interface IdxData {
  type: IdxType;
  shape: number[];
  data: IdxArray;
}

/** Options of {@link readIdx} and {@link parseIdx}. */
export interface IdxOptions {
  /** Require this element type (MNIST: `'uint8'`). */
  type?: IdxType;
  /** Require this many dims (MNIST: 1 for labels, 3 for images). */
  ndim?: number;
  /** Read only the first `limit` items along dim 0 (the file is still validated whole). */
  limit?: number;
  /** Largest decompressed size accepted for a gzip file, in bytes (default 1 GiB). */
  maxBytes?: number;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

const MAX_NDIM = 16;
const DEFAULT_MAX_BYTES = 1 << 30;

/** What the header says, before the elements are read. */
interface IdxHeader {
  type: IdxType;
  itemSize: number;
  shape: number[];
  headerBytes: number;
  /** Bytes of the element section the header implies. */
  dataBytes: number;
}

function fail(name: string, what: string): never {
  throw new Error(`readIdx: ${name}: ${what}`);
}

/** Reads and checks the header from the first bytes of a file of `fileSize` bytes. */
function parseHeader(name: string, head: Uint8Array, fileSize: number, options: IdxOptions): IdxHeader {
  if (fileSize < 4 || head.length < 4) fail(name, `file is ${fileSize} bytes, too short for the 4-byte IDX magic number`);
  const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (head[0] !== 0 || head[1] !== 0) fail(name, `bad magic number ${hex}: an IDX file starts with two zero bytes`);
  const t = TYPES[head[2]];
  if (!t) fail(name, `bad magic number ${hex}: unknown element type byte 0x${head[2].toString(16).padStart(2, '0')}`);
  const ndim = head[3];
  if (ndim < 1 || ndim > MAX_NDIM) fail(name, `bad magic number ${hex}: ${ndim} dims (expected 1 to ${MAX_NDIM})`);
  if (options.type !== undefined && t.type !== options.type) {
    fail(name, `magic number ${hex} says element type ${t.type}, expected ${options.type}`);
  }
  if (options.ndim !== undefined && ndim !== options.ndim) {
    fail(name, `magic number ${hex} says ${ndim} dims, expected ${options.ndim}`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (fileSize < headerBytes || head.length < headerBytes) {
    fail(name, `truncated header: ${ndim} dims need ${headerBytes} header bytes, the file has ${fileSize}`);
  }
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const p = 4 + 4 * i;
    const d = ((head[p] << 24) | (head[p + 1] << 16) | (head[p + 2] << 8) | head[p + 3]) >>> 0;
    shape.push(d);
    count *= d; // exact: stays far below 2^53 until compared with the file size below
  }
  const dataBytes = count * t.size;
  const expected = headerBytes + dataBytes;
  if (expected !== fileSize) {
    const why = expected > fileSize ? 'truncated or dims too large' : 'trailing bytes or dims too small';
    fail(name, `dims [${shape.join(',')}] of ${t.type} need ${expected} bytes (${headerBytes} header + ${dataBytes} data), the file has ${fileSize} (${why})`);
  }
  return { type: t.type, itemSize: t.size, shape, headerBytes, dataBytes };
}

function rowsToRead(name: string, shape: readonly number[], limit: number | undefined): number {
  if (limit === undefined) return shape[0];
  if (!Number.isInteger(limit) || limit < 0) fail(name, `limit must be a non-negative integer, got ${limit}`);
  return Math.min(limit, shape[0]);
}

/** Decodes big-endian elements into a native typed array (a copy). */
function decode(type: IdxType, bytes: Uint8Array): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'uint8': return Uint8Array.from(bytes);
    case 'int8': return new Int8Array(Uint8Array.from(bytes).buffer);
    case 'int16': {
      const out = new Int16Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Decompresses gzip bytes, refusing output beyond `maxBytes` (a gzip bomb) with a clear error. */
function gunzip(name: string, bytes: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const msg = (e as Error).message;
    if (/maxOutputLength|Cannot create a Buffer larger/i.test(msg)) fail(name, `gzip data decompresses to more than ${maxBytes} bytes`);
    fail(name, `corrupt gzip data (${msg})`);
  }
}

/**
 * Decodes an IDX file held in memory (gzip-compressed or not).
 * @param name Names the source in error messages.
 */
export function parseIdx(bytes: Uint8Array, name = '<buffer>', options: IdxOptions = {}): IdxData {
  const raw = isGzip(bytes) ? gunzip(name, bytes, options.maxBytes ?? DEFAULT_MAX_BYTES) : bytes;
  const h = parseHeader(name, raw, raw.length, options);
  const rows = rowsToRead(name, h.shape, options.limit);
  const rowBytes = h.shape[0] === 0 ? 0 : h.dataBytes / h.shape[0];
  const body = raw.subarray(h.headerBytes, h.headerBytes + rows * rowBytes);
  return { type: h.type, shape: [rows, ...h.shape.slice(1)], data: decode(h.type, body) };
}

/**
 * Reads an IDX file (`.gz` files are decompressed). The header is validated against the file size
 * before the elements are read, so a corrupt file fails fast without a large allocation.
 * @example
 * const { shape, data } = readIdx('train-labels-idx1-ubyte', { type: 'uint8', ndim: 1 });
 */
export function readIdx(path: string, options: IdxOptions = {}): IdxData {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 4 + 4 * 255));
    readSync(fd, head, 0, head.length, 0);
    if (isGzip(head)) return parseIdx(readFileSync(fd), path, options);
    const h = parseHeader(path, head, size, options);
    const rows = rowsToRead(path, h.shape, options.limit);
    const rowBytes = h.shape[0] === 0 ? 0 : h.dataBytes / h.shape[0];
    const body = new Uint8Array(rows * rowBytes);
    let done = 0;
    while (done < body.length) {
      const n = readSync(fd, body, done, body.length - done, h.headerBytes + done);
      if (n === 0) fail(path, `file shrank while reading: got ${done} of ${body.length} data bytes`);
      done += n;
    }
    return { type: h.type, shape: [rows, ...h.shape.slice(1)], data: h.type === 'uint8' ? body : decode(h.type, body) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Encodes an IDX file (the inverse of {@link parseIdx}), for tests and for exporting data.
 * Values are written big-endian as the format requires.
 */
export function encodeIdx(type: IdxType, shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)].type === type));
  const size = TYPES[code].size;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdx: shape [${shape.join(',')}] needs ${count} elements, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * shape.length + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const base = 4 + 4 * shape.length;
  for (let i = 0; i < count; i++) {
    const p = base + i * size;
    const v = data[i];
    switch (type) {
      case 'uint8': view.setUint8(p, v); break;
      case 'int8': view.setInt8(p, v); break;
      case 'int16': view.setInt16(p, v, false); break;
      case 'int32': view.setInt32(p, v, false); break;
      case 'float32': view.setFloat32(p, v, false); break;
      case 'float64': view.setFloat64(p, v, false); break;
    }
  }
  return out;
}
