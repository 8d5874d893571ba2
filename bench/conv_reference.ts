/**
 * Speed of the reference backend's conv2d: [8,16,32,32] * [32,16,3,3], padding 1 (37.7 M
 * multiply-adds), forward and forward+backward, median of 5 runs after a warm-up.
 * Run: node dist/bench/conv_reference.js
 */
import { functional as F, manualSeed, randn, setBackend } from '../src/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

setBackend('js');
manualSeed(0);
const x = randn([8, 16, 32, 32], { requiresGrad: true });
const w = randn([32, 16, 3, 3], { requiresGrad: true });
const b = randn([32], { requiresGrad: true });
F.conv2d(x, w, b, { padding: 1 }).sum().backward();
const fwd: number[] = [];
const both: number[] = [];
for (let i = 0; i < 5; i++) {
  let t0 = performance.now();
  const y = F.conv2d(x, w, b, { padding: 1 });
  fwd.push(performance.now() - t0);
  t0 = performance.now();
  F.conv2d(x, w, b, { padding: 1 }).sum().backward();
  both.push(performance.now() - t0);
  if (y.shape[1] !== 32) throw new Error('unexpected output shape');
}
console.log(`conv2d [8,16,32,32]*[32,16,3,3] on 'js': forward ${median(fwd).toFixed(0)} ms, forward+backward ${median(both).toFixed(0)} ms (median of 5)`);
