/**
 * Tensor methods mirroring `torch.Tensor`: each one calls the functional op of the same name.
 * Attached to the prototype here, so the core Tensor class never imports the ops layer.
 * @module
 */
import type { DType } from '../core/dtype.js';
import { Tensor } from '../core/tensor.js';
import * as act from './activation.js';
import * as ew from './elementwise.js';
import type { TensorLike } from './helpers.js';
import * as ip from './inplace.js';
import * as ix from './indexing.js';
import * as join from './join.js';
import * as la from './linalg.js';
import * as red from './reduce.js';
import * as vw from './view.js';

type Shape = number | readonly number[];

declare module '../core/tensor.js' {
  interface Tensor {
    /** `this + alpha·other`, broadcasting. */
    add(other: TensorLike, options?: { alpha?: number }): Tensor;
    /** `this − alpha·other`, broadcasting. */
    sub(other: TensorLike, options?: { alpha?: number }): Tensor;
    /** Elementwise product, broadcasting. */
    mul(other: TensorLike): Tensor;
    /** Elementwise true division, broadcasting. */
    div(other: TensorLike): Tensor;
    /** Elementwise power, broadcasting. */
    pow(exponent: TensorLike): Tensor;
    /** `−this`. */
    neg(): Tensor;
    /** `e^this`. */
    exp(): Tensor;
    /** Natural log. */
    log(): Tensor;
    /** `log(1 + this)`. */
    log1p(): Tensor;
    /** Square root. */
    sqrt(): Tensor;
    /** Absolute value. */
    abs(): Tensor;
    /** Sign (−1, 0, 1). */
    sign(): Tensor;
    /** Sine. */
    sin(): Tensor;
    /** Cosine. */
    cos(): Tensor;
    /** Floor. */
    floor(): Tensor;
    /** Ceiling. */
    ceil(): Tensor;
    /** Round half to even. */
    round(): Tensor;
    /** Limits values to [min, max]. */
    clamp(min?: number | null, max?: number | null): Tensor;
    /** Elementwise maximum with `other`. */
    maximum(other: TensorLike): Tensor;
    /** Elementwise minimum with `other`. */
    minimum(other: TensorLike): Tensor;
    /** `this == other` → bool. */
    eq(other: TensorLike): Tensor;
    /** `this != other` → bool. */
    ne(other: TensorLike): Tensor;
    /** `this < other` → bool. */
    lt(other: TensorLike): Tensor;
    /** `this <= other` → bool. */
    le(other: TensorLike): Tensor;
    /** `this > other` → bool. */
    gt(other: TensorLike): Tensor;
    /** `this >= other` → bool. */
    ge(other: TensorLike): Tensor;
    /** Elementwise AND → bool. */
    logicalAnd(other: TensorLike): Tensor;
    /** Elementwise OR → bool. */
    logicalOr(other: TensorLike): Tensor;
    /** Elementwise NOT → bool. */
    logicalNot(): Tensor;
    /** `this` where `condition` holds, else `other`. */
    where(condition: Tensor, other: TensorLike): Tensor;
    /** Converts to `dtype`. */
    to(dtype: DType): Tensor;
    /** Converts to float32. */
    float(): Tensor;
    /** Converts to float64. */
    double(): Tensor;
    /** Converts to int32. */
    int(): Tensor;
    /** Converts to bool. */
    bool(): Tensor;

    /** Sum over dims (all when omitted). */
    sum(dim?: red.Dims, keepdim?: boolean): Tensor;
    /** Mean over dims (all when omitted). */
    mean(dim?: red.Dims, keepdim?: boolean): Tensor;
    /** Maximum of all elements. */
    max(): Tensor;
    /** Maxima along `dim` and their indices. */
    max(dim: number, keepdim?: boolean): red.ValuesIndices;
    /** Minimum of all elements. */
    min(): Tensor;
    /** Minima along `dim` and their indices. */
    min(dim: number, keepdim?: boolean): red.ValuesIndices;
    /** Maximum over dims, values only. */
    amax(dim?: red.Dims, keepdim?: boolean): Tensor;
    /** Minimum over dims, values only. */
    amin(dim?: red.Dims, keepdim?: boolean): Tensor;
    /** Index of the maximum. */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    /** Index of the minimum. */
    argmin(dim?: number, keepdim?: boolean): Tensor;
    /** Variance (unbiased by default). */
    var(dim?: red.Dims, options?: red.VarOptions): Tensor;
    /** Standard deviation (unbiased by default). */
    std(dim?: red.Dims, options?: red.VarOptions): Tensor;
    /** Stable log Σ exp over dims. */
    logsumexp(dim: red.Dims, keepdim?: boolean): Tensor;

