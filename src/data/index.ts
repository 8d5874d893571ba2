/**
 * Data loading, like `torch.utils.data` and `torchvision`: datasets, the DataLoader, MNIST, the
 * IDX reader and augmentation transforms (`data.transforms`).
 * @module
 */
export { TensorDataset, Subset, randomSplit, permutation, type Dataset, type RandomSplitOptions } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export { defaultCollate, type Collated } from './collate.js';
export { readIdx, parseIdx, encodeIdx, type IdxData, type IdxOptions, type IdxType, type IdxArray } from './idx.js';
export { loadMnist, mnistDir, MNIST_MEAN, MNIST_STD, type Mnist, type MnistOptions, type MnistSplit } from './mnist.js';
export { makeMoons, makeXor, type ToyDataset } from './toy.js';
export * as transforms from './transforms/index.js';
