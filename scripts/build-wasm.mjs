#!/usr/bin/env node
/**
 * Compiles the AssemblyScript kernels (assembly/index.ts) twice, into dist/wasm/:
 *   glubina-simd.wasm     SIMD128
 *   glubina-relaxed.wasm  SIMD128 + relaxed SIMD (f32x4.relaxed_madd in the GEMM micro-kernel)
 * Both import a shared memory (env.memory) so that worker threads compute on the same buffers.
 * Run by `npm run build` (and so by `npm ci` and `npm test`); needs only the npm package.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'wasm');
mkdirSync(outDir, { recursive: true });

const common = [
  join(root, 'assembly', 'index.ts'),
  '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert',
  '--runtime', 'stub',
  '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536',
  '--enable', 'simd', '--enable', 'threads',
];

const variants = { simd: [], relaxed: ['--enable', 'relaxed-simd'] };
for (const [name, extra] of Object.entries(variants)) {
  const out = join(outDir, `glubina-${name}.wasm`);
  const { error, stderr } = await asc.main([...common, ...extra, '--outFile', out]);
  if (error) {
    process.stderr.write(stderr.toString());
    console.error(`build-wasm: ${name} build failed: ${error.message}`);
    process.exit(1);
  }
}
