/**
 * GoogLeNet, Inception v1 (Szegedy et al. 2015, "Going deeper with convolutions"), with
 * torchvision's layout and names.
 *
 * An Inception module runs four branches side by side and concatenates their channels:
 * `branch1` 1×1; `branch2` 1×1 reduce then 3×3; `branch3` 1×1 reduce then "5×5"; `branch4` 3×3 max
 * pooling then a 1×1 projection. The 1×1 projections keep the 3×3/5×5 convolutions cheap: that is
 * how 22 layers fit in 6.6 M parameters. Every convolution is a `BasicConv2d`: conv (no bias),
 * BatchNorm (eps 0.001), ReLU — torchvision's choice (the 2015 net had no batch norm).
 * As in torchvision (to stay compatible with its pretrained weights), branch3's "5×5" is a 3×3.
 *
 * Two auxiliary classifiers (`aux1` after inception4a, `aux2` after inception4d: adaptive average
 * pooling to 4×4, 1×1 conv to 128, fc 2048 → 1024, ReLU, dropout 0.7, fc → classes) add their
 * losses in training (weight 0.3 in the paper) to push gradient into the middle of the net. In
 * training mode with `auxLogits` the model returns {@link GoogLeNetOutputs}; in eval mode only the
 * logits. Parameters at 1000 classes: 13,004,888 with the auxiliary heads, 6,624,904 without.
 *
 * Note: torchvision 0.14's `GoogLeNetOutputs(logits, aux_logits2, aux_logits1)` holds the output of
 * its module `aux1` in `aux_logits2` and that of `aux2` in `aux_logits1` (its forward swaps the
 * names); here `aux1` is `aux1`'s output and `aux2` is `aux2`'s.
 * @module
 */
import type { RFNode } from '../analysis/rf_registry.js';
import type { Tensor } from '../core/tensor.js';
import { noGrad } from '../core/grad_mode.js';
import { add, mul } from '../ops/elementwise.js';
import { relu } from '../ops/activation.js';
import { cat } from '../ops/join.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { flatten, narrow } from '../ops/view.js';
import { constant_, normal_ } from '../nn/init.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/modules/container.js';
import { BatchNorm2d } from '../nn/modules/batchnorm.js';
import { Conv2d, type ConvLayerOptions } from '../nn/modules/conv.js';
import { Dropout } from '../nn/modules/dropout.js';
import { Linear } from '../nn/modules/linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/modules/pooling.js';
import { VisionModel, checkProbability, type ModelOptions } from './base.js';
import { isInitSkipped } from './skip_init.js';

/** Conv (no bias) + BatchNorm (eps 0.001) + ReLU, torchvision's `BasicConv2d`. */
export class BasicConv2d extends Module {
  conv: Conv2d;
  bn: BatchNorm2d;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Omit<ConvLayerOptions, 'bias'> = {}) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, kernelSize, { ...options, bias: false });
    this.bn = new BatchNorm2d(outChannels, { eps: 0.001 });
  }

  override forward(x: Tensor): Tensor {
    return relu(this.bn.call(this.conv.call(x)));
  }

  /** For `analysis.receptiveField`: the convolution (BatchNorm and ReLU are pointwise). */
  receptiveFieldGraph(): RFNode {
    return [this.conv, this.bn];
  }
}

/**
 * An Inception module: cat(branch1(x), branch2(x), branch3(x), branch4(x)) over channels, giving
 * ch1x1 + ch3x3 + ch5x5 + poolProj channels at the input's size.
 */
export class Inception extends Module {
  branch1: BasicConv2d;
  branch2: Sequential;
  branch3: Sequential;
  branch4: Sequential;

  constructor(inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, 1);
    this.branch2 = new Sequential(new BasicConv2d(inChannels, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 }));
    this.branch3 = new Sequential(new BasicConv2d(inChannels, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 }));
    this.branch4 = new Sequential(new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, 1));
  }

  override forward(x: Tensor): Tensor {
    return cat([this.branch1.call(x), this.branch2.call(x), this.branch3.call(x), this.branch4.call(x)], 1);
  }

  /** For `analysis.receptiveField`: four parallel branches, concatenated. */
  receptiveFieldGraph(): RFNode {
    return { parallel: [this.branch1, this.branch2, this.branch3, this.branch4] };
  }
}

