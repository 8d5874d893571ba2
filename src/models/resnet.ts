/**
 * Residual networks (He, Zhang, Ren & Sun 2016, "Deep residual learning for image recognition"):
 * each block learns a residual F(x) and outputs relu(F(x) + x), so a block that is not needed can
 * learn F = 0 and pass its input through; gradients reach early layers through the identity paths.
 *
 * - ImageNet ResNets, torchvision's layout and names: `conv1` 7×7/2, `bn1`, `maxpool` 3×3/2,
 *   `layer1`…`layer4` (64, 128, 256, 512 planes; stride 2 from layer2 on, in the 3×3 conv of the
 *   first block: "ResNet v1.5"), `avgpool`, `fc`. Basic blocks (two 3×3 convs) for 18 and 34 layers,
 *   bottleneck blocks (1×1 reduce, 3×3, 1×1 expand ×4) for 50, 101 and 152. Where the shape
 *   changes, the shortcut is `downsample` = conv1x1 (stride) + BatchNorm. Parameters at 1000
 *   classes: 11,689,512 / 21,797,672 / 25,557,032 / 44,549,160 / 60,192,808. Any input size ≥ 1×1 works.
 * - CIFAR ResNets (§4.2): `conv1` 3×3 with 16 filters, three stages of n basic blocks with 16, 32 and
 *   64 planes (`layer1`…`layer3`), global average pooling, `fc`: 6n + 2 layers (20, 32, 44, 56).
 *   Shortcuts are option A of the paper (subsample and zero-pad the channels, no parameters:
 *   resnet20 has 269,722 parameters) or option B (conv1x1 + BatchNorm projections, `shortcut: 'B'`).
 *   With `skip: false` the same network has no shortcuts at all: the plain twin of the paper's
 *   Figure 6 (see plain.ts).
 * @module
 */
import type { RFNode } from '../analysis/rf_registry.js';
import type { Tensor } from '../core/tensor.js';
import { noGrad } from '../core/grad_mode.js';
import { add } from '../ops/elementwise.js';
import { relu } from '../ops/activation.js';
import { pad } from '../ops/pad.js';
import { flatten, slice } from '../ops/view.js';
import { constant_, kaimingNormal_ } from '../nn/init.js';
import { Module } from '../nn/module.js';
import type { TensorModule } from '../nn/modules/container.js';
import { Sequential } from '../nn/modules/container.js';
import { BatchNorm2d } from '../nn/modules/batchnorm.js';
import { Conv2d } from '../nn/modules/conv.js';
import { Linear } from '../nn/modules/linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/modules/pooling.js';
import { ReLU } from '../nn/modules/activation.js';
import { VisionModel, checkPositive, type ModelOptions } from './base.js';
import { isInitSkipped } from './skip_init.js';

/** 3×3 convolution, padding 1, no bias (torchvision's `conv3x3`). */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false });
}

/** 1×1 convolution, no bias (torchvision's `conv1x1`). */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/**
 * Two 3×3 conv + BatchNorm layers: out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
 * shortcut = `downsample` or the identity. With `skip: false` the sum is left out (a plain block).
 */
export class BasicBlock extends Module {
  /** Output planes per `planes` (torchvision's `expansion`). */
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: TensorModule | null;
  readonly stride: number;
  /** Whether the shortcut is added (false for the plain twin). */
  readonly skip: boolean;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: TensorModule | null = null, skip = true) {
    super();
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.relu = new ReLU();
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
    this.stride = stride;
    this.skip = skip;
  }

  override forward(x: Tensor): Tensor {
    let out = relu(this.bn1.call(this.conv1.call(x)));
    out = this.bn2.call(this.conv2.call(out));
    if (this.skip) out = add(out, this.downsample ? this.downsample.call(x) : x);
    return relu(out);
  }

  /** For `analysis.receptiveField`: the residual path in parallel with the shortcut, then ReLU. */
  receptiveFieldGraph(): RFNode {
    const path = [this.conv1, this.bn1, this.relu, this.conv2, this.bn2];
    return this.skip ? [{ parallel: [path, this.downsample ?? []] }, this.relu] : [...path, this.relu];
  }
}

/**
 * 1×1 (reduce to `planes`), 3×3 (stride here, v1.5), 1×1 (expand to 4·planes), each with
 * BatchNorm: out = relu(bn3(conv3(…)) + shortcut(x)). Cheaper than two 3×3 convs at 4·planes.
 */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  conv3: Conv2d;
  bn3: BatchNorm2d;
  relu: ReLU;
  downsample: TensorModule | null;
  readonly stride: number;
  readonly skip: boolean;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: TensorModule | null = null, skip = true) {
    super();
    this.conv1 = conv1x1(inPlanes, planes);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes, stride);
    this.bn2 = new BatchNorm2d(planes);
    this.conv3 = conv1x1(planes, planes * Bottleneck.expansion);
    this.bn3 = new BatchNorm2d(planes * Bottleneck.expansion);
    this.relu = new ReLU();
    this.downsample = downsample;
    this.stride = stride;
    this.skip = skip;
  }

  override forward(x: Tensor): Tensor {
    let out = relu(this.bn1.call(this.conv1.call(x)));
    out = relu(this.bn2.call(this.conv2.call(out)));
    out = this.bn3.call(this.conv3.call(out));
    if (this.skip) out = add(out, this.downsample ? this.downsample.call(x) : x);
    return relu(out);
  }

  /** For `analysis.receptiveField`: the residual path in parallel with the shortcut, then ReLU. */
  receptiveFieldGraph(): RFNode {
    const path = [this.conv1, this.bn1, this.relu, this.conv2, this.bn2, this.relu, this.conv3, this.bn3];
    return this.skip ? [{ parallel: [path, this.downsample ?? []] }, this.relu] : [...path, this.relu];
  }
}

