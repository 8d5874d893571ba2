/**
 * Registers the WebAssembly backend as `'wasm'` and makes it the default where it loads.
 *
 * Selection at startup: the environment variable GLUBINA_BACKEND (`wasm` or `js`) when set (the test
 * script runs the op specs once per value); otherwise `wasm` when its kernels compile here, else the
 * TypeScript reference backend `js`. GLUBINA_WASM_VARIANT (`simd` | `relaxed`) forces a kernel build,
 * GLUBINA_NUM_THREADS the thread count.
 * @module
 */
import { getBackend, registerBackend, setBackend } from '../../core/backend.js';
import { WasmBackend, type WasmBackendOptions, type WasmMemoryInfo } from './backend.js';
import { compileKernels } from './kernels.js';

let instance: WasmBackend | null = null;
let loadError: Error | null = null;

/** The process-wide wasm backend (created on first use). */
export function wasmBackend(): WasmBackend {
  if (instance === null) instance = new WasmBackend();
  return instance;
}

/** Why the wasm backend cannot load here, or null when it can. */
export function wasmLoadError(): Error | null {
  return loadError;
}

/**
 * Sets how many threads big ops use on the wasm backend (the calling thread included); 1 turns the
 * worker pool off. Defaults to the number of cores.
 */
export function setNumThreads(n: number): void {
  wasmBackend().setNumThreads(n);
}

/** The wasm backend's thread count. */
export function getNumThreads(): number {
  return wasmBackend().numThreads;
}

try {
  compileKernels();
} catch (e) {
  loadError = e instanceof Error ? e : new Error(String(e));
}

const requested = process.env.GLUBINA_BACKEND;
if (loadError === null) registerBackend('wasm', wasmBackend);
if (requested === 'wasm' && loadError !== null) throw loadError;
if (requested !== undefined && requested !== '') {
  setBackend(requested);
} else if (loadError === null) {
  setBackend('wasm');
}
// Fail here, at import, rather than at the first tensor.
if (getBackend().name === 'wasm') wasmBackend();

export { WasmBackend, type WasmBackendOptions, type WasmMemoryInfo };
