/**
 * Weights in and out of a model as safetensors files, interchangeable with PyTorch: a file written
 * from a torchvision model's `state_dict()` loads into the zoo's twin (same keys, same shapes), and
 * a file written here loads into PyTorch with `model.load_state_dict(safetensors.torch.load_file(path))`.
 * @module
 */
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import type { AnyModule, LoadStateDictOptions, LoadStateDictResult } from '../nn/module.js';

/**
 * Loads a safetensors file into `model` (strict by default). PyTorch's int64 `num_batches_tracked`
 * becomes int32; every other tensor is converted to its target's dtype. A missing, unexpected or
 * mis-shaped tensor fails before anything is copied, naming the file, the key and both shapes.
 * @example models.loadWeights(net, 'resnet18.safetensors')
 */
export function loadWeights(model: AnyModule, path: string, options: LoadStateDictOptions = {}): LoadStateDictResult {
  const { tensors } = loadSafetensors(path);
  try {
    return model.loadStateDict(tensors, options);
  } catch (e) {
    throw new Error(`loadWeights: ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Saves `model.stateDict()` (parameters and persistent buffers, PyTorch's keys and order) as a
 * safetensors file, with `{ format: 'pt' }` in its metadata as PyTorch's writer puts it.
 * @example models.saveWeights(net, 'net.safetensors', { epoch: '3' })
 */
export function saveWeights(model: AnyModule, path: string, metadata: Readonly<Record<string, string>> = {}): void {
  saveSafetensors(path, model.stateDict(), { format: 'pt', ...metadata });
}
