/**
 * Hyper-parameter checks shared by the optimisers, with messages that name the optimiser,
 * the hyper-parameter and the offending value.
 * @module
 */

/** Throws unless `value` is a number ≥ 0 (NaN fails), e.g. `SGD: invalid learning rate -1 (must be >= 0)`. */
export function checkNonNegative(optimizer: string, what: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new Error(`${optimizer}: invalid ${what} ${String(value)} (must be >= 0)`);
  }
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(optimizer: string, what: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new Error(`${optimizer}: ${what} must be true or false, got ${String(value)}`);
}

/**
 * Throws unless `betas` is a pair of numbers in [0, 1),
 * e.g. `Adam: invalid beta parameter at index 0: 1.5 (must be in [0, 1))`.
 */
export function checkBetas(optimizer: string, betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new Error(`${optimizer}: betas must be a pair [beta1, beta2], got ${Array.isArray(betas) ? `[${betas.join(', ')}]` : String(betas)}`);
  }
  betas.forEach((b: unknown, i) => {
    if (typeof b !== 'number' || !(b >= 0 && b < 1)) {
      throw new Error(`${optimizer}: invalid beta parameter at index ${i}: ${String(b)} (must be in [0, 1))`);
    }
  });
}
