/**
 * glubina: tensors, define-by-run autograd and neural networks for TypeScript, with PyTorch's semantics.
 * @example
 * import { tensor } from 'glubina';
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad!.toArray(); // [[2, 4], [6, 8]]
 * @module
 */
import './backends/js/index.js';
// Registers 'wasm' and selects it when it loads (GLUBINA_BACKEND=js|wasm overrides).
import './backends/wasm/index.js';
import './core/memory.js';
import './ops/methods.js';
import './autograd/methods.js';

export { Tensor, type NestedArray, type GradNode } from './core/tensor.js';
export type { DType, TypedArray } from './core/dtype.js';
export type { Shape } from './core/shape.js';
export {
  tensor, fromTypedArray, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randperm, randLike, randnLike,
  type CreateOptions, type TensorOptions, type RandomOptions,
} from './core/creation.js';
export { manualSeed, getRngState, setRngState, Generator, defaultGenerator } from './core/random.js';
export { noGrad, enableGrad, isGradEnabled } from './core/grad_mode.js';
export {
  setBackend, getBackend, getBackendName, listBackends, registerBackend,
  type Backend, type Storage, type View, type MemoryInfo, type UnaryOp, type BinaryOp, type ReduceOp,
} from './core/backend.js';
export { gradcheck, type GradcheckOptions } from './autograd/gradcheck.js';
export { tidy, keep, dispose } from './core/memory.js';
export { setNumThreads, getNumThreads, WasmBackend, type WasmBackendOptions, type WasmMemoryInfo } from './backends/wasm/index.js';
export type { BackwardOptions } from './autograd/engine.js';
export * from './ops/index.js';
export * as functional from './nn/functional.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
export * as report from './report/index.js';
export * as models from './models/index.js';
export * as transfer from './transfer/index.js';
export * as inspect from './inspect/index.js';
export * as analysis from './analysis/index.js';
export * as train from './train/index.js';

import { getBackend } from './core/backend.js';
import type { MemoryInfo } from './core/backend.js';
/** Bytes and storages the current backend holds. */
export function memory(): MemoryInfo {
  return getBackend().memory();
}