/**
 * The parameter-free shortcut of the CIFAR ResNets (option A): keeps every second row and column
 * (x[:, :, ::2, ::2]) and zero-pads the channels by planes/4 on each side, so C → C + planes/2 = planes.
 */
export class ShortcutA extends Module {
  constructor(readonly planes: number) {
    super();
  }

  override forward(x: Tensor): Tensor {
    const sub = slice(slice(x, 2, 0, Infinity, 2), 3, 0, Infinity, 2);
    const p = Math.floor(this.planes / 4);
    return pad(sub, [0, 0, 0, 0, p, p]);
  }

  override extraRepr(): string {
    return `planes=${this.planes}`;
  }

  /** Keeps every second row and column: a 1×1 window with stride 2. */
  receptiveFieldGraph(): RFNode {
    return { kind: 'window', kernel: 1, stride: 2 };
  }
}

type Block = typeof BasicBlock | typeof Bottleneck;

/** Options of the ImageNet ResNets. */
export interface ResNetOptions extends ModelOptions {
  /** Start the last BatchNorm of every block at γ = 0, so each block begins as the identity (default false). */
  zeroInitResidual?: boolean;
}

/** Kaiming-normal (fan_out, ReLU) convolutions, BatchNorm γ = 1 and β = 0, and optionally zero-init residuals. */
function initResNet(model: Module, zeroInitResidual: boolean): void {
  noGrad(() => {
    if (!isInitSkipped()) {
      for (const m of model.modules()) if (m instanceof Conv2d) kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
    }
    if (zeroInitResidual) {
      for (const m of model.modules()) {
        if (m instanceof Bottleneck && m.bn3.weight) constant_(m.bn3.weight, 0);
        else if (m instanceof BasicBlock && m.bn2.weight) constant_(m.bn2.weight, 0);
      }
    }
  });
}

/** An ImageNet ResNet; build one with {@link resnet18} … {@link resnet152}. */
export class ResNet extends VisionModel {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  maxpool: MaxPool2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;
  #inPlanes = 64;

  constructor(name: string, block: Block, layers: readonly [number, number, number, number], options: ResNetOptions = {}) {
    super(name, options.inChannels ?? 3, options.numClasses ?? 1000);
    this.conv1 = new Conv2d(this.inChannels, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(64);
    this.relu = new ReLU();
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(block, 64, layers[0], 1);
    this.layer2 = this.makeLayer(block, 128, layers[1], 2);
    this.layer3 = this.makeLayer(block, 256, layers[2], 2);
    this.layer4 = this.makeLayer(block, 512, layers[3], 2);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(512 * block.expansion, this.numClasses);
    initResNet(this, options.zeroInitResidual ?? false);
  }

  /** `blocks` blocks; the first changes the stride and width, through a conv1x1 + BN `downsample`. */
  private makeLayer(block: Block, planes: number, blocks: number, stride: number): Sequential {
    const out = planes * block.expansion;
    const downsample = stride !== 1 || this.#inPlanes !== out ? new Sequential(conv1x1(this.#inPlanes, out, stride), new BatchNorm2d(out)) : null;
    const list: TensorModule[] = [new block(this.#inPlanes, planes, stride, downsample)];
    this.#inPlanes = out;
    for (let i = 1; i < blocks; i++) list.push(new block(out, planes));
    return new Sequential(...list);
  }

  override forward(x: Tensor): Tensor {
    x = this.maxpool.call(relu(this.bn1.call(this.conv1.call(x))));
    x = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(x))));
    return this.fc.call(flatten(this.avgpool.call(x), 1));
  }

  /** For `analysis.receptiveField`: the layers in forward order. */
  receptiveFieldGraph(): RFNode {
    return [this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool, { kind: 'flatten' }, this.fc];
  }
}

/** ResNet-18: basic blocks [2, 2, 2, 2], 11,689,512 parameters at 1000 classes. @example models.resnet18({ numClasses: 10 }) */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet('resnet18', BasicBlock, [2, 2, 2, 2], options);
}
/** ResNet-34: basic blocks [3, 4, 6, 3], 21,797,672 parameters. */
export function resnet34(options: ResNetOptions = {}): ResNet {
  return new ResNet('resnet34', BasicBlock, [3, 4, 6, 3], options);
}
/** ResNet-50: bottleneck blocks [3, 4, 6, 3], 25,557,032 parameters. */
export function resnet50(options: ResNetOptions = {}): ResNet {
  return new ResNet('resnet50', Bottleneck, [3, 4, 6, 3], options);
}
/** ResNet-101: bottleneck blocks [3, 4, 23, 3], 44,549,160 parameters. */
export function resnet101(options: ResNetOptions = {}): ResNet {
  return new ResNet('resnet101', Bottleneck, [3, 4, 23, 3], options);
}
/** ResNet-152: bottleneck blocks [3, 8, 36, 3], 60,192,808 parameters. */
export function resnet152(options: ResNetOptions = {}): ResNet {
  return new ResNet('resnet152', Bottleneck, [3, 8, 36, 3], options);
}

