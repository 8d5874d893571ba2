import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, tensor, type Tensor } from '../src/index.js';
import { repoRoot } from './helpers.js';

/** A safetensors file from a header object and a buffer, built by hand (not by glubina's writer). */
function build(header: unknown, buffer: Uint8Array = new Uint8Array(0), rawHeader?: string): Uint8Array {
  const text = Buffer.from(rawHeader ?? JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + text.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(buffer, 8 + text.length);
  return out;
}

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'glubina-st-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('safetensors round trip: every dtype, shapes including 0-d and empty, metadata', () => {
  const tensors = new Map<string, Tensor>([
    ['w', tensor([[1.5, -2], [3.25, 1e-8]])],
    ['d', tensor([Math.PI, -1e300], { dtype: 'float64' })],
    ['i', tensor([[7, -2147483648, 2147483647]], { dtype: 'int32' })],
    ['m', tensor([true, false, true])],
    ['s', tensor(2.5)],
    ['e', tensor(new Float32Array(0), { shape: [0, 3] })],
  ]);
  const { dir, done } = tmp();
  try {
    const path = join(dir, 'w.safetensors');
    io.saveSafetensors(path, tensors, { epoch: '3', note: 'ünïcode ✓' });
    const back = io.loadSafetensors(path);
    assert.deepEqual(back.metadata, { epoch: '3', note: 'ünïcode ✓' });
    assert.deepEqual([...back.tensors.keys()], ['w', 'd', 'i', 'm', 's', 'e']);
    for (const [k, t] of tensors) {
      const b = back.tensors.get(k)!;
      assert.equal(b.dtype, t.dtype, k);
      assert.deepEqual(b.shape, t.shape, k);
      assert.deepEqual([...b.dataSync()], [...t.dataSync()], k);
    }
    // The header is padded to 8 bytes and the file layout is the spec's.
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    // Header in the given order; buffer by dtype width: d (F64) first, then w, i, s, e, then m (BOOL).
    assert.deepEqual(Object.keys(header), ['__metadata__', 'w', 'd', 'i', 'm', 's', 'e']);
    assert.deepEqual(header.d, { dtype: 'F64', shape: [2], data_offsets: [0, 16] });
    assert.deepEqual(header.w, { dtype: 'F32', shape: [2, 2], data_offsets: [16, 32] });
    assert.deepEqual(header.m, { dtype: 'BOOL', shape: [3], data_offsets: [48, 51] });
    assert.equal(bytes.readFloatLE(8 + n + 16 + 8), 3.25);
    assert.equal(bytes.readDoubleLE(8 + n), Math.PI);
    // Records and buffers work too, and readSafetensorsHeader reads just the header.
    const mem = io.parseSafetensors(io.serializeSafetensors({ a: tensor([1, 2]) }));
    assert.deepEqual([...mem.tensors.get('a')!.dataSync()], [1, 2]);
    const h = io.readSafetensorsHeader(path);
    assert.deepEqual(h.entries.map((e) => [e.name, e.dtype, e.shape]), [['w', 'F32', [2, 2]], ['d', 'F64', [2]], ['i', 'I32', [1, 3]], ['m', 'BOOL', [3]], ['s', 'F32', []], ['e', 'F32', [0, 3]]]);
  } finally {
    done();
  }
  // Non-contiguous tensors are written in logical (row-major) order.
  const t = tensor([[1, 2, 3], [4, 5, 6]]).t();
  assert.deepEqual([...io.parseSafetensors(io.serializeSafetensors({ t })).tensors.get('t')!.dataSync()], [1, 4, 2, 5, 3, 6]);
  assert.throws(() => io.serializeSafetensors({ __metadata__: tensor([1]) }), /'__metadata__' is reserved/);
  const odd = new Map([['__proto__', tensor([1])], ['constructor', tensor([2])]]);
  assert.deepEqual([...io.parseSafetensors(io.serializeSafetensors(odd)).tensors.keys()], ['__proto__', 'constructor']);
});

interface Expected {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; data: number[] }>;
}

test('reads the file written from PyTorch tensors (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL, 0-d, empty)', () => {
  const dir = join(repoRoot, 'test', 'fixtures', 'safetensors');
  const expected = JSON.parse(readFileSync(join(dir, 'torch.json'), 'utf8')) as Expected;
  const { tensors, metadata } = io.loadSafetensors(join(dir, 'torch.safetensors'));
  assert.deepEqual(metadata, expected.metadata);
  assert.deepEqual([...tensors.keys()].sort(), Object.keys(expected.tensors).sort());
  const glubinaDtype: Record<string, string> = { F64: 'float64', F32: 'float32', F16: 'float32', BF16: 'float32', I64: 'int32', I32: 'int32', I16: 'int32', I8: 'int32', U8: 'int32', BOOL: 'bool' };
  for (const [k, e] of Object.entries(expected.tensors)) {
    const t = tensors.get(k)!;
    assert.deepEqual(t.shape, e.shape, k);
    assert.equal(t.dtype, glubinaDtype[e.dtype], k);
    // Exact: F16/BF16 values are exactly representable in float32; JSON holds the float64 of each value.
    assert.deepEqual([...t.dataSync()], e.data, k);
  }
});

