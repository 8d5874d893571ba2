/**
 * A node of the backward graph, made by an op when any of its inputs requires grad.
 * @module
 */
import type { GradNode, Tensor } from '../core/tensor.js';

/**
 * Computes the gradients of an op's inputs from the gradient of its output and what it saved.
 * `needs[i]` tells whether input i wants a gradient (PyTorch's `needs_input_grad`): a rule may
 * return null there instead of computing it — a frozen weight or the network's input costs no
 * work in backward.
 */
export type BackwardFn = (grad: Tensor, saved: readonly Tensor[], needs: readonly boolean[]) => (Tensor | null)[];

/** The recorded application of one op: its inputs, the tensors its gradient needs, and its rule. */
export class Node implements GradNode {
  private saved: readonly Tensor[] | null;
  private readonly savedVersions: readonly number[];

  /**
   * @param name PyTorch-style node name, e.g. `MulBackward0`.
   * @param inputs the op's tensor inputs (null where one needs no grad).
   * @param backwardFn the op's gradient rule.
   * @param saved tensors the rule reads, checked for in-place changes before use.
   */
  constructor(
    readonly name: string,
    readonly inputs: readonly (Tensor | null)[],
    private readonly backwardFn: BackwardFn,
    saved: readonly Tensor[] = [],
  ) {
    this.saved = saved;
    this.savedVersions = saved.map((t) => t.storage.version);
  }

  /** {@inheritDoc GradNode.released} */
  get released(): boolean {
    return this.saved === null;
  }

  /** {@inheritDoc GradNode.apply} */
  apply(grad: Tensor): (Tensor | null)[] {
    const saved = this.saved;
    if (saved === null) {
      throw new Error(
        `backward: trying to backward through ${this.name} a second time, after its saved tensors were freed; ` +
          'pass { retainGraph: true } to the first backward() to keep them',
      );
    }
    saved.forEach((t, i) => {
      if (t.storage.version !== this.savedVersions[i]) {
        throw new Error(
          `backward: a tensor of shape [${t.shape.join(',')}] needed by ${this.name} was modified by an in-place operation ` +
            `(version ${t.storage.version}, saved at version ${this.savedVersions[i]}); clone it before changing it in place`,
        );
      }
    });
    return this.backwardFn(grad, saved, this.inputs.map((t) => t !== null));
  }

  /** {@inheritDoc GradNode.release} */
  release(): void {
    this.saved = null;
  }
}
