/**
 * Hand-set filters: a Conv2d whose two 3×3 kernels are set to the Sobel operators finds the
 * edges of an MNIST digit — what the first layer of a trained CNN learns by itself.
 *
 *          ⎡−1 0 +1⎤          ⎡−1 −2 −1⎤
 *     Gx = ⎢−2 0 +2⎥     Gy = ⎢ 0  0  0⎥      |∇I| = √(Gx⋆I)² + (Gy⋆I)²
 *          ⎣−1 0 +1⎦          ⎣+1 +2 +1⎦
 *
 * Gx responds to changes from left to right (vertical edges), Gy from top to bottom (horizontal
 * edges); the gradient magnitude is large on every edge and 0 on flat areas. The layer pads by
 * replicating the border pixels, so the image border itself is not mistaken for an edge.
 *
 * Run (after `npx tsc -p .`): `node dist/examples/sobel_edges.js [out.png] [index]`
 * writes the digit (left) and its edge magnitude (right), 8× enlarged, to out.png
 * (default sobel_edges.png); `index` picks the MNIST test digit (default 0).
 * @module
 */
import { pathToFileURL } from 'node:url';
import { cat, data, nn, noGrad, report, tensor, zeros, type Tensor } from '../src/index.js';

/** The Sobel kernels as a Conv2d weight [2, 1, 3, 3]: output channel 0 is Gx, channel 1 is Gy. */
export const SOBEL_WEIGHT = [
  [[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]],
  [[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]],
];

/** A Conv2d(1, 2, 3) with the Sobel kernels as its weights, bias 0, and replicate padding of 1 (output size = input size). */
export function sobelLayer(): nn.Conv2d {
  const conv = new nn.Conv2d(1, 2, 3, { padding: 1, paddingMode: 'replicate' });
  // The weights are set by hand, not learned: load them like a state dict.
  conv.loadStateDict({ weight: tensor(SOBEL_WEIGHT), bias: zeros([2]) });
  conv.requiresGrad_(false);
  return conv;
}

/** What {@link sobelEdges} returns; every tensor is [N, 1, H, W]. */
export interface SobelResult {
  /** Horizontal derivative Gx ⋆ I (strong on vertical edges). */
  gx: Tensor;
  /** Vertical derivative Gy ⋆ I (strong on horizontal edges). */
  gy: Tensor;
  /** Gradient magnitude √(Gx² + Gy²). */
  magnitude: Tensor;
}

/** Applies the Sobel layer to images [N, 1, H, W] and returns both derivatives and the magnitude. */
export function sobelEdges(images: Tensor): SobelResult {
  return noGrad(() => {
    const g = sobelLayer().call(images);
    const gx = g.narrow(1, 0, 1);
    const gy = g.narrow(1, 1, 1);
    return { gx, gy, magnitude: gx.mul(gx).add(gy.mul(gy)).sqrt() };
  });
}

/** Loads MNIST test digit `index`, finds its edges and saves digit and edges side by side as a PNG. */
export function main(out = 'sobel_edges.png', index = 0): void {
  const { images, labels } = data.loadMnist('test', { limit: index + 1 });
  const digit = images.narrow(0, index, 1); // [1, 1, 28, 28], values in [0, 1]
  const { magnitude } = sobelEdges(digit);
  // The magnitude reaches 4·√2 at most for values in [0, 1]; scale it to [0, 1] for display.
  const edges = magnitude.div(magnitude.max().item() || 1);
  report.saveImageGrid(cat([digit, edges], 0), out, { nrow: 2, scale: 8, padding: 4, padValue: 0.5 });
  const label = labels.dataSync()[index];
  console.log(`sobel_edges: digit ${index} (a ${label}) and its Sobel gradient magnitude written to ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2], process.argv[3] === undefined ? 0 : Number(process.argv[3]));
}
