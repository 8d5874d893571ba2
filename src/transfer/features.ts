/**
 * A network as a feature extractor: the activations that its head (or any chosen layer) sees,
 * e.g. to train a small classifier on them or to compare images by their features.
 * @module
 */
import type { Tensor } from '../core/tensor.js';
import { Module, type AnyModule } from '../nn/module.js';
import { activationAt } from '../models/hooks.js';
import { findHead } from './head.js';

/** Options of {@link FeatureExtractor}. */
export interface FeatureExtractorOptions {
  /** The layer whose output is the feature (default: the input of the head, i.e. the penultimate features). */
  layer?: string;
}

/**
 * Wraps a model so that `call(x)` returns features instead of logits: by default the input of its
 * head (the penultimate layer: 512 numbers per image for ResNet-18, 4096 for VGG, 84 for LeNet-5),
 * or the output of `layer`. The layers after it do not run. The model stays a child (its
 * parameters are this module's, keys prefixed `model.`), so the extractor can be fine-tuned.
 * @example
 * const f = new transfer.FeatureExtractor(net); // f.call(x): [N, 512]
 */
export class FeatureExtractor extends Module {
  model: AnyModule;
  /** The layer whose output (or, for the head, whose input) is returned. */
  readonly layer: string;
  readonly #headInput: boolean;

  constructor(model: AnyModule, options: FeatureExtractorOptions = {}) {
    super();
    this.model = model;
    this.#headInput = options.layer === undefined;
    this.layer = options.layer ?? findHead(model)[0];
  }

  override forward(x: Tensor): Tensor {
    return activationAt(this.model, this.layer, x, { input: this.#headInput }) as Tensor;
  }

  override extraRepr(): string {
    return this.#headInput ? `input of ${this.layer}` : `output of ${this.layer}`;
  }
}

/** `new FeatureExtractor(model, options)`. */
export function featureExtractor(model: AnyModule, options: FeatureExtractorOptions = {}): FeatureExtractor {
  return new FeatureExtractor(model, options);
}
