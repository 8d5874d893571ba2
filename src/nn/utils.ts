/**
 * `nn.utils`: gradient clipping under the names PyTorch users look for (`nn.utils.clip_grad_norm_`).
 * The implementation lives with the optimisers, which it serves.
 * @module
 */
export { clipGradNorm_, clipGradValue_ } from '../optim/clip_grad.js';
