/**
 * Model analysis (above `nn`: it inspects modules): receptive fields per layer and a Keras-style
 * summary of output shapes and parameter counts.
 * @module
 */
export {
  receptiveField, formatReceptiveField, registerReceptiveField,
  type ReceptiveFieldResult, type RFRow, type DimArg, type RFWindow, type RFTranspose, type RFAdaptive, type RFPad,
  type RFResize, type RFIdentity, type RFFlatten, type RFGlobal, type RFLayer, type RFParallel, type RFNode, type RFDescriber,
  type HasReceptiveFieldGraph,
} from './receptive_field.js';
export { summary, summarize, formatSummary, type SummaryOptions, type SummaryRow, type ModelSummary } from './summary.js';