    /** Matrix product (batched, broadcasting). */
    matmul(other: Tensor): Tensor;
    /** Product of two matrices. */
    mm(other: Tensor): Tensor;
    /** Batched matrix product. */
    bmm(other: Tensor): Tensor;

    /** Same data in a new shape (a view where possible). */
    reshape(...shape: Shape[]): Tensor;
    /** A view in a new shape (fails rather than copy). */
    view(...shape: Shape[]): Tensor;
    /** Merges dims startDim…endDim. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Removes size-1 dims. */
    squeeze(dim?: number): Tensor;
    /** Inserts a size-1 dim. */
    unsqueeze(dim: number): Tensor;
    /** Reorders dims. */
    permute(...dims: Shape[]): Tensor;
    /** Swaps two dims. */
    transpose(dim0: number, dim1: number): Tensor;
    /** Matrix transpose. */
    t(): Tensor;
    /** Broadcasts to a larger shape without copying. */
    expand(...sizes: Shape[]): Tensor;
    /** Broadcasts to `other`'s shape. */
    expandAs(other: Tensor): Tensor;
    /** A contiguous copy (or this tensor). */
    contiguous(): Tensor;
    /** A differentiable copy with its own memory. */
    clone(): Tensor;
    /** The same data without gradient history. */
    detach(): Tensor;
    /** Python's `x[start:end:step]` along `dim`, as a view. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** `length` elements from `start` along `dim`. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** The slice at `index` along `dim`, that dim removed. */
    select(dim: number, index: number): Tensor;
    /** Splits into pieces along `dim`. */
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    /** Splits into `chunks` pieces along `dim`. */
    chunk(chunks: number, dim?: number): Tensor[];

    /** Gathers values along `dim` at `index`. */
    gather(dim: number, index: Tensor): Tensor;
    /** Adds `src` at `index` along `dim` (out of place). */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** Selects entries of `index` along `dim`. */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** Replaces elements where `mask` is true with `value`. */
    maskedFill(mask: Tensor, value: number): Tensor;

    /** max(0, x). */
    relu(): Tensor;
    /** Logistic sigmoid. */
    sigmoid(): Tensor;
    /** Hyperbolic tangent. */
    tanh(): Tensor;
    /** Softmax along `dim`. */
    softmax(dim: number): Tensor;
    /** Log-softmax along `dim`. */
    logSoftmax(dim: number): Tensor;

    /** In place: copies `src` in. */
    copy_(src: TensorLike): Tensor;
    /** In place: sets every element to `value`. */
    fill_(value: number): Tensor;
    /** In place: sets every element to 0. */
    zero_(): Tensor;
    /** In place: `this += alpha·other`. */
    add_(other: TensorLike, options?: { alpha?: number }): Tensor;
    /** In place: `this −= alpha·other`. */
    sub_(other: TensorLike, options?: { alpha?: number }): Tensor;
    /** In place: `this *= other`. */
    mul_(other: TensorLike): Tensor;
    /** In place: `this /= other`. */
    div_(other: TensorLike): Tensor;
    /** In place: clamps to [min, max]. */
    clamp_(min?: number | null, max?: number | null): Tensor;
  }
}

const P = Tensor.prototype;
P.add = function (o, opts) { return ew.add(this, o, opts); };
P.sub = function (o, opts) { return ew.sub(this, o, opts); };
P.mul = function (o) { return ew.mul(this, o); };
P.div = function (o) { return ew.div(this, o); };
P.pow = function (o) { return ew.pow(this, o); };
P.neg = function () { return ew.neg(this); };
P.exp = function () { return ew.exp(this); };
P.log = function () { return ew.log(this); };
P.log1p = function () { return ew.log1p(this); };
P.sqrt = function () { return ew.sqrt(this); };
P.abs = function () { return ew.abs(this); };
P.sign = function () { return ew.sign(this); };
P.sin = function () { return ew.sin(this); };
P.cos = function () { return ew.cos(this); };
P.floor = function () { return ew.floor(this); };
P.ceil = function () { return ew.ceil(this); };
P.round = function () { return ew.round(this); };
P.clamp = function (lo, hi) { return ew.clamp(this, lo, hi); };
P.maximum = function (o) { return ew.maximum(this, o); };
P.minimum = function (o) { return ew.minimum(this, o); };
P.eq = function (o) { return ew.eq(this, o); };
P.ne = function (o) { return ew.ne(this, o); };
P.lt = function (o) { return ew.lt(this, o); };
P.le = function (o) { return ew.le(this, o); };
P.gt = function (o) { return ew.gt(this, o); };
P.ge = function (o) { return ew.ge(this, o); };
P.logicalAnd = function (o) { return ew.logicalAnd(this, o); };
P.logicalOr = function (o) { return ew.logicalOr(this, o); };
P.logicalNot = function () { return ew.logicalNot(this); };
P.where = function (c, o) { return ew.where(c, this, o); };
P.to = function (d) { return ew.to(this, d); };
P.float = function () { return ew.to(this, 'float32'); };
P.double = function () { return ew.to(this, 'float64'); };
P.int = function () { return ew.to(this, 'int32'); };
P.bool = function () { return ew.to(this, 'bool'); };

