/**
 * The reference backend: every kernel in plain TypeScript over typed arrays. Correct first,
 * reasonably fast, and the yardstick the faster backends are tested against.
 * @module
 */
import type { AdamStepHyper, Backend, BinaryOp, MemoryInfo, ReduceOp, SgdStepHyper, Storage, UnaryOp, View } from '../../core/backend.js';
import type { Conv2dGeometry, Pool2dWindows } from '../../core/conv_shape.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';
import { numel } from '../../core/shape.js';
import { col2imKernel, im2colBatchedKernel, im2colKernel, swapOuter } from './conv.js';
import { binaryKernel, unaryKernel, whereKernel } from './elementwise.js';
import { gatherKernel, scatterAddKernel } from './indexing.js';
import { matmulKernel } from './matmul.js';
import { avgPool2dBackwardKernel, avgPool2dKernel, maxPool2dKernel } from './pool.js';
import { batchNormBackwardKernel, batchNormKernel } from './norm.js';
import { adamStepKernel, sgdStepKernel } from './optim.js';
import { reduceKernel, softmaxKernel } from './reduce.js';
import { arrayOf, contiguousData, convert, forEachOffset, isContiguousView, JsStorage } from './storage.js';

/** The TypeScript reference backend, registered as `'js'`. */
export class JsBackend implements Backend {
  /** Always `'js'`: the name `setBackend` takes. */
  readonly name = 'js';
  private liveBytes = 0;
  private liveStorages = 0;
  // Counts storages the garbage collector has not reclaimed yet, for memory().
  private readonly registry = new FinalizationRegistry<number>((bytes) => {
    this.liveBytes -= bytes;
    this.liveStorages--;
  });

  private wrap(data: TypedArray): Storage {
    const s = new JsStorage(this, data);
    this.liveBytes += data.byteLength;
    this.liveStorages++;
    this.registry.register(s, data.byteLength);
    return s;
  }

  /** {@inheritDoc Backend.alloc} */
  alloc(dtype: DType, size: number): Storage {
    return this.wrap(allocArray(dtype, size));
  }

  /** {@inheritDoc Backend.fromArray} */
  fromArray(data: TypedArray): Storage {
    return this.wrap(data.slice());
  }

  /** {@inheritDoc Backend.read} */
  read(view: View): TypedArray {
    return contiguousData(view).slice();
  }

  /** {@inheritDoc Backend.copy} */
  copy(src: View, dst: View): void {
    const values = convert(contiguousData(src), dst.storage.dtype);
    const D = arrayOf(dst);
    if (isContiguousView(dst)) {
      D.set(values, dst.offset);
      return;
    }
    forEachOffset(dst.shape, dst.strides, dst.offset, (p, i) => {
      D[p] = values[i];
    });
  }

  /** {@inheritDoc Backend.fill} */
  fill(dst: View, value: number): void {
    const D = arrayOf(dst);
    if (isContiguousView(dst)) {
      D.fill(value, dst.offset, dst.offset + numel(dst.shape));
      return;
    }
    forEachOffset(dst.shape, dst.strides, dst.offset, (p) => {
      D[p] = value;
    });
  }

  /** {@inheritDoc Backend.unary} */
  unary(op: UnaryOp, x: View, outDtype: DType, args?: readonly number[]): Storage {
    return this.wrap(unaryKernel(op, x, outDtype, args));
  }

  /** {@inheritDoc Backend.binary} */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage {
    return this.wrap(binaryKernel(op, a, b, outDtype));
  }

  /** {@inheritDoc Backend.where} */
  where(cond: View, a: View, b: View, outDtype: DType): Storage {
    return this.wrap(whereKernel(cond, a, b, outDtype));
  }

  /** {@inheritDoc Backend.reduce} */
  reduce(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): Storage {
    return this.wrap(reduceKernel(op, x, dims, outDtype));
  }

  /** {@inheritDoc Backend.matmul} */
  matmul(a: View, b: View, outDtype: DType, init?: View): Storage {
    const out = matmulKernel(a, b, outDtype);
    if (init !== undefined) {
      const src = arrayOf(init);
      forEachOffset(init.shape, init.strides, init.offset, (p, i) => {
        out[i] = (src[p] as number) + (out[i] as number);
      });
    }
    return this.wrap(out);
  }

