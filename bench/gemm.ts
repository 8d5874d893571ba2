/**
 * GEMM benchmark of the wasm backend: float32 n×n @ n×n for n = 128…2048, with the SIMD128 and the
 * relaxed-SIMD kernel builds, on 1 and 2 threads. Prints GFLOP/s (2n³ / time), the median of
 * several timed runs after a warm-up.
 *
 * Run: `node dist/bench/gemm.js [sizes…]`, e.g. `node dist/bench/gemm.js 256 1024`.
 * Thread scaling on small shared VMs varies from run to run: compare medians, not single runs.
 */
import { pathToFileURL } from 'node:url';
import type { View } from '../src/core/backend.js';
import { WasmBackend } from '../src/backends/wasm/backend.js';
import { compileKernels, type KernelVariant } from '../src/backends/wasm/kernels.js';

/** One measured configuration. */
export interface GemmResult {
  variant: KernelVariant;
  threads: number;
  n: number;
  gflops: number;
}

function randomData(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median GFLOP/s of `backend`'s float32 n×n GEMM. */
export function measureGemm(backend: WasmBackend, n: number): number {
  const view = (data: Float32Array): View => ({ storage: backend.fromArray(data), shape: [n, n], strides: [n, 1], offset: 0 });
  const a = view(randomData(n * n, 1));
  const b = view(randomData(n * n, 2));
  const flops = 2 * n ** 3;
  // Enough repetitions for ~0.2 s per timed run, at least 5 runs.
  const once = (): number => {
    const t0 = performance.now();
    backend.release(backend.matmul(a, b, 'float32'));
    return performance.now() - t0;
  };
  once();
  const reps = Math.max(1, Math.ceil(200 / Math.max(once(), 0.01)));
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    let total = 0;
    for (let r = 0; r < reps; r++) total += once();
    times.push(total / reps);
  }
  backend.release(a.storage);
  backend.release(b.storage);
  return flops / (median(times) * 1e6);
}

/** Runs every configuration; variants the engine cannot compile are skipped. */
export function runGemmBench(sizes: number[], threadCounts = [1, 2]): GemmResult[] {
  const results: GemmResult[] = [];
  for (const variant of ['simd', 'relaxed'] as KernelVariant[]) {
    try {
      compileKernels(variant);
    } catch (e) {
      console.log(`(${variant}: ${(e as Error).message})`);
      continue;
    }
    const backend = new WasmBackend({ variant, threads: 1 });
    for (const threads of threadCounts) {
      backend.setNumThreads(threads);
      if (threads > 1 && backend.waitForThreads(20000) < threads) console.log(`(only ${backend.waitForThreads(0)} threads ready)`);
      for (const n of sizes) results.push({ variant, threads, n, gflops: measureGemm(backend, n) });
    }
    backend.closeThreads();
  }
  return results;
}

/** A markdown table: one row per size, one column per (variant, threads). */
export function formatGemmTable(results: GemmResult[]): string {
  const cols = [...new Set(results.map((r) => `${r.variant}, ${r.threads} thread${r.threads > 1 ? 's' : ''}`))];
  const sizes = [...new Set(results.map((r) => r.n))];
  const lines = [`| n | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`];
  for (const n of sizes) {
    const cells = cols.map((c) => {
      const r = results.find((x) => x.n === n && `${x.variant}, ${x.threads} thread${x.threads > 1 ? 's' : ''}` === c);
      return r ? r.gflops.toFixed(1) : '—';
    });
    lines.push(`| ${n} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2).map(Number).filter((v) => Number.isInteger(v) && v > 0);
  const sizes = args.length > 0 ? args : [128, 256, 512, 1024, 2048];
  console.log('float32 GEMM, GFLOP/s (median of 5 runs):');
  console.log(formatGemmTable(runGemmBench(sizes)));
}
