/**
 * Which images excite a filter most: run a data set through a trained model, score every image by
 * the activation of one channel at one layer, keep the top k (Zeiler & Fergus 2014 show such
 * patches; here the whole images).
 * @module
 */
import { noGrad } from '../core/grad_mode.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/memory.js';
import { amax, mean } from '../ops/reduce.js';
import { flatten, narrow } from '../ops/view.js';
import type { AnyModule } from '../nn/module.js';
import { activationAt } from '../models/hooks.js';

/** Options of {@link topActivatingImages}. */
export interface TopActivationOptions {
  /** Channels (filters) to rank images for (default: every channel of the layer). */
  channels?: readonly number[];
  /** Images kept per channel (default 9). */
  k?: number;
  /** Score of an image: the 'mean' (default) or 'max' of the channel's activation map. */
  reduce?: 'mean' | 'max';
  /** Images per forward pass (default 256). */
  batchSize?: number;
}

/** The top images of one channel. */
export interface ChannelTop {
  channel: number;
  /** Indices into the images, best first. */
  indices: number[];
  /** Their scores, descending. */
  scores: number[];
}

/**
 * For every requested channel of the layer at `layer` (a dotted module path, e.g. `features.3`),
 * the `k` images of `images` [N, C, H, W] whose activation map has the highest mean (or max).
 * A layer with flat outputs [N, F] scores by the feature itself. Runs in eval mode without
 * gradients; the model's mode is restored. Ties keep the lower index first.
 * @example inspect.topActivatingImages(net, 'features.3', testImages, { channels: [0, 1], k: 8 })
 */
export function topActivatingImages(model: AnyModule, layer: string, images: Tensor, options: TopActivationOptions = {}): ChannelTop[] {
  if (!(images instanceof Tensor) || images.ndim < 2) throw new Error(`topActivatingImages: expected images [N, …], got ${images instanceof Tensor ? fmtShape(images.shape) : typeof images}`);
  const k = options.k ?? 9;
  const batch = options.batchSize ?? 256;
  const reduce = options.reduce ?? 'mean';
  if (!Number.isInteger(k) || k < 1) throw new Error(`topActivatingImages: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`topActivatingImages: batchSize must be a positive integer, got ${batch}`);
  if (reduce !== 'mean' && reduce !== 'max') throw new Error(`topActivatingImages: reduce must be 'mean' or 'max', got '${String(reduce)}'`);
  const n = images.shape[0];
  const wasTraining = model.training;
  model.eval();
  let scores: Float64Array[] = [];
  let channels: number[] = [];
  try {
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const block = tidy(() => noGrad(() => {
        const act = activationAt(model, layer, narrow(images, 0, start, size));
        if (!(act instanceof Tensor) || act.ndim < 2) throw new Error(`topActivatingImages: layer '${layer}' does not output a tensor [N, C, …]`);
        // One score per image and channel: [N, C].
        return act.ndim === 2 ? act : reduce === 'mean' ? mean(flatten(act, 2), 2) : amax(flatten(act, 2), 2);
      }));
      const c = block.shape[1];
      if (start === 0) {
        channels = options.channels ? [...options.channels] : Array.from({ length: c }, (_, i) => i);
        for (const ch of channels) {
          if (!Number.isInteger(ch) || ch < 0 || ch >= c) throw new Error(`topActivatingImages: channel ${ch} is out of range for layer '${layer}' with ${c} channels`);
        }
        scores = channels.map(() => new Float64Array(n));
      }
      const data = block.dataSync();
      channels.forEach((ch, j) => {
        for (let i = 0; i < size; i++) scores[j][start + i] = data[i * c + ch];
      });
      block.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return channels.map((channel, j) => {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[j][b] - scores[j][a] || a - b).slice(0, k);
    return { channel, indices: order, scores: order.map((i) => scores[j][i]) };
  });
}
