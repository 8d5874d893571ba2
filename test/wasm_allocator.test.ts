/**
 * The wasm backend's heap allocator on its own (no WebAssembly needed): size classes, reuse of
 * freed blocks, alignment, growth, coalescing, and no overlap under random alloc/free.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALIGN, Allocator, HEADER, sizeClass } from '../src/backends/wasm/allocator.js';

/**
 * An allocator over [base, end) of a plain buffer that grows (like linear memory: a new, longer
 * view) in 64 KiB steps up to `limit`, recording each growth.
 */
function makeHeap(base = 1024, end = 65536, limit = 1 << 26): { heap: Allocator; grows: number[] } {
  const grows: number[] = [];
  let cur = end;
  let mem = new Int32Array(Math.ceil(end / 4));
  const heap = new Allocator(base, end, (min) => {
    const next = Math.min(limit, cur + Math.ceil(Math.max(min, cur / 4) / 65536) * 65536);
    grows.push(next - cur);
    const bigger = new Int32Array(next / 4);
    bigger.set(mem);
    mem = bigger;
    cur = next;
    return cur;
  }, () => mem);
  return { heap, grows };
}

test('size classes: multiples of 16 up to 256, then four per power of two, each ≥ the request and < 1.25× it', () => {
  assert.equal(sizeClass(0), 16);
  assert.equal(sizeClass(1), 16);
  assert.equal(sizeClass(17), 32);
  assert.equal(sizeClass(256), 256);
  assert.equal(sizeClass(257), 320);
  assert.equal(sizeClass(1024), 1024);
  assert.equal(sizeClass(1025), 1280);
  assert.equal(sizeClass(4000), 4096);
  for (let b = 1; b < 1 << 22; b = Math.ceil(b * 1.37) + 1) {
    const c = sizeClass(b);
    assert.ok(c >= b, `class of ${b} is ${c}`);
    assert.equal(c % ALIGN, 0);
    if (b > 256) {
      assert.ok(c < 1.25 * b + 64, `class of ${b} is ${c}`);
      assert.equal(c % 64, 0);
    }
  }
});

test('blocks are 16-byte aligned and a freed block is reused for the same size class', () => {
  const { heap } = makeHeap(1000);
  const a = heap.alloc(100);
  const b = heap.alloc(4000);
  const c = heap.alloc(3);
  for (const p of [a, b, c]) assert.equal(p % ALIGN, 0);
  assert.ok(a >= 1000 + HEADER);
  heap.release(b);
  assert.equal(heap.alloc(3900), b, 'same class (4096) reuses the block');
  heap.release(a);
  assert.equal(heap.alloc(112), a, '100 and 112 bytes share the 112-byte class');
  assert.deepEqual({ live: heap.stats().liveBlocks, free: heap.stats().freeBytes }, { live: 3, free: 0 });
});

test('freeing a block twice (or a pointer never allocated) throws', () => {
  const { heap } = makeHeap();
  const a = heap.alloc(64);
  heap.release(a);
  assert.throws(() => heap.release(a), /not a live block/);
  assert.throws(() => heap.release(12345), /not a live block/);
  assert.throws(() => heap.release(a + 16), /not a live block/);
});

test('the heap grows when full, by at least what is needed', () => {
  const { heap, grows } = makeHeap(1024, 65536);
  const big = heap.alloc(1 << 20);
  assert.ok(grows.length >= 1);
  assert.ok(big + (1 << 20) <= heap.stats().capacity);
  const more = heap.alloc(3 << 20);
  assert.ok(more >= big + (1 << 20));
  assert.ok(more + (3 << 20) <= heap.stats().capacity);
});

test('before growing, adjacent free blocks merge and a free run at the top is given back', () => {
  const { heap, grows } = makeHeap(0, 16 * (HEADER + 4096));
  const blocks = Array.from({ length: 16 }, () => heap.alloc(4096)); // fills the memory
  for (const p of blocks) heap.release(p);
  // 32 KiB fits no 4 KiB free list and not above the top, but the merged blocks give the room back.
  const big = heap.alloc(32768);
  assert.equal(grows.length, 0, 'no growth needed');
  assert.equal(big, HEADER);
  assert.equal(heap.stats().top, HEADER + 32768);
});

test('a free block in the middle is split to serve a smaller class before the heap grows', () => {
  const { heap, grows } = makeHeap(0, 3 * HEADER + 32768 + 4096 + 28672);
  const a = heap.alloc(32768);
  const guard = heap.alloc(4096);
  heap.release(a);
  const filler = heap.alloc(28672); // exactly the rest of the memory
  assert.equal(heap.stats().top, heap.stats().capacity);
  const x = heap.alloc(5000); // no 5120-byte list, no room at the top: take the front of a's block
  assert.equal(grows.length, 0);
  assert.equal(x, a);
  assert.equal(heap.stats().freeBytes, 32768 - 5120);
  assert.equal(heap.sizeOf(x), 5120);
  assert.ok(guard > a && filler > guard);
});

test('a miss splits a free block before merging: freed blocks stay on their size-class lists', () => {
  const { heap, grows } = makeHeap(0, 3 * HEADER + 32768 + 4096 + 28672);
  const a = heap.alloc(32768);
  heap.alloc(4096); // guard
  heap.release(a);
  heap.alloc(28672); // the memory is now full: top = capacity
  const x = heap.alloc(5000); // the front of a's block (5120-byte class)
  heap.release(x);
  // A new class takes the rest of a's block; merging x back in first would have handed out a again.
  const y = heap.alloc(6000);
  assert.equal(y, a + 5120 + HEADER);
  // x's block waited on its list and comes back for the next request of its class.
  assert.equal(heap.alloc(5000), x);
  assert.equal(grows.length, 0);
});

test('running out of memory throws an error saying what is held', () => {
  const { heap } = makeHeap(0, 65536, 131072);
  heap.alloc(60000);
  assert.throws(() => heap.alloc(100000), /out of memory allocating 114688 bytes \(65536 bytes held in 1 storages/);
});

test('random alloc/free never hands out overlapping live blocks and keeps the counts right', () => {
  const { heap } = makeHeap(64, 65536, 1 << 27);
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const live = new Map<number, number>();
  for (let step = 0; step < 20000; step++) {
    if (live.size > 0 && rand() < 0.45) {
      const keys = [...live.keys()];
      const p = keys[Math.floor(rand() * keys.length)];
      heap.release(p);
      live.delete(p);
    } else {
      const bytes = Math.floor(Math.exp(rand() * Math.log(200000)));
      const p = heap.alloc(bytes);
      assert.equal(p % ALIGN, 0);
      assert.ok(!live.has(p), `pointer ${p} handed out twice`);
      live.set(p, bytes);
    }
    if (step % 997 === 0) {
      const spans = [...live].sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++) {
        assert.ok(spans[i - 1][0] + spans[i - 1][1] + HEADER <= spans[i][0], `blocks at ${spans[i - 1][0]} and ${spans[i][0]} overlap`);
      }
      const st = heap.stats();
      assert.equal(st.liveBlocks, live.size);
      assert.equal(st.liveBytes, [...live.values()].reduce((s, b) => s + sizeClass(b), 0));
    }
  }
});
