/**
 * `skipInit`: build a model without drawing its random weights, like PyTorch's
 * `torch.nn.utils.skip_init`. Worth it before loading a state dict into a big model: VGG-16's
 * 138 M weights take seconds to draw and are overwritten at once.
 * @module
 */
import { ConvNd, ConvTransposeNd } from '../nn/modules/conv.js';
import { Linear, Maxout } from '../nn/modules/linear.js';

let depth = 0;

/** True while a {@link skipInit} build runs (the model zoo's own init loops check it). */
export function isInitSkipped(): boolean {
  return depth > 0;
}

/** The layers whose constructors draw random weights through `resetParameters()`. */
const RANDOM_LAYERS: { resetParameters(): void }[] = [Linear.prototype, Maxout.prototype, ConvNd.prototype, ConvTransposeNd.prototype];

/**
 * Runs `build` with the random initialisation of Linear, Maxout and the convolutions switched off
 * (their constructors leave weights and biases at zero) and so is the model zoo's own
 * initialisation; BatchNorm still starts at γ = 1, β = 0. Load weights afterwards.
 * Calls nest. Other code that runs inside `build` sees the same switch, so keep `build` to construction.
 * @example
 * const net = skipInit(() => models.vgg16());
 * models.loadWeights(net, 'vgg16.safetensors');
 */
export function skipInit<T>(build: () => T): T {
  const saved = RANDOM_LAYERS.map((p) => p.resetParameters);
  if (depth === 0) {
    for (const p of RANDOM_LAYERS) p.resetParameters = () => {};
  }
  depth++;
  try {
    return build();
  } finally {
    depth--;
    if (depth === 0) RANDOM_LAYERS.forEach((p, i) => { p.resetParameters = saved[i]; });
  }
}
