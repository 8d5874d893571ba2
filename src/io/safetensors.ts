/**
 * The safetensors format (Hugging Face), the weight format PyTorch users share.
 *
 * Layout: an 8-byte little-endian unsigned integer N, then N bytes of UTF-8 JSON (padded with
 * spaces), then the byte buffer:
 *
 *     { "__metadata__": { "key": "value", … },
 *       "name": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, … }
 *
 * Offsets are relative to the buffer's start; tensors are little-endian, row-major, and together
 * cover the buffer exactly (no holes, no overlaps).
 *
 * Files are untrusted: the header length is bounded and checked against the file size, the JSON is
 * parsed as data, and every dtype, shape and offset is validated before any tensor is allocated,
 * with errors that name the file, the tensor and what is wrong.
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { fromTypedArray } from '../core/creation.js';
import type { DType, TypedArray } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { writeFileAtomic } from './atomic.js';

/** Named tensors: a state dict (`Map`) or a plain object. */
export type TensorMap = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** The safetensors dtypes glubina reads. F16/BF16 become float32; I64 and the small integers int32. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U16' | 'U8' | 'BOOL';

/** One tensor's entry in the header. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Byte range `[begin, end)` in the buffer. */
  dataOffsets: [number, number];
}

/** A parsed and validated header. */
export interface SafetensorsHeader {
  /** Tensor entries in header order. */
  entries: SafetensorsEntry[];
  /** The `__metadata__` strings ({} when absent). */
  metadata: Record<string, string>;
  /** Bytes before the buffer: 8 + N. */
  bufferStart: number;
}

/** A loaded file. */
export interface SafetensorsData {
  /** The tensors, in header order (a state dict's order, for files glubina writes). */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` strings. */
  metadata: Record<string, string>;
}

/** Options of the readers. */
export interface SafetensorsReadOptions {
  /** Largest accepted JSON header in bytes (default 100 MB, the reference implementation's limit). */
  maxHeaderBytes?: number;
}

const ITEM_SIZE: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U16: 2, U8: 1, BOOL: 1 };
const WRITE_DTYPE: Record<DType, SafetensorsDType> = { float64: 'F64', float32: 'F32', int32: 'I32', bool: 'BOOL' };
const DEFAULT_MAX_HEADER = 100_000_000;

function checkHostEndianness(): void {
  // Typed arrays use the host's byte order; safetensors is little-endian.
  if (endianness() !== 'LE') throw new Error('safetensors: this reader needs a little-endian host');
}

function entriesOf(tensors: TensorMap): [string, Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, Tensor>);
}

function bytesOf(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The file as chunks (header, then each tensor's bytes), so a writer can stream them.
 * The header lists tensors in the order given and is padded with spaces to a multiple of 8 bytes;
 * the buffer holds 8-byte dtypes first, then 4-byte, then 1-byte ones, so every tensor is aligned.
 */
export function safetensorsChunks(tensors: TensorMap, metadata: Readonly<Record<string, string>> = {}): Uint8Array[] {
  checkHostEndianness();
  // No prototype: a tensor named '__proto__' is stored like any other name.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`saveSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  const list = entriesOf(tensors);
  const names = new Set<string>();
  for (const [name] of list) {
    if (name === '__metadata__') throw new Error("saveSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (names.has(name)) throw new Error(`saveSafetensors: two tensors are named '${name}'`);
    names.add(name);
  }
  // The buffer holds wider dtypes first (as the reference writer does), so every tensor starts at
  // a multiple of its item size; the header keeps the caller's order.
  const byWidth = list.map((e, i) => ({ e, i })).sort((a, b) => ITEM_SIZE[WRITE_DTYPE[b.e[1].dtype]] - ITEM_SIZE[WRITE_DTYPE[a.e[1].dtype]] || a.i - b.i);
  const offsets = new Map<string, [number, number]>();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { e: [name, t] } of byWidth) {
    const bytes = bytesOf(t.dataSync());
    offsets.set(name, [offset, offset + bytes.length]);
    chunks.push(bytes);
    offset += bytes.length;
  }
  for (const [name, t] of list) header[name] = { dtype: WRITE_DTYPE[t.dtype], shape: [...t.shape], data_offsets: offsets.get(name) };
  let json = JSON.stringify(header);
  const raw = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (raw % 8)) % 8);
  const head = Buffer.alloc(8 + Buffer.byteLength(json, 'utf8'));
  head.writeBigUInt64LE(BigInt(head.length - 8), 0);
  head.write(json, 8, 'utf8');
  return [head, ...chunks];
}

