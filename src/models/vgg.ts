/**
 * VGG (Simonyan & Zisserman 2015, "Very deep convolutional networks for large-scale image
 * recognition"): stacks of 3×3 convolutions (padding 1) and 2×2 max pooling, the configurations
 * A (VGG-11), B (13), D (16) and E (19), with or without batch normalisation after each conv.
 * Two 3×3 layers see 5×5 and three see 7×7, with fewer parameters and more nonlinearities.
 *
 * torchvision's names and shapes: `features.N` (conv [, BatchNorm2d], ReLU per entry, MaxPool2d
 * per 'M'), `avgpool` (adaptive 7×7), `classifier.{0,3,6}` (25088 → 4096 → 4096 → classes, with
 * ReLU and dropout between). Parameters at 1000 classes: VGG-11 132,863,336; VGG-13 133,047,848;
 * VGG-16 138,357,544; VGG-19 143,667,240; batch norm adds γ and β (and two running statistics) per conv channel.
 * The smallest input is 32×32 (five poolings halve it to 1×1).
 * @module
 */
import type { RFNode } from '../analysis/rf_registry.js';
import type { Tensor } from '../core/tensor.js';
import { noGrad } from '../core/grad_mode.js';
import { flatten } from '../ops/view.js';
import { constant_, kaimingNormal_, normal_ } from '../nn/init.js';
import type { TensorModule } from '../nn/modules/container.js';
import { Sequential } from '../nn/modules/container.js';
import { BatchNorm2d } from '../nn/modules/batchnorm.js';
import { Conv2d } from '../nn/modules/conv.js';
import { Dropout } from '../nn/modules/dropout.js';
import { Linear } from '../nn/modules/linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/modules/pooling.js';
import { ReLU } from '../nn/modules/activation.js';
import { VisionModel, checkPositive, checkProbability, type ModelOptions } from './base.js';
import { isInitSkipped } from './skip_init.js';

/** A VGG configuration: output channels of each 3×3 conv, 'M' for a 2×2 max pooling. */
export type VggConfig = readonly (number | 'M')[];

/** The four configurations of the paper (torchvision's `cfgs`). */
export const VGG_CONFIGS: Readonly<Record<11 | 13 | 16 | 19, VggConfig>> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** Options of the VGG builders. */
export interface VggOptions extends ModelOptions {
  /** Dropout probability in the classifier (default 0.5). */
  dropout?: number;
  /** torchvision's init (default true): conv ~ kaiming_normal(fan_out, relu), bias 0; linear ~ N(0, 0.01²), bias 0. */
  initWeights?: boolean;
  /** Width of the two hidden fully connected layers (default 4096; smaller for small experiments — not torchvision's then). */
  hidden?: number;
  /** Side of the adaptive average pooling before the classifier (default 7; 1 for 32×32 inputs). */
  poolSize?: number;
}

/** The feature extractor of a configuration (torchvision's `make_layers`). */
export function vggFeatures(config: VggConfig, batchNorm: boolean, inChannels = 3): Sequential {
  const layers: TensorModule[] = [];
  let c = inChannels;
  for (const v of config) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
    } else {
      layers.push(new Conv2d(c, v, 3, { padding: 1 }));
      if (batchNorm) layers.push(new BatchNorm2d(v));
      layers.push(new ReLU());
      c = v;
    }
  }
  return new Sequential(...layers);
}

/** A VGG network; build one with {@link vgg11} … {@link vgg19Bn} or {@link vgg}. */
export class VGG extends VisionModel {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  constructor(name: string, config: VggConfig, batchNorm: boolean, options: VggOptions = {}) {
    super(name, options.inChannels ?? 3, options.numClasses ?? 1000);
    const dropout = options.dropout ?? 0.5;
    const hidden = options.hidden ?? 4096;
    const poolSize = options.poolSize ?? 7;
    checkProbability(name, 'dropout', dropout);
    checkPositive(name, 'hidden', hidden);
    checkPositive(name, 'poolSize', poolSize);
    const last = [...config].reverse().find((v): v is number => v !== 'M');
    if (last === undefined) throw new Error(`${name}: the configuration has no convolution`);
    this.features = vggFeatures(config, batchNorm, this.inChannels);
    this.avgpool = new AdaptiveAvgPool2d([poolSize, poolSize]);
    this.classifier = new Sequential(
      new Linear(last * poolSize * poolSize, hidden), new ReLU(), new Dropout(dropout),
      new Linear(hidden, hidden), new ReLU(), new Dropout(dropout),
      new Linear(hidden, this.numClasses),
    );
    if ((options.initWeights ?? true) && !isInitSkipped()) this.initWeights();
  }

  /** torchvision's VGG init (see {@link VggOptions.initWeights}); BatchNorm keeps γ = 1, β = 0. */
  private initWeights(): void {
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv2d) {
          kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
          if (m.bias) constant_(m.bias, 0);
        } else if (m instanceof Linear) {
          normal_(m.weight, 0, 0.01);
          if (m.bias) constant_(m.bias, 0);
        }
      }
    });
  }

  override forward(x: Tensor): Tensor {
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }

  /** For `analysis.receptiveField`: features, pooling, flatten, classifier. */
  receptiveFieldGraph(): RFNode {
    return [this.features, this.avgpool, { kind: 'flatten' }, this.classifier];
  }
}

/** A VGG of depth 11, 13, 16 or 19, with batch norm when `batchNorm`. */
export function vgg(depth: 11 | 13 | 16 | 19, batchNorm = false, options: VggOptions = {}): VGG {
  const config = VGG_CONFIGS[depth];
  if (!config) throw new Error(`vgg: depth must be 11, 13, 16 or 19, got ${String(depth)}`);
  return new VGG(`vgg${depth}${batchNorm ? '_bn' : ''}`, config, batchNorm, options);
}

/** VGG-11 (configuration A), 132,863,336 parameters at 1000 classes. @example models.vgg11({ numClasses: 10 }) */
export function vgg11(options: VggOptions = {}): VGG {
  return vgg(11, false, options);
}
/** VGG-11 with batch norm. */
export function vgg11Bn(options: VggOptions = {}): VGG {
  return vgg(11, true, options);
}
/** VGG-13 (configuration B). */
export function vgg13(options: VggOptions = {}): VGG {
  return vgg(13, false, options);
}
/** VGG-13 with batch norm. */
export function vgg13Bn(options: VggOptions = {}): VGG {
  return vgg(13, true, options);
}
/** VGG-16 (configuration D), 138,357,544 parameters at 1000 classes. */
export function vgg16(options: VggOptions = {}): VGG {
  return vgg(16, false, options);
}
/** VGG-16 with batch norm. */
export function vgg16Bn(options: VggOptions = {}): VGG {
  return vgg(16, true, options);
}
/** VGG-19 (configuration E). */
export function vgg19(options: VggOptions = {}): VGG {
  return vgg(19, false, options);
}
/** VGG-19 with batch norm. */
export function vgg19Bn(options: VggOptions = {}): VGG {
  return vgg(19, true, options);
}
