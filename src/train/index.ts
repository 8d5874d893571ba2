/**
 * Training: the `fit` loop, evaluation, metrics, callbacks (early stopping, best checkpoint,
 * metrics log, curves) and the history as data, like Keras' `fit` over a PyTorch-style loop.
 * @module
 */
export {
  fit, evaluate,
  type FitOptions, type FitResult, type EvaluateOptions, type EvaluateResult, type Batch, type LossLike, type EpochScheduler,
} from './fit.js';
export { Accuracy, TopKAccuracy, ConfusionMatrix, metricFromName, type Metric } from './metrics.js';
export {
  EarlyStopping, BestCheckpoint, MetricsLogger, PlotCurves, LambdaCallback,
  type Callback, type FitContext, type BatchStats, type MonitorMode, type EarlyStoppingOptions, type BestCheckpointOptions,
} from './callbacks.js';
export { appendJsonl, writeJsonl, readJsonl, recordToJson, metricKey, type EpochRecord } from './history.js';