/** The safetensors bytes of `tensors` (the in-memory variant of {@link saveSafetensors}). */
export function serializeSafetensors(tensors: TensorMap, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  return Buffer.concat(safetensorsChunks(tensors, metadata));
}

/**
 * Saves named tensors as a safetensors file, atomically (temporary file, fsync, rename).
 * float32 → F32, float64 → F64, int32 → I32, bool → BOOL.
 * @example io.saveSafetensors('model.safetensors', model.stateDict(), { epoch: '3' })
 */
export function saveSafetensors(path: string, tensors: TensorMap, metadata: Readonly<Record<string, string>> = {}): void {
  writeFileAtomic(path, safetensorsChunks(tensors, metadata));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Validates a header given its first bytes: `head` must hold at least the 8 length bytes and, when
 * they are valid, the whole JSON. `fileSize` is the size of the whole file.
 */
function parseHeader(name: string, head: Uint8Array, fileSize: number, options: SafetensorsReadOptions): SafetensorsHeader {
  const fail = (what: string): never => {
    throw new Error(`loadSafetensors: ${name}: ${what}`);
  };
  if (fileSize < 8) fail(`file is ${fileSize} bytes, too short for the 8-byte header length`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 4294967296 + lo;
  const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
  if (n > max) fail(`header length ${n} is larger than the limit of ${max} bytes`);
  if (n > fileSize - 8) fail(`header length ${n} is larger than the ${fileSize - 8} bytes after the length field (truncated file?)`);
  if (n < 2) fail(`header length ${n} is too small for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(parsed)) return fail('header must be a JSON object');
  const bufferStart = 8 + n;
  const bufferLen = fileSize - bufferStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '__metadata__') {
      if (!isPlainObject(value)) fail('__metadata__ must be an object of strings');
      for (const [mk, mv] of Object.entries(value as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`__metadata__ '${mk}' must be a string, got ${JSON.stringify(mv)}`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    const bad = (what: string): never => fail(`tensor '${key}': ${what}`);
    if (!isPlainObject(value)) bad('entry must be an object with dtype, shape and data_offsets');
    const e = value as Record<string, unknown>;
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE)) {
      bad(`unknown dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ITEM_SIZE).join(', ')})`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every(isIndex)) bad(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      bad(`data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) bad(`data_offsets [${begin}, ${end}] end before they begin`);
    if (end > bufferLen) bad(`data_offsets [${begin}, ${end}] run past the end of the ${bufferLen}-byte buffer (truncated file?)`);
    // The product is checked against the byte count as it grows, so a lying shape cannot overflow.
    const item = ITEM_SIZE[dtype as SafetensorsDType];
    const dims = shape as number[];
    const avail = end - begin;
    let bytes = item;
    let i = 0;
    for (; i < dims.length; i++) {
      bytes *= dims[i];
      if (bytes > avail) break;
    }
    const exact = i >= dims.length - 1 || dims.includes(0);
    if (dims.includes(0)) bytes = 0;
    if (bytes !== avail) {
      bad(`shape [${dims.join(',')}] of ${dtype} needs ${exact ? '' : 'more than '}${bytes} bytes, but data_offsets [${begin}, ${end}] hold ${avail}`);
    }
    entries.push({ name: key, dtype: dtype as SafetensorsDType, shape: shape as number[], dataOffsets: [begin, end] });
  }
  const inBufferOrder = [...entries].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let prev = '';
  for (const e of inBufferOrder) {
    const [begin, end] = e.dataOffsets;
    if (begin < covered) fail(`tensor '${e.name}' (bytes [${begin}, ${end})) overlaps tensor '${prev}' (which ends at ${covered})`);
    if (begin > covered) fail(`tensor '${e.name}' starts at byte ${begin} but the previous tensor ends at ${covered}: the buffer has a hole`);
    covered = end;
    prev = e.name;
  }
  if (covered !== bufferLen) fail(`tensors cover ${covered} bytes but the buffer has ${bufferLen} (${bufferLen - covered} trailing bytes)`);
  return { entries, metadata, bufferStart };
}

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes one validated entry from its bytes into a glubina tensor. */
function decodeTensor(name: string, e: SafetensorsEntry, bytes: Uint8Array): Tensor {
  // Copy into a fresh, aligned buffer: the file's offsets need not be aligned (and a Buffer's
  // slice() would share memory rather than copy).
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const buf = copy.buffer;
  let data: TypedArray;
  switch (e.dtype) {
    case 'F32': data = new Float32Array(buf); break;
    case 'F64': data = new Float64Array(buf); break;
    case 'I32': data = new Int32Array(buf); break;
    case 'BOOL': data = Uint8Array.from(new Uint8Array(buf), (v) => (v ? 1 : 0)); break;
    case 'U8': data = Int32Array.from(new Uint8Array(buf)); break;
    case 'I8': data = Int32Array.from(new Int8Array(buf)); break;
    case 'I16': data = Int32Array.from(new Int16Array(buf)); break;
    case 'U16': data = Int32Array.from(new Uint16Array(buf)); break;
    case 'F16': data = Float32Array.from(new Uint16Array(buf), f16ToF32); break;
    case 'BF16': {
      const src = new Uint16Array(buf);
      const bits = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
      data = new Float32Array(bits.buffer);
      break;
    }
    case 'I64': {
      const src = new BigInt64Array(buf);
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (v > 2147483647n || v < -2147483648n) {
          throw new Error(`loadSafetensors: ${name}: tensor '${e.name}': I64 value ${v} at index ${i} does not fit in int32`);
        }
        out[i] = Number(v);
      }
      data = out;
      break;
    }
  }
  return fromTypedArray(data, e.shape);
}