test('rejects malformed files with errors naming the file, the tensor and the problem', () => {
  const f32 = (n: number): Uint8Array => new Uint8Array(4 * n);
  const entry = (dtype: string, shape: number[], offsets: number[]): unknown => ({ dtype, shape, data_offsets: offsets });
  const good = build({ a: entry('F32', [2], [0, 8]) }, f32(2));
  assert.equal(io.parseSafetensors(good).tensors.get('a')!.numel(), 2);
  const lying = new Uint8Array(good);
  new DataView(lying.buffer).setBigUint64(0, 1n << 40n, true);
  const longer = new Uint8Array(good);
  new DataView(longer.buffer).setBigUint64(0, BigInt(good.length), true);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(3), /file is 3 bytes, too short for the 8-byte header length/],
    ['truncated buffer', good.subarray(0, good.length - 1), /tensor 'a': data_offsets \[0, 8\] run past the end of the 7-byte buffer/],
    ['header too long', lying, /header length 1099511627776 is larger than the limit of 100000000 bytes/],
    ['header length > file', longer, /header length \d+ is larger than the \d+ bytes after the length field/],
    ['non-JSON header', build(null, new Uint8Array(0), '{"a": [1, 2'), /header is not valid JSON/],
    ['not an object', build(null, new Uint8Array(0), '[1, 2]   '), /header must be a JSON object starting with '\{'/],
    ['invalid UTF-8', build(null, new Uint8Array(0), '{"a":1}').map((b, i) => (i === 10 ? 0xff : b)), /header is not valid UTF-8/],
    ['unknown dtype', build({ a: entry('F8', [2], [0, 2]) }, new Uint8Array(2)), /tensor 'a': unknown dtype "F8"/],
    ['wrong byte count for the shape', build({ a: entry('F32', [3], [0, 8]) }, f32(2)), /tensor 'a': shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/],
    ['lying huge shape', build({ a: entry('F32', [1e9, 1e9, 1e9], [0, 8]) }, f32(2)), /tensor 'a': shape \[1000000000,1000000000,1000000000\] of F32 needs more than/],
    ['negative dim', build({ a: entry('F32', [-2], [0, 8]) }, f32(2)), /tensor 'a': shape must be a list of non-negative integers/],
    ['fractional dim', build({ a: entry('F32', [1.5], [0, 8]) }, f32(2)), /shape must be a list of non-negative integers, got \[1.5\]/],
    ['bad offsets', build({ a: entry('F32', [2], [0]) }, f32(2)), /data_offsets must be two non-negative integers/],
    ['reversed offsets', build({ a: entry('F32', [0], [8, 0]) }, f32(2)), /data_offsets \[8, 0\] end before they begin/],
    ['overlapping offsets', build({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, f32(3)), /tensor 'b' \(bytes \[4, 12\)\) overlaps tensor 'a' \(which ends at 8\)/],
    ['hole in the buffer', build({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, f32(3)), /tensor 'b' starts at byte 8 but the previous tensor ends at 4: the buffer has a hole/],
    ['trailing bytes', build({ a: entry('F32', [1], [0, 4]) }, f32(2)), /tensors cover 4 bytes but the buffer has 8 \(4 trailing bytes\)/],
    ['metadata not strings', build({ __metadata__: { epoch: 3 } }), /__metadata__ 'epoch' must be a string, got 3/],
    ['entry not an object', build({ a: 5 }), /tensor 'a': entry must be an object/],
  ];
  const { dir, done } = tmp();
  try {
    for (const [what, bytes, pattern] of cases) {
      assert.throws(() => io.parseSafetensors(bytes, 'mem.safetensors'), (e: Error) => {
        assert.match(e.message, pattern, what);
        assert.match(e.message, /^loadSafetensors: mem\.safetensors: /, what);
        return true;
      }, what);
      const path = join(dir, 'bad.safetensors');
      writeFileSync(path, bytes);
      assert.throws(() => io.loadSafetensors(path), (e: Error) => e.message.includes(path) && pattern.test(e.message), `${what} (file)`);
      assert.throws(() => io.readSafetensorsHeader(path), Error, `${what} (header only)`);
    }
  } finally {
    done();
  }
  // I64 values outside int32 are refused rather than wrapped.
  const big = new Uint8Array(8);
  new DataView(big.buffer).setBigInt64(0, 1n << 40n, true);
  assert.throws(() => io.parseSafetensors(build({ n: entry('I64', [1], [0, 8]) }, big), 'x'), /tensor 'n': I64 value 1099511627776 at index 0 does not fit in int32/);
  assert.throws(() => io.parseSafetensors(good, 'x', { maxHeaderBytes: 8 }), /larger than the limit of 8 bytes/);
});