/** Options of the CIFAR ResNets. */
export interface CifarResNetOptions extends ModelOptions {
  /** 'A': parameter-free subsample-and-pad shortcuts (default, the paper's CIFAR choice); 'B': conv1x1 + BN projections. */
  shortcut?: 'A' | 'B';
  /** Add the shortcuts (default true); false builds the plain twin with the same layers and keys. */
  skip?: boolean;
  /** Planes of the first stage, doubled in each of the next two (default 16). */
  width?: number;
  /** As {@link ResNetOptions.zeroInitResidual}. */
  zeroInitResidual?: boolean;
}

/** A CIFAR-style ResNet of 6n + 2 layers (or its plain twin); build one with {@link resnet20} … or {@link cifarResNet}. */
export class CifarResNet extends VisionModel {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;
  /** Weighted layers: 6n + 2. */
  readonly depth: number;
  readonly skip: boolean;

  constructor(name: string, depth: number, options: CifarResNetOptions = {}) {
    super(name, options.inChannels ?? 3, options.numClasses ?? 10);
    if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
      throw new Error(`${name}: depth must be 6n + 2 with n ≥ 1 (8, 14, 20, 32, 44, 56, 110…), got ${depth}`);
    }
    const width = options.width ?? 16;
    checkPositive(name, 'width', width);
    if (width % 2 !== 0) throw new Error(`${name}: width must be even (option A pads width/2 channels), got ${width}`);
    const shortcut = options.shortcut ?? 'A';
    if (shortcut !== 'A' && shortcut !== 'B') throw new Error(`${name}: shortcut must be 'A' or 'B', got '${String(shortcut)}'`);
    this.depth = depth;
    this.skip = options.skip ?? true;
    const n = (depth - 2) / 6;
    this.conv1 = conv3x3(this.inChannels, width);
    this.bn1 = new BatchNorm2d(width);
    this.relu = new ReLU();
    let inPlanes = width;
    const stage = (planes: number, stride: number): Sequential => {
      const blocks: TensorModule[] = [];
      for (let j = 0; j < n; j++) {
        const s = j === 0 ? stride : 1;
        let down: TensorModule | null = null;
        if (this.skip && (s !== 1 || inPlanes !== planes)) {
          down = shortcut === 'A' ? new ShortcutA(planes) : new Sequential(conv1x1(inPlanes, planes, s), new BatchNorm2d(planes));
        }
        blocks.push(new BasicBlock(inPlanes, planes, s, down, this.skip));
        inPlanes = planes;
      }
      return new Sequential(...blocks);
    };
    this.layer1 = stage(width, 1);
    this.layer2 = stage(2 * width, 2);
    this.layer3 = stage(4 * width, 2);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(4 * width, this.numClasses);
    initResNet(this, options.zeroInitResidual ?? false);
  }

  override forward(x: Tensor): Tensor {
    x = relu(this.bn1.call(this.conv1.call(x)));
    x = this.layer3.call(this.layer2.call(this.layer1.call(x)));
    return this.fc.call(flatten(this.avgpool.call(x), 1));
  }

  /** For `analysis.receptiveField`: the layers in forward order. */
  receptiveFieldGraph(): RFNode {
    return [this.conv1, this.bn1, this.relu, this.layer1, this.layer2, this.layer3, this.avgpool, { kind: 'flatten' }, this.fc];
  }
}

/** A CIFAR ResNet of `depth` = 6n + 2 layers (named `resnet<depth>`, or `plainNet<depth>` without skips). */
export function cifarResNet(depth: number, options: CifarResNetOptions = {}): CifarResNet {
  const name = options.skip === false ? `plainNet${depth}` : `resnet${depth}`;
  return new CifarResNet(name, depth, options);
}

/** ResNet-20 for 32×32 images (n = 3), 269,722 parameters with option-A shortcuts. @example models.resnet20({ inChannels: 1 }) */
export function resnet20(options: CifarResNetOptions = {}): CifarResNet {
  return cifarResNet(20, options);
}
/** ResNet-32 (n = 5), 464,154 parameters. */
export function resnet32(options: CifarResNetOptions = {}): CifarResNet {
  return cifarResNet(32, options);
}
/** ResNet-44 (n = 7), 658,586 parameters. */
export function resnet44(options: CifarResNetOptions = {}): CifarResNet {
  return cifarResNet(44, options);
}
/** ResNet-56 (n = 9), 853,018 parameters. */
export function resnet56(options: CifarResNetOptions = {}): CifarResNet {
  return cifarResNet(56, options);
}
