/**
 * `transfer`: transfer learning as the course describes it — take a network trained on one task,
 * freeze its features, give it a new head for the new classes, and train the head (or the last few
 * layers) on the few labelled images of the new task; or use the network as a feature extractor.
 * @example
 * const net = models.lenet5({ inputSize: 28, numClasses: 5 }); // trained on digits 0–4
 * transfer.freeze(net);
 * transfer.replaceHead(net, 5);                                  // new head, trainable
 * const opt = new optim.Adam(transfer.trainableParameters(net));
 * @module
 */
export { freeze, unfreeze, trainableParameters, parameterLayers, trainLastN } from './freeze.js';
export { findHead, replaceHead, type ReplaceHeadOptions } from './head.js';
export { FeatureExtractor, featureExtractor, type FeatureExtractorOptions } from './features.js';
export { fit, accuracy, type FitOptions } from './fit.js';
