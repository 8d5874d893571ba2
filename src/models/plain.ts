/**
 * Plain networks: the CIFAR ResNets without their shortcuts, for the course's comparison (He et al.
 * 2016, Figure 6): the same 6n + 2 conv/BatchNorm/ReLU layers, the same parameters and the same
 * state-dict keys as the ResNet twin (with option-A shortcuts, which have no parameters), only
 * without the `+ x`. The deeper a plain net, the higher its training error — the degradation
 * problem that skip connections solve (examples/depth_plain_vs_resnet.ts measures it).
 * @module
 */
import { cifarResNet, type CifarResNet, type CifarResNetOptions } from './resnet.js';

/** Options of the plain nets: those of the CIFAR ResNets without the shortcut choices. */
export type PlainNetOptions = Omit<CifarResNetOptions, 'skip' | 'shortcut'>;

/** A plain net of `depth` = 6n + 2 layers: `cifarResNet(depth, { skip: false })`. */
export function plainNet(depth: number, options: PlainNetOptions = {}): CifarResNet {
  return cifarResNet(depth, { ...options, skip: false });
}

/** The plain twin of ResNet-20 (269,722 parameters). @example models.plainNet20({ inChannels: 1 }) */
export function plainNet20(options: PlainNetOptions = {}): CifarResNet {
  return plainNet(20, options);
}
/** The plain twin of ResNet-32. */
export function plainNet32(options: PlainNetOptions = {}): CifarResNet {
  return plainNet(32, options);
}
/** The plain twin of ResNet-44. */
export function plainNet44(options: PlainNetOptions = {}): CifarResNet {
  return plainNet(44, options);
}
/** The plain twin of ResNet-56. */
export function plainNet56(options: PlainNetOptions = {}): CifarResNet {
  return plainNet(56, options);
}