/** Parses safetensors bytes held in memory (the in-memory variant of {@link loadSafetensors}). */
export function parseSafetensors(bytes: Uint8Array, name = '<buffer>', options: SafetensorsReadOptions = {}): SafetensorsData {
  checkHostEndianness();
  const h = parseHeader(name, bytes, bytes.length, options);
  const tensors = new Map<string, Tensor>();
  for (const e of h.entries) {
    const [begin, end] = e.dataOffsets;
    tensors.set(e.name, decodeTensor(name, e, bytes.subarray(h.bufferStart + begin, h.bufferStart + end)));
  }
  return { tensors, metadata: h.metadata };
}

/**
 * Reads and validates only the header of a safetensors file (names, dtypes, shapes, metadata),
 * e.g. to check a file against a model before loading it.
 */
export function readSafetensorsHeader(path: string, options: SafetensorsReadOptions = {}): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const lenBytes = new Uint8Array(8);
    readSync(fd, lenBytes, 0, Math.min(8, size), 0);
    const view = new DataView(lenBytes.buffer);
    const n = view.getUint32(4, true) * 4294967296 + view.getUint32(0, true);
    const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
    // Read the header only when its length is plausible; parseHeader reports the error otherwise.
    const want = size >= 8 && n <= max && n <= size - 8 ? 8 + n : 8;
    const head = new Uint8Array(want);
    readSync(fd, head, 0, want, 0);
    return parseHeader(path, head, size, options);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a safetensors file: every tensor (F16/BF16 converted to float32, I64 to int32 with a range
 * check) and the `__metadata__` strings.
 * @example
 * const { tensors } = io.loadSafetensors('model.safetensors');
 * model.loadStateDict(tensors);
 */
export function loadSafetensors(path: string, options: SafetensorsReadOptions = {}): SafetensorsData {
  return parseSafetensors(readFileSync(path), path, options);
}
