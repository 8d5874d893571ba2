/**
 * Reporting: training-curve plots, image grids and PNG reading, progress bars.
 * @module
 */
export { plotHistory, historySpec, historyPoints, renderPng, renderSvg, type History, type EpochRecord, type PlotOptions } from './plot.js';
export { saveImageGrid, makeGrid, saveImage, encodePng, decodePng, readImage, type GridOptions, type ReadImageOptions } from './image.js';
export { Progress, formatDuration, formatStats, type ProgressOptions, type ProgressStats, type ProgressStream } from './progress.js';
