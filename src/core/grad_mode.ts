/**
 * Whether ops record the graph for backpropagation.
 * @module
 */

let enabled = true;

/** True while ops record their graph (outside {@link noGrad}). */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` without recording a graph, like `with torch.no_grad():`. Returns what `fn` returns. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` with graph recording on, even inside {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