  /** {@inheritDoc Backend.gather} */
  gather(x: View, dim: number, index: View): Storage {
    return this.wrap(gatherKernel(x, dim, index));
  }

  /** {@inheritDoc Backend.scatterAdd} */
  scatterAdd(self: View, dim: number, index: View, src: View): Storage {
    return this.wrap(scatterAddKernel(self, dim, index, src));
  }

  /** {@inheritDoc Backend.softmax} */
  softmax(x: View, dim: number, log: boolean): Storage {
    return this.wrap(softmaxKernel(x, dim, log));
  }

  /** {@inheritDoc Backend.im2col} */
  im2col(x: View, geometry: Conv2dGeometry): Storage {
    return this.wrap(im2colKernel(x, geometry));
  }

  /** {@inheritDoc Backend.col2im} */
  col2im(cols: View, geometry: Conv2dGeometry): Storage {
    return this.wrap(col2imKernel(cols, geometry));
  }

  /** {@inheritDoc Backend.im2colBatched} */
  im2colBatched(x: View, geometry: Conv2dGeometry): Storage {
    return this.wrap(im2colBatchedKernel(x, geometry));
  }

  /** {@inheritDoc Backend.col2imBatched} */
  col2imBatched(cols: View, geometry: Conv2dGeometry, batch: number): Storage {
    const R = cols.shape[0];
    const L = geometry.outH * geometry.outW;
    // Back to [N, C·kH·kW, L], then the ordinary col2im.
    const unfolded = this.wrap(swapOuter(contiguousData(cols), R, batch, L));
    return this.col2im({ storage: unfolded, shape: [batch, R, L], strides: [R * L, L, 1], offset: 0 }, geometry);
  }

  /** {@inheritDoc Backend.sgdStep} */
  sgdStep(param: View, grad: View, momentumBuffer: View | null, hyper: SgdStepHyper): boolean {
    return sgdStepKernel(param, grad, momentumBuffer, hyper);
  }

  /** {@inheritDoc Backend.adamStep} */
  adamStep(param: View, grad: View, expAvg: View, expAvgSq: View, maxExpAvgSq: View | null, hyper: AdamStepHyper): boolean {
    return adamStepKernel(param, grad, expAvg, expAvgSq, maxExpAvgSq, hyper);
  }

  /** {@inheritDoc Backend.batchNorm} */
  batchNorm(x: View, weight: View | null, bias: View | null, eps: number): [Storage, Storage, Storage, Storage] | null {
    const r = batchNormKernel(x, weight, bias, eps);
    return r && [this.wrap(r[0]), this.wrap(r[1]), this.wrap(r[2]), this.wrap(r[3])];
  }

  /** {@inheritDoc Backend.batchNormBackward} */
  batchNormBackward(grad: View, x: View, mean: View, invstd: View, weight: View | null, inputGrad: boolean): [Storage | null, Storage, Storage] | null {
    const r = batchNormBackwardKernel(grad, x, mean, invstd, weight, inputGrad);
    return r && [r[0] && this.wrap(r[0]), this.wrap(r[1]), this.wrap(r[2])];
  }

  /** {@inheritDoc Backend.avgPool2d} */
  avgPool2d(x: View, geometry: Conv2dGeometry, divisors: Float64Array): Storage {
    return this.wrap(avgPool2dKernel(x, geometry, divisors));
  }

  /** {@inheritDoc Backend.avgPool2dBackward} */
  avgPool2dBackward(grad: View, geometry: Conv2dGeometry, divisors: Float64Array): Storage {
    return this.wrap(avgPool2dBackwardKernel(grad, geometry, divisors));
  }

  /** {@inheritDoc Backend.maxPool2d} */
  maxPool2d(x: View, windows: Pool2dWindows): [Storage, Storage] {
    const [values, indices] = maxPool2dKernel(x, windows);
    return [this.wrap(values), this.wrap(indices)];
  }

  /** {@inheritDoc Backend.release} */
  release(_storage: Storage): void {
    // Typed arrays are reclaimed by the garbage collector.
  }

  /** {@inheritDoc Backend.memory} */
  memory(): MemoryInfo {
    return { bytes: this.liveBytes, storages: this.liveStorages };
  }
}

