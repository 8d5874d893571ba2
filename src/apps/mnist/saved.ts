/**
 * Trained MNIST models on disk: the weights file (`model.safetensors`, `best.safetensors`) or a
 * full checkpoint (`checkpoint.safetensors`), both carrying the run's configuration, so that
 * `eval` and `predict` can rebuild the model and its input normalisation from the file alone.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import type { Tensor } from '../../core/tensor.js';
import { unpackCheckpoint } from '../../io/checkpoint.js';
import { loadSafetensors } from '../../io/safetensors.js';
import { mnistConfig, type MnistConfig } from './config.js';
import { buildMnistModel, checkModelName, type MnistModel } from './models.js';

/** The safetensors metadata key holding the run's configuration as JSON. */
export const CONFIG_KEY = 'glubina.mnist';

/** The metadata strings that describe a model in its weights file. */
export function configMetadata(c: MnistConfig): Record<string, string> {
  return { [CONFIG_KEY]: JSON.stringify(c) };
}

/** Parses a configuration stored by {@link configMetadata} (or a checkpoint's), validating it. */
export function parseConfig(where: string, v: unknown): MnistConfig {
  if (typeof v !== 'object' || v === null || typeof (v as { model?: unknown }).model !== 'string') {
    throw new Error(`${where}: holds no MNIST model configuration (was it written by 'glubina train mnist'?)`);
  }
  const raw = v as Partial<MnistConfig> & { model: string };
  try {
    return mnistConfig(checkModelName(raw.model), raw);
  } catch (e) {
    throw new Error(`${where}: bad model configuration: ${(e as Error).message}`);
  }
}

/** A model loaded from disk, in evaluation mode. */
export interface LoadedMnistModel {
  model: MnistModel;
  config: MnistConfig;
  /** Epochs the weights were trained for, when the file says. */
  epoch: number | null;
}

/**
 * Loads a trained MNIST model from a weights file or a full checkpoint. Every failure (missing
 * file, not safetensors, truncated, no configuration, weights that do not fit the model) throws
 * an error naming the file.
 */
export function loadMnistModel(path: string): LoadedMnistModel {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new Error(`${path}: is a directory; give the weights file (model.safetensors) or the checkpoint (checkpoint.safetensors) inside it`);
  const data = loadSafetensors(path);
  let config: MnistConfig;
  let weights: ReadonlyMap<string, Tensor>;
  let epoch: number | null = null;
  if (data.metadata.format === 'glubina.checkpoint') {
    const ck = unpackCheckpoint(data, path);
    const user = (ck.metadata as { user?: { config?: unknown } } | null)?.user;
    config = parseConfig(path, user?.config);
    weights = ck.model;
    epoch = ck.epoch;
  } else {
    const json = data.metadata[CONFIG_KEY];
    if (json === undefined) throw new Error(`${path}: holds no MNIST model configuration (metadata '${CONFIG_KEY}' is missing; was it written by 'glubina train mnist'?)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      throw new Error(`${path}: metadata '${CONFIG_KEY}' is not valid JSON (${(e as Error).message})`);
    }
    config = parseConfig(path, parsed);
    weights = data.tensors;
    if (data.metadata.epoch !== undefined && /^\d+$/.test(data.metadata.epoch)) epoch = Number(data.metadata.epoch);
  }
  const model = buildMnistModel(config.model);
  try {
    model.loadStateDict(weights as Map<string, Tensor>);
  } catch (e) {
    throw new Error(`${path}: the weights do not fit the '${config.model}' model: ${(e as Error).message}`);
  }
  model.eval();
  return { model, config, epoch };
}
