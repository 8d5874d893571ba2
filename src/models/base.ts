/**
 * What every model of the zoo shares: the common options, input validation, and errors that name
 * the layer where a forward pass failed (for an input that is too small, the layer where the
 * spatial size reaches zero).
 * @module
 */
import { convOutSize, poolOutSize } from '../core/conv_shape.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { failedModule, Module, type AnyModule } from '../nn/module.js';
import { ConvNd } from '../nn/modules/conv.js';
import { AvgPoolNd, MaxPoolNd } from '../nn/modules/pooling.js';

/** Options every model takes. */
export interface ModelOptions {
  /** Channels of the input image (default 3; 1 for LeNet-5 and grey images). */
  inChannels?: number;
  /** Size of the last layer's output (default 1000, the ImageNet classes; 10 for LeNet-5 and the CIFAR ResNets). */
  numClasses?: number;
}

/** Throws unless `v` is a positive integer. */
export function checkPositive(model: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${model}: ${name} must be a positive integer, got ${v}`);
}

/** Throws unless `v` is a probability in [0, 1]. */
export function checkProbability(model: string, name: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new Error(`${model}: ${name} must be in [0, 1], got ${v}`);
}

/** Output H×W a conv or pooling layer would give for an input [N, C, H, W], or null for other layers. */
export function layerOutputSize(module: AnyModule, input: readonly number[]): [number, number] | null {
  if (input.length < 2) return null;
  const hw = input.slice(-2);
  if (module instanceof ConvNd && module.spatial === 2) {
    return [0, 1].map((d) => convOutSize(hw[d], module.kernelSize[d], module.stride[d], module.paddingBefore[d], module.paddingAfter[d], module.dilation[d])) as [number, number];
  }
  if ((module instanceof MaxPoolNd || module instanceof AvgPoolNd) && module.spatial === 2) {
    const dilation = module instanceof MaxPoolNd ? module.dilation : [1, 1];
    return [0, 1].map((d) => poolOutSize(hw[d], module.kernelSize[d], module.stride[d], module.padding[d], dilation[d], module.ceilMode)) as [number, number];
  }
  return null;
}

/** Where a forward pass failed: the innermost layer that threw, with what it was given. */
interface Failure {
  path: string;
  module: AnyModule;
  input: readonly number[] | null;
}

/**
 * Base class of the zoo's models: `call(x)` checks that `x` is [N, inChannels, H, W] and, when the
 * forward pass fails, rethrows naming the layer, e.g.
 * `vgg11: features.20 (MaxPool2d) output would be 0×0 for input [1,3,16,16] (the layer's input is [1,512,1,1])`.
 */
export abstract class VisionModel<Out = Tensor> extends Module<[Tensor], Out> {
  /** The model's name as the zoo knows it (`resnet18`, `vgg16_bn`…), used in errors. */
  readonly modelName: string;
  /** Channels the first layer takes. */
  readonly inChannels: number;
  /** Size of the classifier's output. */
  readonly numClasses: number;

  protected constructor(modelName: string, inChannels: number, numClasses: number) {
    super();
    this.modelName = modelName;
    checkPositive(modelName, 'inChannels', inChannels);
    checkPositive(modelName, 'numClasses', numClasses);
    this.inChannels = inChannels;
    this.numClasses = numClasses;
  }

  /** Throws unless `x` is a float tensor [N, inChannels, H, W]. */
  protected checkInput(x: Tensor): void {
    if (!(x instanceof Tensor)) throw new Error(`${this.modelName}: expected a Tensor input, got ${x === null ? 'null' : typeof x}`);
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(`${this.modelName}: expected an input [N, ${this.inChannels}, H, W], got ${fmtShape(x.shape)}`);
    }
    if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new Error(`${this.modelName}: expected a float input, got ${x.dtype}`);
  }

  /** Runs `forward(x)` after {@link VisionModel.checkInput}; a failure names the layer (see the class docs). */
  override call(x: Tensor): Out {
    this.checkInput(x);
    try {
      return this.forward(x);
    } catch (e) {
      // Module.call noted the innermost layer that threw: name it by its path under this model.
      const failed = failedModule(e);
      if (failed === null || failed.module === (this as unknown) || (e instanceof Error && e.message.startsWith(`${this.modelName}: `))) throw e;
      let path: string | null = null;
      for (const [p, m] of this.namedModules()) if (m === failed.module) path = p;
      if (path === null) throw e;
      const a = failed.args[0];
      throw this.explain({ path, module: failed.module, input: a instanceof Tensor ? [...a.shape] : null }, x, e);
    }
  }

  /** The error to throw for a failure at `f` (the original error becomes its `cause`). */
  private explain(f: Failure, x: Tensor, cause: unknown): Error {
    const what = `${f.path} (${f.module.constructor.name})`;
    const message = cause instanceof Error ? cause.message : String(cause);
    const out = f.input ? layerOutputSize(f.module, f.input) : null;
    if (out && f.input && (out[0] < 1 || out[1] < 1)) {
      const [h, w] = out.map((s) => Math.max(s, 0));
      return new Error(
        `${this.modelName}: ${what} output would be ${h}×${w} for input ${fmtShape(x.shape)} (the layer's input is ${fmtShape(f.input)}); ` +
          'the input image is too small for this model',
        { cause },
      );
    }
    return new Error(`${this.modelName}: ${what} failed for input ${fmtShape(x.shape)}: ${message}`, { cause });
  }
}