/** An auxiliary classifier: avg-pool to 4×4, `conv` 1×1 → 128, `fc1` 2048 → 1024, ReLU, dropout, `fc2` → classes. */
export class InceptionAux extends Module {
  conv: BasicConv2d;
  fc1: Linear;
  fc2: Linear;
  dropout: Dropout;

  constructor(inChannels: number, numClasses: number, dropout = 0.7) {
    super();
    this.conv = new BasicConv2d(inChannels, 128, 1);
    this.fc1 = new Linear(2048, 1024);
    this.fc2 = new Linear(1024, numClasses);
    this.dropout = new Dropout(dropout);
  }

  override forward(x: Tensor): Tensor {
    x = this.conv.call(adaptiveAvgPool2d(x, [4, 4]));
    x = relu(this.fc1.call(flatten(x, 1)));
    return this.fc2.call(this.dropout.call(x));
  }
}

/** What GoogLeNet returns in training mode with auxiliary classifiers (torchvision's `GoogLeNetOutputs`). */
export interface GoogLeNetOutputs {
  /** The main classifier's logits [N, classes]. */
  logits: Tensor;
  /** Logits of `aux2` (after inception4d). */
  aux2: Tensor;
  /** Logits of `aux1` (after inception4a). */
  aux1: Tensor;
}

/** Options of {@link googlenet}. */
export interface GoogLeNetOptions extends ModelOptions {
  /** Build the two auxiliary classifiers (default true). */
  auxLogits?: boolean;
  /**
   * Map inputs normalised with ImageNet's mean and std to the (x − 0.5)/0.5 normalisation of
   * torchvision's pretrained weights (default false; 3 input channels only):
   * x_c ← x_c·std_c/0.5 + (mean_c − 0.5)/0.5.
   */
  transformInput?: boolean;
  /** Dropout before `fc` (default 0.2). */
  dropout?: number;
  /** Dropout in the auxiliary classifiers (default 0.7). */
  dropoutAux?: number;
  /** torchvision's init (default true): conv and linear weights ~ N(0, 0.01²) truncated to [−2, 2], BatchNorm γ = 1, β = 0. */
  initWeights?: boolean;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** GoogLeNet; see the module docs. Build it with {@link googlenet}. */
export class GoogLeNet extends VisionModel<Tensor | GoogLeNetOutputs> {
  conv1: BasicConv2d;
  maxpool1: MaxPool2d;
  conv2: BasicConv2d;
  conv3: BasicConv2d;
  maxpool2: MaxPool2d;
  inception3a: Inception;
  inception3b: Inception;
  maxpool3: MaxPool2d;
  inception4a: Inception;
  inception4b: Inception;
  inception4c: Inception;
  inception4d: Inception;
  inception4e: Inception;
  maxpool4: MaxPool2d;
  inception5a: Inception;
  inception5b: Inception;
  aux1: InceptionAux | null;
  aux2: InceptionAux | null;
  avgpool: AdaptiveAvgPool2d;
  dropout: Dropout;
  fc: Linear;
  readonly auxLogits: boolean;
  readonly transformInput: boolean;

