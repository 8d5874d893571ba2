/**
 * Freezing: which parameters learn. A frozen parameter has `requiresGrad = false`, so backward
 * computes no gradient for it and optimisers skip it (their step ignores a null `.grad`).
 * @module
 */
import type { AnyModule } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';

/**
 * Freezes every parameter of `module` (requiresGrad = false) and returns it. BatchNorm layers
 * still update their running statistics in training mode; call `.eval()` on the frozen part to
 * keep those fixed too.
 * @example transfer.freeze(net.features)
 */
export function freeze<M extends AnyModule>(module: M): M {
  for (const p of module.parameters()) p.requiresGrad = false;
  return module;
}

/** Unfreezes every parameter of `module` (requiresGrad = true) and returns it. */
export function unfreeze<M extends AnyModule>(module: M): M {
  for (const p of module.parameters()) p.requiresGrad = true;
  return module;
}

/** The parameters that learn (requiresGrad), in order: what to give the optimiser after freezing. */
export function trainableParameters(module: AnyModule): Parameter[] {
  return module.parameters().filter((p) => p.requiresGrad);
}

/** Layers with parameters of their own (Conv2d, Linear, BatchNorm…), in registration order, with their paths. */
export function parameterLayers(module: AnyModule): [string, AnyModule][] {
  return module.namedModules().filter(([, m]) => m.parameters(false).length > 0);
}

/**
 * Freezes everything but the last `n` layers that have parameters (in registration order, which
 * is the forward order in the zoo's models; a BatchNorm counts as a layer) and returns their paths.
 * @example transfer.trainLastN(vgg, 2) // ['classifier.3', 'classifier.6']: VGG's last two Linear layers
 */
export function trainLastN(module: AnyModule, n: number): string[] {
  const layers = parameterLayers(module);
  if (!Number.isInteger(n) || n < 0 || n > layers.length) {
    throw new Error(`trainLastN: n must be an integer in [0, ${layers.length}] (the layers with parameters), got ${n}`);
  }
  freeze(module);
  const last = layers.slice(layers.length - n);
  for (const [, m] of last) unfreeze(m);
  return last.map(([p]) => p);
}
