/**
 * Image transforms and augmentation, composable like torchvision's: `data.transforms.*`.
 * @module
 */
export {
  Compose, RandomTransform, applyTransform, mapImages, imageLayout,
  type Transform, type TransformLike, type RandomOptions, type Image, type FloatArray,
} from './transform.js';
export { RandomAffine, affine, affineImage, affineLinear, type AffineParams, type RandomAffineOptions } from './affine.js';
export { GaussianBlur, gaussianBlur, gaussianBlurImage } from './blur.js';
export { BrightnessContrast, adjustBrightnessContrast, brightnessContrastImage, type BrightnessContrastOptions } from './color.js';
export { ElasticDistortion, displaceImage, elasticField, type ElasticOptions } from './elastic.js';
export { RandomErasing, type RandomErasingOptions } from './erasing.js';
export { Normalize } from './normalize.js';
export { tta, type TtaOptions } from './tta.js';
export { gaussianKernel1d, reflectIndex, resample } from './sampling.js';
