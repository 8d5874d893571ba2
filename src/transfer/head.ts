/**
 * The classifier head: find it and replace it, the first step of transfer learning (a new head for
 * the new classes on top of the pretrained features).
 * @module
 */
import type { AnyModule } from '../nn/module.js';
import { Linear } from '../nn/modules/linear.js';

/** Splits `a.b.c` into the parent module at `a.b` and the child name `c`. */
function parentOf(model: AnyModule, path: string): [AnyModule, string] {
  const parts = path.split('.');
  const name = parts.pop()!;
  const parentPath = parts.join('.');
  const parent = model.namedModules().find(([p]) => p === parentPath)?.[1];
  if (!parent || !parent.namedChildren().some(([n]) => n === name)) {
    throw new Error(`replaceHead: ${model.constructor.name} has no submodule '${path}'`);
  }
  return [parent, name];
}

/**
 * The classifier head: the last Linear layer in registration order, with its path — `fc` for
 * ResNet and GoogLeNet, `classifier.6` for VGG and AlexNet, `classifier.2` for LeNet-5.
 */
export function findHead(model: AnyModule): [string, Linear] {
  const linears = model.namedModules().filter((e): e is [string, Linear] => e[1] instanceof Linear);
  if (linears.length === 0) throw new Error(`findHead: ${model.constructor.name} has no Linear layer`);
  return linears[linears.length - 1];
}

/** Options of {@link replaceHead}. */
export interface ReplaceHeadOptions {
  /** The module to replace (default: {@link findHead}'s). GoogLeNet's auxiliary heads are `aux1.fc2` and `aux2.fc2`. */
  path?: string;
}

/**
 * Replaces the head by `head`, or by a fresh `Linear(inFeatures, head)` when `head` is a number of
 * classes, and returns the old one. The new module takes the old one's name, so it appears in
 * `parameters()` and in the state dict under the same key (`fc.weight`). Equivalent to assigning
 * the field (`net.fc = new nn.Linear(512, 5)`), which also works.
 * @example transfer.replaceHead(net, 5) // a new 5-class head on a ResNet
 */
export function replaceHead(model: AnyModule, head: AnyModule | number, options: ReplaceHeadOptions = {}): AnyModule {
  const path = options.path ?? findHead(model)[0];
  const [parent, name] = parentOf(model, path);
  const old = parent.namedChildren().find(([n]) => n === name)![1];
  let replacement: AnyModule;
  if (typeof head === 'number') {
    if (!(old instanceof Linear)) throw new Error(`replaceHead: '${path}' is a ${old.constructor.name}, not a Linear; pass the new head module`);
    replacement = new Linear(old.inFeatures, head) as unknown as AnyModule;
  } else {
    replacement = head;
  }
  replacement.train(old.training);
  parent.registerModule(name, replacement);
  return old;
}
