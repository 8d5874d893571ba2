/**
 * Class-model visualisation (Simonyan, Vedaldi & Zisserman 2014, "Deep inside convolutional
 * networks"): the image that a trained network finds most typical of a class,
 *
 *     I* = argmax_I  S_c(I) − λ‖I‖²₂,
 *
 * where S_c is the class's unnormalised score (the logit, not the softmax, so that the image
 * raises its own class rather than lowering the others). Found by gradient ascent on the image,
 * the network's weights fixed: I ← I + η·(∇_I S_c − 2λI), starting from small noise.
 * @module
 */
import { randn } from '../core/creation.js';
import { noGrad } from '../core/grad_mode.js';
import { tidy } from '../core/memory.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add_ } from '../ops/inplace.js';
import { detach, select } from '../ops/view.js';
import type { AnyModule } from '../nn/module.js';

/** Options of {@link classModel}. */
export interface ClassModelOptions {
  /** Shape of the image the model takes, batch dim included (default [1, 1, 28, 28]). */
  shape?: readonly number[];
  /** Gradient-ascent steps (default 200). */
  steps?: number;
  /** Step size η (default 1). */
  lr?: number;
  /** Weight λ of the L2 penalty (default 0.01). */
  lambda?: number;
  /** Standard deviation of the starting noise (default 0.01). */
  noise?: number;
}

/** The result of {@link classModel}. */
export interface ClassModelResult {
  /** The image I* (detached), of `shape`. */
  image: Tensor;
  /** S_c at every step (before its update), then at the end: steps + 1 values. */
  scores: number[];
}

/** The class score S_c of a model's output: logits [1, classes] (or GoogLeNet's `{ logits }`). */
function scoreOf(out: unknown, classIndex: number): Tensor {
  const logits = (typeof out === 'object' && out !== null && 'logits' in out ? (out as { logits: Tensor }).logits : out) as Tensor;
  if (logits.ndim !== 2 || logits.shape[0] !== 1) throw new Error(`classModel: expected logits [1, classes] from the model, got ${fmtShape(logits.shape)}`);
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= logits.shape[1]) {
    throw new Error(`classModel: class ${classIndex} is out of range for ${logits.shape[1]} classes`);
  }
  return select(select(logits, 0, 0), 0, classIndex);
}

/**
 * Gradient ascent on an input image to maximise S_c(I) − λ‖I‖² (see the module docs). The model
 * runs in eval mode with its parameters frozen for the duration (both restored afterwards), so
 * no parameter gradient is touched. Seed the global generator for a reproducible start.
 * @example const { image } = inspect.classModel(net, 3, { steps: 100 }); // what "3" looks like to net
 */
export function classModel(model: AnyModule, classIndex: number, options: ClassModelOptions = {}): ClassModelResult {
  const shape = [...(options.shape ?? [1, 1, 28, 28])];
  const steps = options.steps ?? 200;
  const lr = options.lr ?? 1;
  const lambda = options.lambda ?? 0.01;
  if (shape[0] !== 1) throw new Error(`classModel: shape must have batch size 1, got ${fmtShape(shape)}`);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`classModel: steps must be a non-negative integer, got ${steps}`);
  if (!(lr > 0)) throw new Error(`classModel: lr must be positive, got ${lr}`);
  if (!(lambda >= 0)) throw new Error(`classModel: lambda must be non-negative, got ${lambda}`);
  const wasTraining = model.training;
  const params = model.parameters();
  const flags = params.map((p) => p.requiresGrad);
  model.eval();
  for (const p of params) p.requiresGrad = false;
  const image = noGrad(() => randn(shape).mul(options.noise ?? 0.01));
  image.requiresGrad = true;
  const scores: number[] = [];
  try {
    for (let step = 0; step <= steps; step++) {
      tidy(() => {
        const score = scoreOf(model.call(image), classIndex);
        scores.push(score.item());
        if (step === steps) return;
        score.sub(image.mul(image).sum().mul(lambda)).backward();
        // The gradient of the objective already holds −2λI; ascend along it.
        noGrad(() => add_(image, image.grad!, { alpha: lr }));
        image.grad = null;
      });
    }
  } finally {
    model.train(wasTraining);
    params.forEach((p, i) => { p.requiresGrad = flags[i]; });
  }
  return { image: detach(image), scores };
}
