/**
 * `inspect`: looking inside a trained network (the interpretation lecture) — the images that most
 * activate a filter, class-model visualisation by gradient ascent on the input, and the
 * `glubina inspect` command that writes both as PNG grids.
 * @module
 */
export { topActivatingImages, type TopActivationOptions, type ChannelTop } from './top_activations.js';
export { classModel, type ClassModelOptions, type ClassModelResult } from './class_model.js';
export { runInspect, INSPECT_USAGE, type InspectSummary } from './cli.js';