P.sum = function (d, k) { return red.sum(this, d, k); };
P.mean = function (d, k) { return red.mean(this, d, k); };
P.max = function (this: Tensor, dim?: number, keepdim?: boolean) {
  return dim === undefined ? red.amax(this) : red.maxDim(this, dim, keepdim);
} as Tensor['max'];
P.min = function (this: Tensor, dim?: number, keepdim?: boolean) {
  return dim === undefined ? red.amin(this) : red.minDim(this, dim, keepdim);
} as Tensor['min'];
P.amax = function (d, k) { return red.amax(this, d, k); };
P.amin = function (d, k) { return red.amin(this, d, k); };
P.argmax = function (d, k) { return red.argmax(this, d, k); };
P.argmin = function (d, k) { return red.argmin(this, d, k); };
P.var = function (d, o) { return red.variance(this, d, o); };
P.std = function (d, o) { return red.std(this, d, o); };
P.logsumexp = function (d, k) { return red.logsumexp(this, d, k); };

P.matmul = function (o) { return la.matmul(this, o); };
P.mm = function (o) { return la.mm(this, o); };
P.bmm = function (o) { return la.bmm(this, o); };

P.reshape = function (...s) { return vw.reshape(this, ...s); };
P.view = function (...s) { return vw.view(this, ...s); };
P.flatten = function (s, e) { return vw.flatten(this, s, e); };
P.squeeze = function (d) { return vw.squeeze(this, d); };
P.unsqueeze = function (d) { return vw.unsqueeze(this, d); };
P.permute = function (...d) { return vw.permute(this, ...d); };
P.transpose = function (a, b) { return vw.transpose(this, a, b); };
P.t = function () { return vw.t(this); };
P.expand = function (...s) { return vw.expand(this, ...s); };
P.expandAs = function (o) { return vw.expandAs(this, o); };
P.contiguous = function () { return vw.contiguous(this); };
P.clone = function () { return vw.clone(this); };
P.detach = function () { return vw.detach(this); };
P.slice = function (d, s, e, st) { return vw.slice(this, d, s, e, st); };
P.narrow = function (d, s, l) { return vw.narrow(this, d, s, l); };
P.select = function (d, i) { return vw.select(this, d, i); };
P.split = function (s, d) { return join.split(this, s, d); };
P.chunk = function (c, d) { return join.chunk(this, c, d); };

P.gather = function (d, i) { return ix.gather(this, d, i); };
P.scatterAdd = function (d, i, s) { return ix.scatterAdd(this, d, i, s); };
P.indexSelect = function (d, i) { return ix.indexSelect(this, d, i); };
P.maskedFill = function (m, v) { return ix.maskedFill(this, m, v); };

P.relu = function () { return act.relu(this); };
P.sigmoid = function () { return act.sigmoid(this); };
P.tanh = function () { return act.tanh(this); };
P.softmax = function (d) { return act.softmax(this, d); };
P.logSoftmax = function (d) { return act.logSoftmax(this, d); };

P.copy_ = function (s) { return ip.copy_(this, s); };
P.fill_ = function (v) { return ip.fill_(this, v); };
P.zero_ = function () { return ip.zero_(this); };
P.add_ = function (o, opts) { return ip.add_(this, o, opts); };
P.sub_ = function (o, opts) { return ip.sub_(this, o, opts); };
P.mul_ = function (o) { return ip.mul_(this, o); };
P.div_ = function (o) { return ip.div_(this, o); };
P.clamp_ = function (lo, hi) { return ip.clamp_(this, lo, hi); };
