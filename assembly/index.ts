/**
 * The glubina WebAssembly kernels: the module's exports. Built twice by scripts/build-wasm.mjs,
 * with SIMD128 and with relaxed SIMD (fused multiply-add in GEMM), over an imported shared memory
 * whose allocation the host manages; no kernel allocates.
 */
export { convertStrided, copyStrided, fill1, fill4, fill8, zeroBytes } from './kernels/copy';
export { avgPool2dBackwardF32, avgPool2dF32 } from './kernels/avgpool';
export { col2imF32, im2colF32, maxPool2dF32 } from './kernels/conv';
export { conv1chF32, conv1chScratchBytes, conv1chWeightGradF32, conv1chWeightGradSumF32 } from './kernels/conv_direct';
export { convInputGradF32, convInputGradScratchBytes } from './kernels/conv_input_grad';
export { convImagesF32, convImagesInputGradF32, convImagesWeightGradF32 } from './kernels/conv_images';
// Exported only so that Binaryen keeps it a function of its own (see the kernel's comment).
export { conv1chTile6x8 as convMicroKernel6x8 } from './kernels/conv_direct';
export { binaryF32, sgdStepF32, unaryF32, whereSelect } from './kernels/elementwise';
export { gemmF32, gemmPath, gemmScratchBytes, sgemm } from './kernels/gemm';
// Exported only so that Binaryen keeps it a function of its own: inlined into sgemm, V8 schedules
// its loads badly and it runs at half speed (see gemm_micro.ts).
export { micro6x8 as gemmMicroKernel6x8 } from './kernels/gemm_micro';
export { convDirectF32, convWeightGradDirectF32, convWeightGradScratchBytes } from './kernels/gemm_small';
export { gather, scatterAddF32 } from './kernels/indexing';
export { batchNormBackwardF32, batchNormF32 } from './kernels/norm';
export { adamStepF32 } from './kernels/optim';
export { reduceF32, softmaxF32 } from './kernels/reduce';

/** First byte past the module's static data: the host's heap starts above it. */
export function dataEnd(): usize {
  return __heap_base;
}