  constructor(options: GoogLeNetOptions = {}) {
    super('googlenet', options.inChannels ?? 3, options.numClasses ?? 1000);
    const dropout = options.dropout ?? 0.2;
    const dropoutAux = options.dropoutAux ?? 0.7;
    checkProbability('googlenet', 'dropout', dropout);
    checkProbability('googlenet', 'dropoutAux', dropoutAux);
    this.auxLogits = options.auxLogits ?? true;
    this.transformInput = options.transformInput ?? false;
    if (this.transformInput && this.inChannels !== 3) {
      throw new Error(`googlenet: transformInput needs 3 input channels (ImageNet's RGB), got inChannels=${this.inChannels}`);
    }
    const pool = (k: number): MaxPool2d => new MaxPool2d(k, { stride: 2, ceilMode: true });
    this.conv1 = new BasicConv2d(this.inChannels, 64, 7, { stride: 2, padding: 3 });
    this.maxpool1 = pool(3);
    this.conv2 = new BasicConv2d(64, 64, 1);
    this.conv3 = new BasicConv2d(64, 192, 3, { padding: 1 });
    this.maxpool2 = pool(3);
    this.inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = pool(3);
    this.inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = pool(2);
    this.inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);
    this.aux1 = this.auxLogits ? new InceptionAux(512, this.numClasses, dropoutAux) : null;
    this.aux2 = this.auxLogits ? new InceptionAux(528, this.numClasses, dropoutAux) : null;
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout(dropout);
    this.fc = new Linear(1024, this.numClasses);
    if ((options.initWeights ?? true) && !isInitSkipped()) this.initWeights();
  }

  /** torchvision's init; the truncation at ±2 never bites at σ = 0.01 (200σ), so a plain normal draw is used. */
  private initWeights(): void {
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv2d || m instanceof Linear) normal_(m.weight, 0, 0.01);
        else if (m instanceof BatchNorm2d) {
          if (m.weight) constant_(m.weight, 1);
          if (m.bias) constant_(m.bias, 0);
        }
      }
    });
  }

  /** torchvision's `_transform_input` (see {@link GoogLeNetOptions.transformInput}). */
  private transform(x: Tensor): Tensor {
    const channels = [0, 1, 2].map((c) => add(mul(narrow(x, 1, c, 1), IMAGENET_STD[c] / 0.5), (IMAGENET_MEAN[c] - 0.5) / 0.5));
    return cat(channels, 1);
  }

  /**
   * Logits [N, classes]; in training mode with the auxiliary classifiers, {@link GoogLeNetOutputs}.
   * Train with loss(logits) + 0.3·(loss(aux1) + loss(aux2)), as the paper.
   */
  override forward(x: Tensor): Tensor | GoogLeNetOutputs {
    if (this.transformInput) x = this.transform(x);
    x = this.maxpool1.call(this.conv1.call(x));
    x = this.maxpool2.call(this.conv3.call(this.conv2.call(x)));
    x = this.maxpool3.call(this.inception3b.call(this.inception3a.call(x)));
    x = this.inception4a.call(x);
    const withAux = this.training && this.aux1 !== null && this.aux2 !== null;
    const aux1 = withAux ? this.aux1!.call(x) : null;
    x = this.inception4d.call(this.inception4c.call(this.inception4b.call(x)));
    const aux2 = withAux ? this.aux2!.call(x) : null;
    x = this.maxpool4.call(this.inception4e.call(x));
    x = this.inception5b.call(this.inception5a.call(x));
    const logits = this.fc.call(this.dropout.call(flatten(this.avgpool.call(x), 1)));
    return aux1 && aux2 ? { logits, aux2, aux1 } : logits;
  }

  /** For `analysis.receptiveField`: the main path (the auxiliary heads branch off it). */
  receptiveFieldGraph(): RFNode {
    return [
      this.conv1, this.maxpool1, this.conv2, this.conv3, this.maxpool2, this.inception3a, this.inception3b, this.maxpool3,
      this.inception4a, this.inception4b, this.inception4c, this.inception4d, this.inception4e, this.maxpool4,
      this.inception5a, this.inception5b, this.avgpool, { kind: 'flatten' }, this.dropout, this.fc,
    ];
  }
}

/**
 * GoogLeNet (Inception v1) with torchvision's names; 13,004,888 parameters at 1000 classes with
 * the auxiliary classifiers. The smallest input is 15×15.
 * @example
 * const net = models.googlenet({ numClasses: 10 });
 * const { logits, aux1, aux2 } = net.call(x) as models.GoogLeNetOutputs; // training mode
 */
export function googlenet(options: GoogLeNetOptions = {}): GoogLeNet {
  return new GoogLeNet(options);
}
