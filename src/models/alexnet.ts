/**
 * AlexNet (Krizhevsky, Sutskever & Hinton 2012), the ImageNet winner that started the deep era.
 *
 * Two layouts, both with torchvision's module names (`features.N`, `avgpool`, `classifier.N`):
 * - torchvision's single tower (the "one weird trick" variant, 61,100,840 parameters):
 *   conv 64·11×11/4 → pool → conv 192·5×5 → pool → conv 384·3×3 → conv 256 → conv 256 → pool;
 * - the paper's two towers (`twoTower: true`, 60,965,224 parameters): 96, 256, 384, 384, 256
 *   filters, with conv2, conv4 and conv5 seeing only their own tower's channels — grouped
 *   convolutions with 2 groups (conv3 and the fully connected layers cross the towers) — and local
 *   response normalisation after the ReLUs of conv1 and conv2:
 *   features = [conv1, ReLU, LRN, pool, conv2(g=2), ReLU, LRN, pool, conv3, ReLU, conv4(g=2), ReLU, conv5(g=2), ReLU, pool].
 *   conv1 pads by 2 (as torchvision) so a 224×224 input works; the paper's arithmetic needs 227.
 *
 * Then adaptive average pooling to 6×6 and the classifier: dropout, 9216 → 4096, ReLU, dropout,
 * 4096 → 4096, ReLU, 4096 → classes. Overlapping max pooling (3×3, stride 2) throughout.
 * The smallest input is 63×63 (the last pooling needs 3×3).
 * @module
 */
import type { RFNode } from '../analysis/rf_registry.js';
import type { Tensor } from '../core/tensor.js';
import { flatten } from '../ops/view.js';
import { Sequential } from '../nn/modules/container.js';
import { Conv2d } from '../nn/modules/conv.js';
import { Dropout } from '../nn/modules/dropout.js';
import { Linear } from '../nn/modules/linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/modules/pooling.js';
import { ReLU } from '../nn/modules/activation.js';
import { VisionModel, checkPositive, checkProbability, type ModelOptions } from './base.js';
import { LocalResponseNorm } from './lrn.js';

/** Options of {@link alexnet}. */
export interface AlexNetOptions extends ModelOptions {
  /** The paper's two-tower layout (grouped convolutions and LRN) instead of torchvision's (default false). */
  twoTower?: boolean;
  /** Dropout probability in the classifier (default 0.5). */
  dropout?: number;
  /** Width of the two hidden fully connected layers (default 4096; smaller for small experiments — not torchvision's then). */
  hidden?: number;
  /** Side of the adaptive average pooling before the classifier (default 6; 1 for small inputs). */
  poolSize?: number;
}

/** AlexNet; see the module docs. Build it with {@link alexnet}. */
export class AlexNet extends VisionModel {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;
  readonly twoTower: boolean;

  constructor(options: AlexNetOptions = {}) {
    super('alexnet', options.inChannels ?? 3, options.numClasses ?? 1000);
    const dropout = options.dropout ?? 0.5;
    const hidden = options.hidden ?? 4096;
    const poolSize = options.poolSize ?? 6;
    checkProbability('alexnet', 'dropout', dropout);
    checkPositive('alexnet', 'hidden', hidden);
    checkPositive('alexnet', 'poolSize', poolSize);
    this.twoTower = options.twoTower ?? false;
    const C = this.inChannels;
    const pool = (): MaxPool2d => new MaxPool2d(3, { stride: 2 });
    this.features = this.twoTower
      ? new Sequential(
          new Conv2d(C, 96, 11, { stride: 4, padding: 2 }), new ReLU(), new LocalResponseNorm(5, 1e-4, 0.75, 2), pool(),
          new Conv2d(96, 256, 5, { padding: 2, groups: 2 }), new ReLU(), new LocalResponseNorm(5, 1e-4, 0.75, 2), pool(),
          new Conv2d(256, 384, 3, { padding: 1 }), new ReLU(),
          new Conv2d(384, 384, 3, { padding: 1, groups: 2 }), new ReLU(),
          new Conv2d(384, 256, 3, { padding: 1, groups: 2 }), new ReLU(), pool(),
        )
      : new Sequential(
          new Conv2d(C, 64, 11, { stride: 4, padding: 2 }), new ReLU(), pool(),
          new Conv2d(64, 192, 5, { padding: 2 }), new ReLU(), pool(),
          new Conv2d(192, 384, 3, { padding: 1 }), new ReLU(),
          new Conv2d(384, 256, 3, { padding: 1 }), new ReLU(),
          new Conv2d(256, 256, 3, { padding: 1 }), new ReLU(), pool(),
        );
    this.avgpool = new AdaptiveAvgPool2d([poolSize, poolSize]);
    this.classifier = new Sequential(
      new Dropout(dropout), new Linear(256 * poolSize * poolSize, hidden), new ReLU(),
      new Dropout(dropout), new Linear(hidden, hidden), new ReLU(),
      new Linear(hidden, this.numClasses),
    );
  }

  override forward(x: Tensor): Tensor {
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }

  /** For `analysis.receptiveField`: features, pooling, flatten, classifier. */
  receptiveFieldGraph(): RFNode {
    return [this.features, this.avgpool, { kind: 'flatten' }, this.classifier];
  }
}

/**
 * AlexNet with torchvision's layout and names (or the paper's two towers with `twoTower: true`).
 * Init: PyTorch's layer defaults, as torchvision.
 * @example models.alexnet({ numClasses: 10 }).call(randn(1, 3, 224, 224)) // [1, 10]
 */
export function alexnet(options: AlexNetOptions = {}): AlexNet {
  return new AlexNet(options);
}
