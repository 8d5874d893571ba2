/**
 * LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to document
 * recognition"), the convolutional network of the digit-reading cheques.
 *
 * | layer | paper | here | output (32×32 input) | parameters |
 * |---|---|---|---|---|
 * | C1 `features.0` | 6 conv 5×5 | Conv2d(C, 6, 5) + tanh | 6×28×28 | 156 |
 * | S2 `features.2` | subsampling 2×2 (trainable coefficient and bias) | AvgPool2d(2) | 6×14×14 | 0 |
 * | C3 `features.3` | 16 conv 5×5 on a partial connection table (1,516 params) | Conv2d(6, 16, 5) + tanh, fully connected | 16×10×10 | 2,416 |
 * | S4 `features.5` | subsampling 2×2 | AvgPool2d(2) | 16×5×5 | 0 |
 * | C5 `features.6` | 120 conv 5×5 | Conv2d(16, 120, 5) + tanh | 120×1×1 | 48,120 |
 * | F6 `classifier.0` | 84 units, scaled tanh | Linear(120, 84) + tanh | 84 | 10,164 |
 * | output `classifier.2` | 10 Euclidean RBF units | Linear(84, 10) (logits for cross-entropy) | 10 | 850 |
 *
 * 61,706 parameters for one input channel and 10 classes (the paper's variant: 60,000 trainable
 * parameters). The modern simplifications are the usual ones: average pooling for S2/S4, a full
 * C3, plain tanh, a linear output layer.
 *
 * Input size. The paper feeds 32×32 images: MNIST's 28×28 digits centred in a 32×32 field, so that
 * strokes can reach the centre of C3's receptive fields. With `inputSize: 28`, C1 pads by 2 on
 * every side: the same as padding the image with zeros to 32×32 (the background after
 * normalisation is not exactly zero, so normalise MNIST to a zero background or accept the tiny
 * difference). Other sizes ≥ 32 are accepted: C5 then has an output larger than 1×1 and F6 takes
 * 120·s² inputs.
 * @module
 */
import type { RFNode } from '../analysis/rf_registry.js';
import type { Tensor } from '../core/tensor.js';
import { flatten } from '../ops/view.js';
import { Sequential } from '../nn/modules/container.js';
import { Conv2d } from '../nn/modules/conv.js';
import { Linear } from '../nn/modules/linear.js';
import { AvgPool2d, MaxPool2d } from '../nn/modules/pooling.js';
import { ReLU, Tanh } from '../nn/modules/activation.js';
import { VisionModel, checkPositive, type ModelOptions } from './base.js';

/** Options of {@link lenet5}. */
export interface LeNet5Options extends ModelOptions {
  /** Side of the square input: 32 (the paper's, default), 28 (MNIST: C1 pads by 2) or any size ≥ 32. */
  inputSize?: number;
  /** Nonlinearity after C1, C3, C5 and F6 (default 'tanh', the paper's). */
  activation?: 'tanh' | 'relu';
  /** Subsampling S2/S4 (default 'avg'; 'max' is the common modern choice). */
  pooling?: 'avg' | 'max';
}

/** LeNet-5; see the module docs for its layers. Build it with {@link lenet5}. */
export class LeNet5 extends VisionModel {
  /** C1, S2, C3, S4, C5 with their nonlinearities: `features.0` … `features.7`. */
  features: Sequential;
  /** F6 and the output layer: `classifier.0`, `classifier.2`. */
  classifier: Sequential;
  /** The input side the model was built for. */
  readonly inputSize: number;

  constructor(options: LeNet5Options = {}) {
    super('lenet5', options.inChannels ?? 1, options.numClasses ?? 10);
    const size = options.inputSize ?? 32;
    checkPositive('lenet5', 'inputSize', size);
    if (size < 28) throw new Error(`lenet5: inputSize must be at least 28 (28 pads to 32), got ${size}`);
    const activation = options.activation ?? 'tanh';
    const pooling = options.pooling ?? 'avg';
    if (activation !== 'tanh' && activation !== 'relu') throw new Error(`lenet5: activation must be 'tanh' or 'relu', got '${String(activation)}'`);
    if (pooling !== 'avg' && pooling !== 'max') throw new Error(`lenet5: pooling must be 'avg' or 'max', got '${String(pooling)}'`);
    this.inputSize = size;
    const act = (): Tanh | ReLU => (activation === 'tanh' ? new Tanh() : new ReLU());
    const pool = (): AvgPool2d | MaxPool2d => (pooling === 'avg' ? new AvgPool2d(2) : new MaxPool2d(2));
    const pad = size < 32 ? (32 - size) / 2 : 0;
    if (!Number.isInteger(pad)) throw new Error(`lenet5: inputSize ${size} cannot be padded evenly to 32`);
    // C1 → (s + 2p − 4), S2 halves, C3 − 4, S4 halves, C5 − 4.
    const c5 = Math.floor(Math.floor((size + 2 * pad - 4) / 2 - 4) / 2) - 4;
    this.features = new Sequential(
      new Conv2d(this.inChannels, 6, 5, { padding: pad }), act(), pool(),
      new Conv2d(6, 16, 5), act(), pool(),
      new Conv2d(16, 120, 5), act(),
    );
    this.classifier = new Sequential(new Linear(120 * c5 * c5, 84), act(), new Linear(84, this.numClasses));
  }

  override forward(x: Tensor): Tensor {
    return this.classifier.call(flatten(this.features.call(x), 1));
  }

  /** For `analysis.receptiveField`: the features, flattened, then the classifier. */
  receptiveFieldGraph(): RFNode {
    return [this.features, { kind: 'flatten' }, this.classifier];
  }
}

/**
 * LeNet-5 (LeCun et al. 1998): 1×32×32 input, 10 classes, 61,706 parameters by default.
 * @example
 * const net = models.lenet5({ inputSize: 28 }); // MNIST as it is
 * net.call(randn(8, 1, 28, 28)); // [8, 10]
 */
export function lenet5(options: LeNet5Options = {}): LeNet5 {
  return new LeNet5(options);
}
