/**
 * `optim`: optimisers and learning-rate schedules, like `torch.optim`.
 * @module
 */
export {};
