/**
 * Loading the compiled kernels: reads dist/wasm/glubina-{simd,relaxed}.wasm synchronously, picks the
 * relaxed-SIMD build where the engine validates it, and describes the module's exports.
 *
 * Node 20 validates relaxed SIMD only after `--experimental-wasm-relaxed-simd` is set through
 * `v8.setFlagsFromString` before compiling (NODE_OPTIONS refuses the flag; newer Node ships it on);
 * the flag is process-wide, so worker threads that instantiate the module inherit it.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { wasmApi, type WasmInstance, type WasmMemory, type WasmModule } from './wasm_api.js';

/** Which compiled build: plain SIMD128, or relaxed SIMD (fused multiply-add in GEMM). */
export type KernelVariant = 'simd' | 'relaxed';

/** The kernels' exports (pointers are byte addresses in the shared memory; see assembly/). */
export interface KernelExports {
  dataEnd(): number;
  zeroBytes(dst: number, bytes: number): void;
  copyStrided(esize: number, src: number, dst: number, desc: number, start: number, end: number): void;
  convertStrided(from: number, to: number, src: number, dst: number, desc: number, start: number, end: number): void;
  fill1(dst: number, desc: number, value: number, start: number, end: number): void;
  fill4(dst: number, desc: number, bits: number, start: number, end: number): void;
  fill8(dst: number, desc: number, value: number, start: number, end: number): void;
  unaryF32(op: number, x: number, out: number, desc: number, start: number, end: number, lo: number, hi: number): void;
  binaryF32(op: number, a: number, b: number, out: number, desc: number, start: number, end: number): void;
  whereSelect(esize: number, cond: number, a: number, b: number, out: number, desc: number, start: number, end: number): void;
  reduceF32(op: number, x: number, out: number, O: number, R: number, I: number, so: number, sr: number, si: number, start: number, end: number): void;
  softmaxF32(x: number, out: number, O: number, L: number, I: number, log: number, o0: number, o1: number, i0: number, i1: number): void;
  gemmScratchBytes(): number;
  gemmPath(m: number, n: number, k: number, csA: number, rsB: number, csB: number): number;
  gemmF32(
    desc: number, a: number, b: number, c: number, m: number, n: number, k: number,
    rsA: number, csA: number, rsB: number, csB: number, scratch: number,
    b0: number, b1: number, i0: number, i1: number, j0: number, j1: number, accumulate: number,
  ): void;
  gather(esize: number, x: number, index: number, out: number, desc: number, step: number, start: number, end: number): void;
  scatterAddF32(out: number, index: number, src: number, desc: number, step: number, count: number): void;
  sgdStepF32(
    param: number, grad: number, buf: number, start: number, end: number,
    negLr: number, mu: number, oneMinusTau: number, wd: number, flags: number,
  ): void;
  adamStepF32(
    param: number, grad: number, expAvg: number, expAvgSq: number, maxSq: number, start: number, end: number,
    beta1: number, c1: number, beta2: number, c2: number, negStep: number, bc2Sqrt: number, eps: number,
    wd: number, decay: number, flags: number,
  ): void;
  im2colF32(x: number, out: number, geometry: number, r0: number, r1: number): void;
  conv1chF32(x: number, w: number, bias: number, out: number, O: number, geometry: number, scratch: number, n0: number, n1: number): void;
  conv1chWeightGradF32(dy: number, x: number, partial: number, N: number, O: number, geometry: number, chunk: number, scratch: number, c0: number, c1: number, withBias: number): void;
  conv1chWeightGradSumF32(partial: number, chunks: number, O: number, K: number, withBias: number, weight: number, bias: number): void;
  conv1chScratchBytes(geometry: number, chunk: number): number;
  convDirectF32(
    m: number, jA: number, jB: number, k: number, a: number, rsA: number, csA: number,
    x: number, geometry: number, cols: number, c: number, ldc: number, scratch: number, imageL: number, bias: number,
  ): void;
  convWeightGradDirectF32(
    m: number, k0: number, k1: number, NL: number, dy: number, x: number, geometry: number, c: number, ldc: number, scratch: number,
  ): void;
  convWeightGradScratchBytes(rows: number): number;
  convInputGradF32(
    dy: number, dyImage: number, dyChannel: number, w: number, dx: number, O: number, C: number, geometry: number,
    scratch: number, n0: number, n1: number,
  ): void;
  convInputGradScratchBytes(geometry: number, O: number): number;
  convImagesF32(
    x: number, w: number, bias: number, out: number, O: number, geometry: number, cols: number, work: number, n0: number, n1: number, j0: number, j1: number,
  ): void;
  convImagesInputGradF32(dy: number, w: number, dx: number, O: number, geometry: number, cols: number, work: number, n0: number, n1: number): void;
  convImagesWeightGradF32(
    dy: number, x: number, partials: number, O: number, geometry: number, cols: number, work: number, N: number, groups: number, q0: number, q1: number,
    k0: number, k1: number,
  ): void;
  avgPool2dF32(x: number, out: number, div: number, geometry: number, p0: number, p1: number): void;
  avgPool2dBackwardF32(grad: number, dx: number, div: number, geometry: number, p0: number, p1: number): void;
  col2imF32(cols: number, out: number, geometry: number, p0: number, p1: number): void;
  maxPool2dF32(
    x: number, values: number, indices: number, windows: number,
    H: number, W: number, oH: number, oW: number, rowStep: number, colStep: number, p0: number, p1: number,
  ): void;
  batchNormF32(
    x: number, out: number, w: number, b: number, mean: number, invstd: number, variance: number,
    N: number, C: number, S: number, eps: number, c0: number, c1: number,
  ): void;
  batchNormBackwardF32(
    x: number, dy: number, mean: number, invstd: number, w: number, dx: number, dw: number, db: number,
    N: number, C: number, S: number, c0: number, c1: number,
  ): void;
}

