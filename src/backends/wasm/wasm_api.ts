/**
 * The slice of the WebAssembly JavaScript API this backend uses, typed locally: the project compiles
 * against lib ES2022 without DOM, which has no `WebAssembly` declarations, and a global declaration
 * here could clash with one added later.
 * @module
 */

/** A compiled module (shareable with worker threads). */
export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

/** A (shared) linear memory. */
export interface WasmMemory {
  /** The bytes: a SharedArrayBuffer for a shared memory; replaced by a longer one after `grow`. */
  readonly buffer: ArrayBufferLike;
  /** Adds `pages` 64 KiB pages; returns the previous size in pages. */
  grow(pages: number): number;
}

/** An instantiated module. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/** The global `WebAssembly` object, or undefined where the runtime has none. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes in one WebAssembly page. */
export const PAGE_BYTES = 65536;
