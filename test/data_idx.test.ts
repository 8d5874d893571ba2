import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { data } from '../src/index.js';

const { readIdx, parseIdx, encodeIdx, loadMnist } = data;

/** A raw IDX file: magic bytes, big-endian dims, then `body`. */
function idx(typeByte: number, dims: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out[2] = typeByte;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

function withFile(bytes: Uint8Array, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'glubina-idx-'));
  try {
    const path = join(dir, 'file-idx');
    writeFileSync(path, bytes);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('readIdx reads a hand-built ubyte file: shape and values', () => {
  // 2 images of 2×3: the values 0…11.
  const bytes = idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  withFile(bytes, (path) => {
    const r = readIdx(path, { type: 'uint8', ndim: 3 });
    assert.equal(r.type, 'uint8');
    assert.deepEqual(r.shape, [2, 2, 3]);
    assert.deepEqual([...r.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const first = readIdx(path, { limit: 1 });
    assert.deepEqual(first.shape, [1, 2, 3]);
    assert.deepEqual([...first.data], [0, 1, 2, 3, 4, 5]);
  });
});

test('IDX multi-byte types are big-endian; encodeIdx and parseIdx round-trip', () => {
  // int16 0x0102 = 258 and 0xFFFE = −2, written big-endian by hand.
  const r = parseIdx(idx(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]));
  assert.equal(r.type, 'int16');
  assert.deepEqual([...r.data], [258, -2]);
  for (const [type, values] of [['int32', [1, -70000, 2 ** 31 - 1]], ['float32', [0.5, -2.25, 1e10]], ['float64', [Math.PI, -1e-300, 7]], ['int8', [-128, 5, 127]]] as const) {
    const back = parseIdx(encodeIdx(type, [3], values));
    assert.equal(back.type, type);
    assert.deepEqual([...back.data], values.map((v) => (type === 'float32' ? Math.fround(v) : v)));
  }
});

test('readIdx decompresses gzip files', () => {
  const raw = idx(0x08, [3], [7, 8, 9]);
  withFile(gzipSync(raw), (path) => {
    assert.deepEqual([...readIdx(path, { type: 'uint8', ndim: 1 }).data], [7, 8, 9]);
  });
  assert.throws(() => parseIdx(gzipSync(idx(0x08, [4000], new Array(4000).fill(0))), 'big.gz', { maxBytes: 1000 }), /big\.gz: gzip data decompresses to more than 1000 bytes/);
  assert.throws(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), 'junk.gz'), /junk\.gz: corrupt gzip data/);
});

test('readIdx rejects corrupt files with errors naming the file and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['bad magic (non-zero first bytes)', Uint8Array.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 5]), /bad magic number 0x12340801: an IDX file starts with two zero bytes/],
    ['unknown type byte', idx(0x07, [1], [5]), /unknown element type byte 0x07/],
    ['zero dims', Uint8Array.from([0, 0, 8, 0]), /0 dims/],
    ['too short for magic', Uint8Array.from([0, 0]), /too short for the 4-byte IDX magic number/],
    ['truncated header', Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2]), /truncated header: 3 dims need 16 header bytes, the file has 8/],
    ['truncated data', idx(0x08, [2, 28, 28], new Array(28 * 28).fill(1)), /dims \[2,28,28\] of uint8 need 1584 bytes .* the file has 800 \(truncated or dims too large\)/],
    ['dims too small', idx(0x08, [2], [1, 2, 3]), /need 10 bytes .* the file has 11 \(trailing bytes or dims too small\)/],
    ['huge dims', idx(0x08, [0xffffffff, 0xffffffff, 0xffffffff], [1, 2, 3]), /need .* bytes .* the file has 19/],
  ];
  for (const [what, bytes, pattern] of cases) {
    withFile(bytes, (path) => {
      assert.throws(() => readIdx(path), (e: Error) => {
        assert.match(e.message, pattern, what);
        assert.ok(e.message.includes(path), `${what}: names the file`);
        return true;
      });
    });
    assert.throws(() => parseIdx(bytes, 'mem'), pattern, `${what} (in memory)`);
  }
  const labels = idx(0x08, [3], [1, 2, 3]);
  assert.throws(() => parseIdx(labels, 'l', { ndim: 3 }), /magic number 0x00000801 says 1 dims, expected 3/);
  assert.throws(() => parseIdx(idx(0x0d, [1], [0, 0, 0, 0]), 'f', { type: 'uint8' }), /says element type float32, expected uint8/);
});

test('loadMnist: 60,000 + 10,000 digits, first training label 5, pixels in [0, 1]', () => {
  const train = loadMnist('train');
  const testSet = loadMnist('test');
  assert.deepEqual(train.images.shape, [60000, 1, 28, 28]);
  assert.deepEqual(train.labels.shape, [60000]);
  assert.deepEqual(testSet.images.shape, [10000, 1, 28, 28]);
  assert.deepEqual(testSet.labels.shape, [10000]);
  assert.equal(train.images.dtype, 'float32');
  assert.equal(train.labels.dtype, 'int32');
  // The well-known first labels of each split.
  assert.deepEqual([...train.labels.dataSync().subarray(0, 8)], [5, 0, 4, 1, 9, 2, 1, 3]);
  assert.deepEqual([...testSet.labels.dataSync().subarray(0, 5)], [7, 2, 1, 0, 4]);
  for (const set of [train, testSet]) {
    const counts = new Array(10).fill(0);
    for (const v of set.labels.dataSync()) counts[v]++;
    assert.equal(counts.reduce((a, b) => a + b), set.labels.shape[0]);
    assert.ok(counts.every((c) => c > 800), `every digit appears: ${counts}`);
    const px = set.images.dataSync();
    let lo = Infinity, hi = -Infinity, sum = 0;
    for (const v of px) { lo = Math.min(lo, v); hi = Math.max(hi, v); sum += v; }
    assert.equal(lo, 0);
    assert.equal(hi, 1);
    if (set === train) assert.ok(Math.abs(sum / px.length - data.MNIST_MEAN) < 1e-4, `mean ${sum / px.length}`);
  }
  // The first training image (a 5), checked against the raw file with Python: 166 non-zero
  // pixels, the first ones at row 5, columns 12…14 with bytes 3, 18, 18; byte 253 at (7, 12).
  const first = train.images.dataSync().subarray(0, 784);
  assert.equal(first.filter((v) => v > 0).length, 166);
  assert.deepEqual([...first.subarray(5 * 28 + 11, 5 * 28 + 15)], [0, 3 / 255, 18 / 255, 18 / 255].map(Math.fround));
  assert.equal(first[7 * 28 + 12], Math.fround(253 / 255));
  const limited = loadMnist('test', { limit: 3 });
  assert.deepEqual(limited.images.shape, [3, 1, 28, 28]);
  assert.deepEqual([...limited.labels.dataSync()], [7, 2, 1]);
  assert.throws(() => loadMnist('val' as 'train'), /split must be 'train' or 'test'/);
});