/** Names of the kernels a worker thread may be asked to run, indexed by the id sent to it. */
export const PARALLEL_KERNELS = [
  'copyStrided', 'fill1', 'fill4', 'fill8', 'unaryF32', 'binaryF32', 'whereSelect', 'reduceF32',
  'softmaxF32', 'gemmF32', 'gather', 'im2colF32', 'col2imF32', 'maxPool2dF32', 'convertStrided', 'sgdStepF32',
  'adamStepF32', 'batchNormF32', 'batchNormBackwardF32', 'avgPool2dF32', 'avgPool2dBackwardF32', 'convDirectF32',
  'conv1chF32', 'conv1chWeightGradF32', 'convInputGradF32', 'convWeightGradDirectF32', 'convImagesF32',
  'convImagesInputGradF32', 'convImagesWeightGradF32',
] as const;

/** A kernel a worker can run. */
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

/** Where the build script puts the compiled kernels (dist/wasm/, beside dist/src/). */
export function kernelUrl(variant: KernelVariant): URL {
  return new URL(`../../../wasm/glubina-${variant}.wasm`, import.meta.url);
}

let relaxedFlagSet = false;

/** Lets V8 compile relaxed SIMD (a no-op where it already can). */
function enableRelaxedSimd(): void {
  if (relaxedFlagSet) return;
  relaxedFlagSet = true;
  try {
    const v8 = createRequire(import.meta.url)('node:v8') as { setFlagsFromString(flags: string): void };
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // Not Node, or the flag is gone: validation below decides.
  }
}

/** A compiled kernel module and the build it came from. */
export interface CompiledKernels {
  readonly module: WasmModule;
  readonly variant: KernelVariant;
}

const compiled = new Map<KernelVariant, CompiledKernels>();

/**
 * Compiles the kernels synchronously. `preferred` 'auto' takes relaxed SIMD where the engine accepts
 * it and SIMD128 otherwise; naming a variant insists on it. Throws with the reason when WebAssembly,
 * the file or the engine's support is missing.
 */
export function compileKernels(preferred: KernelVariant | 'auto' = 'auto'): CompiledKernels {
  if (!wasmApi) throw new Error('wasm backend: this JavaScript runtime has no WebAssembly');
  const order: KernelVariant[] = preferred === 'auto' ? ['relaxed', 'simd'] : [preferred];
  const reasons: string[] = [];
  for (const variant of order) {
    const hit = compiled.get(variant);
    if (hit) return hit;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(kernelUrl(variant));
    } catch (e) {
      reasons.push(`${variant}: cannot read ${kernelUrl(variant).pathname} (run the build: npm run build)`);
      continue;
    }
    if (variant === 'relaxed') enableRelaxedSimd();
    if (!wasmApi.validate(bytes)) {
      reasons.push(`${variant}: this engine does not accept the ${variant === 'relaxed' ? 'relaxed-SIMD' : 'SIMD128'} build`);
      continue;
    }
    const result = { module: new wasmApi.Module(bytes), variant };
    compiled.set(variant, result);
    return result;
  }
  throw new Error(`wasm backend: no kernel build loads (${reasons.join('; ')})`);
}

/** Instantiates the kernels over `memory`. */
export function instantiate(module: WasmModule, memory: WasmMemory): KernelExports {
  const instance: WasmInstance = new wasmApi!.Instance(module, {
    env: {
      memory,
      abort: (_msg: number, _file: number, line: number, col: number) => {
        throw new Error(`wasm backend: kernel aborted at ${line}:${col}`);
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}
