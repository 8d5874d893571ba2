/**
 * The part of TensorFlow.js's API the benchmark uses, typed by hand, and its loader.
 *
 * Why not `import * as tf from '@tensorflow/tfjs'`: its 600 declaration files would triple the
 * project's `tsc` time (7 s → 33 s here) for everyone, for one benchmark file. The packages are
 * loaded at run time instead; these signatures follow tfjs 4.22's.
 * @module
 */
import { createRequire } from 'node:module';

/** A tfjs tensor (only what the benchmark calls). */
export interface TfTensor {
  readonly shape: number[];
  sum(): TfTensor;
  dispose(): void;
}

/** A layer configuration object, passed through to tfjs unchanged. */
export type LayerArgs = Record<string, string | number | boolean | number[] | null>;

/** An opaque tfjs layer. */
export interface TfLayer {
  readonly name: string;
}

/** `tf.Sequential` (a LayersModel). */
export interface TfSequential {
  apply(x: TfTensor, kwargs?: { training?: boolean }): TfTensor | TfTensor[];
  dispose(): unknown;
}

/** `tf.train.momentum(...)`'s optimizer. */
export interface TfOptimizer {
  minimize(f: () => TfTensor, returnCost?: boolean): TfTensor | null;
  dispose(): void;
}

/** Arguments of `tf.fused.conv2d`. */
export interface FusedConvArgs {
  x: TfTensor;
  filter: TfTensor;
  bias?: TfTensor;
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
}

/** `@tensorflow/tfjs`, as far as the benchmark uses it. */
export interface Tfjs {
  version: { tfjs: string };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  randomNormal(shape: number[]): TfTensor;
  randomUniform(shape: number[], minval: number, maxval: number, dtype: 'int32' | 'float32'): TfTensor;
  oneHot(indices: TfTensor, depth: number): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  relu(x: TfTensor): TfTensor;
  dispose(x: TfTensor | TfTensor[] | TfTensor[][]): void;
  tidy(fn: () => void): void;
  grads(f: (...args: TfTensor[]) => TfTensor): (args: TfTensor[]) => TfTensor[];
  fused: { conv2d(args: FusedConvArgs): TfTensor };
  sequential(config: { layers: TfLayer[] }): TfSequential;
  layers: {
    conv2d(args: LayerArgs): TfLayer;
    averagePooling2d(args: LayerArgs): TfLayer;
    flatten(args?: LayerArgs): TfLayer;
    dense(args: LayerArgs): TfLayer;
  };
  train: { momentum(learningRate: number, momentum: number): TfOptimizer };
  losses: { softmaxCrossEntropy(onehotLabels: TfTensor, logits: TfTensor): TfTensor };
}

/** `@tensorflow/tfjs-backend-wasm`'s configuration function. */
export interface TfjsWasm {
  setWasmPaths(prefix: string): void;
}

const require = createRequire(import.meta.url);

/** Loads `@tensorflow/tfjs` (which registers its CPU backend). */
export function loadTfjs(): Tfjs {
  return require('@tensorflow/tfjs') as Tfjs;
}

/**
 * Loads `@tensorflow/tfjs-backend-wasm` (registering the 'wasm' backend) and the directory holding
 * its .wasm files, to be given to `setWasmPaths`.
 */
export function loadTfjsWasm(): { wasm: TfjsWasm; dir: string } {
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return { wasm: require('@tensorflow/tfjs-backend-wasm') as TfjsWasm, dir: main.slice(0, main.lastIndexOf('/') + 1) };
}
