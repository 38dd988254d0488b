/**
 * Tensor: shape + dtype + a ref-counted backend storage + autograd metadata.
 * Methods are thin: the ops (with their gradient rules) live in ../ops.
 */
import type { Backend, DataArray, DType, Shape, TensorRef } from '../backend/kernels.js';
import { formatShape, shapesEqual, sizeOf } from '../backend/shape.js';
import { getBackend } from '../backend/registry.js';
import {
  rebaseHistory,
  registerHook,
  retainGrad,
  runBackward,
  type BackwardOptions,
  type GradHook,
  type Node,
  type RemovableHandle,
} from '../autograd/engine.js';
import { isGradEnabled, isInferenceModeEnabled } from '../autograd/grad-mode.js';
import { Storage } from './storage.js';
import { keep, tidy, trackTensor } from './scope.js';
import { bindTensorClass } from './binding.js';
import { formatTensor } from './print.js';
import * as dd from '../ops/datadep.js';
import * as smp from '../ops/sampling.js';
import * as ew from '../ops/elementwise.js';
import * as red from '../ops/reduce.js';
import * as lay from '../ops/layout.js';
import * as idx from '../ops/indexing.js';
import * as sc from '../ops/scatter.js';
import * as sub from '../ops/subscript.js';
import { matmul } from '../ops/matmul.js';
import * as math from '../ops/math.js';
import * as linalg from '../ops/linalg.js';
import * as shp from '../ops/shape.js';
import * as like from '../ops/creation-like.js';
import * as sorting from '../ops/sorting.js';
import * as scan from '../ops/scan.js';
import type { DTypeName, HostData } from './host-data.js';

/**
 * Releases the storage of tensors the program dropped without dispose(): a safety net only. A tensor
 * made inside a scope (every op's temporaries, a tidy() step) is registered only if it outlives
 * every scope (returned to the top, or kept): a scope frees the rest deterministically, and
 * register + unregister would cost ~0.8 us per tensor.
 */
const tensorRegistry = new FinalizationRegistry<Storage>((storage) => storage.release());

export type Scalar = number;
export type TensorOrScalar = Tensor | number;
export type NestedArray = number | boolean | NestedArray[];

/**
 * PyTorch's (values, indices) named tuple: the two fields, and `[values, indices]` by
 * destructuring (`const [, predicted] = outputs.max(1)`) or `[0]` / `[1]`.
 */
export interface MaxMinResult extends Iterable<Tensor> {
  values: Tensor;
  indices: Tensor;
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length: 2;
}

let tensorIds = 0;

export class Tensor {
  readonly id = tensorIds++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal */ _storage: Storage;
  requiresGrad = false;
  grad: Tensor | null = null;
  private _gradFn: Node | null = null;
  /** @internal A saved alias: its gradFn reference does not keep the graph alive. */
  _weakGradFn = false;
  /** @internal */ _retainsGrad = false;
  /** @internal For a saved alias of a leaf: the leaf whose .grad it feeds. */
  _gradTarget: Tensor | null = null;
  /** @internal In-place writes detach from shared storage instead of writing through it. */
  _copyOnWrite = false;
  /** @internal */ disposed = false;
  /** @internal keep(): no tidy() scope frees it. */
  _kept = false;
  /** @internal Created in inferenceMode(): autograd must never save it. */
  readonly _inference = isInferenceModeEnabled();
  /** @internal In the FinalizationRegistry (see tensorRegistry). */
  private guarded = false;

  /** @internal Use the creation functions (tensor, zeros, ...). */
  constructor(storage: Storage, shape: Shape, dtype: DType) {
    this._storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    if (!trackTensor(this)) this._guard();
  }

  /** @internal This tensor outlives the scopes: let the FinalizationRegistry free it if it is dropped. */
  _guard(): void {
    if (this.guarded || this.disposed) return;
    this.guarded = true;
    tensorRegistry.register(this, this._storage, this);
  }

  /** The storage changed under a guarded tensor: the registry must release the new one. */
  private _reguard(): void {
    if (!this.guarded) return;
    tensorRegistry.unregister(this);
    tensorRegistry.register(this, this._storage, this);
  }

  /** @internal Wrap a fresh kernel output. */
  static _fromHandle(backend: Backend<unknown>, handle: unknown, shape: Shape, dtype: DType): Tensor {
    const bytes = sizeOf(shape) * (dtype === 'bool' ? 1 : 4);
    return new Tensor(new Storage(backend, handle, bytes), shape, dtype);
  }

  /**
   * The autograd node that produced this tensor (null for leaves). Nodes are ref-counted by the
   * tensors and downstream nodes that refer to them, so disposing the last tensor of a graph that
   * never ran backward frees the tensors it saved.
   */
  get gradFn(): Node | null {
    return this._gradFn;
  }
  set gradFn(node: Node | null) {
    if (node === this._gradFn) return;
    if (!this._weakGradFn && !this.disposed) {
      node?.retain();
      this._gradFn?.drop();
    }
    this._gradFn = node;
  }

  // ---------------------------------------------------------------- metadata
  get backend(): Backend<unknown> {
    return this._storage.backend;
  }
  /** The device (backend name): 'cpu', 'gpujs', 'tfjs'. */
  get device(): string {
    return this._storage.backend.name;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return sizeOf(this.shape);
  }
  /** size() -> shape; size(d) -> that dimension (negative d counts from the end). */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    return this.shape[lay.normalizeDim(dim, this.ndim, 'size')]!;
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  /** @internal What kernels see. */
  get ref(): TensorRef<unknown> {
    if (this.disposed) throw new Error(`Tensor of shape ${formatShape(this.shape)} was used after dispose().`);
    return { storage: this._storage.handle, shape: this.shape, dtype: this.dtype };
  }
  /** @internal */
  _shapeEquals(shape: Shape): boolean {
    return shapesEqual(this.shape, shape);
  }

  // ---------------------------------------------------------------- memory
  /** Free this tensor's storage (shared views keep it alive until they are disposed too). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.guarded) tensorRegistry.unregister(this);
    this._storage.release();
    // Keep the link (the graph still traverses it) but no longer keep the node alive.
    if (!this._weakGradFn) this._gradFn?.drop();
  }
  /** Keep this tensor beyond the enclosing tidy(). */
  keep(): this {
    return keep(this);
  }
  /** @internal A new tensor object sharing this storage (not grad-connected). */
  _alias(shape: Shape = this.shape): Tensor {
    this._storage.retain();
    return new Tensor(this._storage, shape, this.dtype);
  }
  /** @internal */
  _onesLikeDetached(): Tensor {
    const b = this.backend;
    return Tensor._fromHandle(b, b.kernels.fill(this.shape, this.dtype, 1), this.shape, this.dtype);
  }
  /**
   * @internal In-place write: this tensor takes over `result`'s data (same shape). Views that share
   * the storage see the change (as in PyTorch); `result` is consumed.
   */
  _assign(computed: Tensor, opName: string): this {
    let result = computed;
    if (!shapesEqual(result.shape, this.shape) && result.numel !== this.numel) {
      throw new Error(
        `${opName}: result of shape ${formatShape(result.shape)} cannot be written into a tensor of shape ${formatShape(this.shape)}.`,
      );
    }
    if (result.dtype !== this.dtype) {
      // PyTorch's in-place casting rule: bool -> int32 -> float32 only (int.add_(0.5) is an error).
      const rank = { bool: 0, int32: 1, float32: 2 } as const;
      if (rank[result.dtype] > rank[this.dtype]) {
        const from = math.torchTypeName(result.dtype);
        result.dispose();
        throw new Error(
          `${opName}: result type ${from} can't be cast to the desired output type ${math.torchTypeName(this.dtype)}`,
        );
      }
      result = ew.cast(computed, this.dtype);
      computed.dispose();
    }
    if (result.device !== this.device)
      throw new Error(
        `${opName}: Expected all tensors to be on the same device, but found at least two devices, ${this.device} and ${result.device}!`,
      );
    // The in-place op's node becomes this tensor's history (before result lets go of it).
    rebaseHistory(this, result, opName);
    let handle: unknown;
    if (result._storage.refCount === 1 && !result.disposed) {
      // Steal the fresh result's handle instead of copying it; its graph node (and what the node
      // saved) is released as by dispose().
      result.disposed = true;
      if (result.guarded) tensorRegistry.unregister(result);
      handle = result._storage.takeHandle();
      if (!result._weakGradFn) result.gradFn?.drop();
    } else {
      handle = result.backend.kernels.copy(result.ref);
      result.dispose();
    }
    const storage = this._storage;
    if (this._copyOnWrite && storage.refCount > 1) {
      storage.release();
      this._storage = new Storage(this.backend, handle, storage.bytes);
      this._reguard();
    } else {
      storage.replaceHandle(handle);
    }
    return this;
  }
  /**
   * @internal Move this tensor's data to another device in place (Module.to() keeps Parameter
   * identity so optimizers holding them stay valid). Views of the old storage keep the old data.
   */
  _moveTo(device: string): void {
    if (device === this.device) return;
    const dst = getBackend(device);
    const data = this.dataSync();
    const old = this._storage;
    this._storage = new Storage(dst, dst.kernels.write(data, this.shape, this.dtype), old.bytes);
    this._reguard();
    old.release();
    if (this.grad !== null) this.grad._moveTo(device);
  }
  private checkInPlace(opName: string): void {
    if (this._inference && !isInferenceModeEnabled()) {
      throw new Error(
        `${opName}: Inplace update to inference tensor outside InferenceMode is not allowed. You can make a clone to get a normal tensor before doing inplace update.`,
      );
    }
    if (isGradEnabled() && this.requiresGrad && this.isLeaf) {
      throw new Error(
        `${opName}: a leaf Variable that requires grad is being used in an in-place operation (wrap it in noGrad()).`,
      );
    }
  }

  // ---------------------------------------------------------------- data
  /** Read the values back (always works). */
  async data(): Promise<DataArray> {
    return this.backend.kernels.read(this.ref);
  }
  /** Read synchronously (throws on a backend that cannot). */
  dataSync(): DataArray {
    return this.backend.kernels.readSync(this.ref);
  }
  /** The value of a one-element tensor as a number (booleans as 0/1). */
  item(): number {
    if (this.numel !== 1) {
      throw new Error(
        `a Tensor with ${this.numel} elements cannot be converted to Scalar (shape ${formatShape(this.shape)})`,
      );
    }
    return this.dataSync()[0]!;
  }
  /** Nested arrays, like torch's tolist(); bool tensors give booleans. */
  tolist(): NestedArray {
    return nest(this.dataSync(), this.shape, this.dtype);
  }
  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype);
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  /**
   * JavaScript operators cannot be overloaded: `x + 1` would concatenate the printed tensor,
   * `x * 2` or `x < y` compute on NaN. Those ('number' and 'default' hints) throw; the 'string'
   * hint (template literals, String(x)) prints the tensor, as PyTorch's str() does.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw new TypeError(
      `A Tensor (shape ${formatShape(this.shape)}) cannot be used as a JavaScript ${hint === 'number' ? 'number' : 'primitive'}: operators such as +, -, *, / and < do not work on tensors. Use the methods (x.add(1), x.sub(y), x.mul(2), x.div(y), x.lt(y)), x.item() for the value of a one-element tensor, or String(x) to print it.`,
    );
  }

  // ---------------------------------------------------------------- autograd
  /** backward(gradient?, { retainGraph, createGraph, inputs }); backward({ ... }) for a scalar. */
  backward(gradient?: Tensor | null, options?: BackwardOptions): void;
  backward(options: BackwardOptions): void;
  backward(gradientOrOptions?: Tensor | BackwardOptions | null, options?: BackwardOptions): void {
    if (gradientOrOptions instanceof Tensor || gradientOrOptions === null || gradientOrOptions === undefined)
      runBackward(this, gradientOrOptions, options);
    else runBackward(this, null, gradientOrOptions);
  }
  /**
   * hook(grad) runs each time the gradient of this tensor is computed (backward and autograd.grad);
   * returning a tensor of the same shape replaces the gradient. `handle.remove()` unregisters it.
   */
  registerHook(hook: GradHook): RemovableHandle {
    return registerHook(this, hook);
  }
  /** Created in inferenceMode() (torch's is_inference()). */
  isInference(): boolean {
    return this._inference;
  }
  /** A tensor sharing this data, cut from the graph. */
  detach(): Tensor {
    return this._alias();
  }
  detach_(): this {
    this.gradFn = null;
    this.requiresGrad = false;
    return this;
  }
  requiresGrad_(requiresGrad = true): this {
    if (!this.isLeaf && !requiresGrad) {
      throw new Error('requiresGrad_(false): you can only change requiresGrad flags of leaf variables.');
    }
    if (requiresGrad && this.dtype !== 'float32') {
      throw new Error(`Only Tensors of floating point dtype can require gradients (got ${this.dtype}).`);
    }
    if (requiresGrad && this._inference && !isInferenceModeEnabled()) {
      throw new Error('Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.');
    }
    this.requiresGrad = requiresGrad;
    return this;
  }
  /** Populate .grad for this non-leaf tensor during backward. */
  retainGrad(): this {
    retainGrad(this);
    return this;
  }

  // ---------------------------------------------------------------- devices and dtypes
  /** Move to a device ('cpu', 'gpujs', 'tfjs') or cast to a dtype. Returns `this` when nothing changes. */
  to(target: string | DType): Tensor {
    // PyTorch's 64-bit names: stored in 32 bits (see long() and double()).
    if (target === 'int64') return this.long();
    if (target === 'float64') return this.double();
    if (target === 'float32' || target === 'int32' || target === 'bool') return ew.cast(this, target);
    if (target === this.device) return this;
    const dst = getBackend(target);
    const data = this.dataSync();
    const out = Tensor._fromHandle(dst, dst.kernels.write(data, this.shape, this.dtype), this.shape, this.dtype);
    return lay.recordDeviceCopy(this, out);
  }
  float(): Tensor {
    return ew.cast(this, 'float32');
  }
  int(): Tensor {
    return ew.cast(this, 'int32');
  }
  bool(): Tensor {
    return ew.cast(this, 'bool');
  }
  /**
   * PyTorch's .long() (int64): int32 in Flint. Floats truncate toward zero and saturate at the
   * int32 limits instead of wrapping; an int32 tensor is returned as is.
   */
  long(): Tensor {
    return like.convertDtype(this, 'int32');
  }
  /** PyTorch's .double() (float64): float32 in Flint (ints above 2^24 round). */
  double(): Tensor {
    return ew.cast(this, 'float32');
  }
  /** This tensor in other's dtype (itself when they match). */
  typeAs(other: Tensor): Tensor {
    return like.typeAs(this, other);
  }
  /**
   * PyTorch's x.type(): without an argument the type's name ('torch.FloatTensor', 'torch.IntTensor',
   * 'torch.BoolTensor'); with a dtype or such a name, the cast (itself when the dtype matches), as in
   * the quickstart's `(pred.argmax(1) == y).type(torch.float)`.
   */
  type(): string;
  type(dtype: DTypeName | `torch.${string}Tensor`): Tensor;
  type(dtype?: string): string | Tensor {
    return dtype === undefined ? like.typeName(this.dtype) : like.typeCast(this, dtype);
  }
  /** Tensor.new_zeros(size): this tensor's dtype and device unless options say otherwise. */
  newZeros(...size: like.SizeArgs): Tensor {
    const [shape, options] = like.parseSizeArgs('newZeros', size);
    return like.newFull(this, 'newZeros', shape, 0, options);
  }
  newOnes(...size: like.SizeArgs): Tensor {
    const [shape, options] = like.parseSizeArgs('newOnes', size);
    return like.newFull(this, 'newOnes', shape, 1, options);
  }
  /** Zeros (Flint never hands out uninitialised memory). */
  newEmpty(...size: like.SizeArgs): Tensor {
    const [shape, options] = like.parseSizeArgs('newEmpty', size);
    return like.newFull(this, 'newEmpty', shape, 0, options);
  }
  newFull(size: readonly number[], value: number | boolean, options: like.NewTensorOptions = {}): Tensor {
    const [shape] = like.parseSizeArgs('newFull', [size]);
    return like.newFull(this, 'newFull', shape, value, options);
  }
  /** Tensor.new_tensor(data): a copy of host data (or of a tensor) in this tensor's dtype and on its device by default. */
  newTensor(data: HostData | Tensor, options: like.NewTensorOptions = {}): Tensor {
    return like.newTensor(this, data, options);
  }
  clone(): Tensor {
    return lay.clone(this);
  }
  /** Flint tensors are always contiguous. */
  contiguous(): Tensor {
    return this;
  }

  // ---------------------------------------------------------------- elementwise
  add(other: TensorOrScalar, alpha?: ew.Alpha): Tensor {
    return ew.add(this, other, alpha);
  }
  sub(other: TensorOrScalar, alpha?: ew.Alpha): Tensor {
    return ew.sub(this, other, alpha);
  }
  mul(other: TensorOrScalar): Tensor {
    return ew.mul(this, other);
  }
  /** `x.div(y, { roundingMode: 'trunc' | 'floor' })`: PyTorch's rounding_mode keyword. */
  div(other: TensorOrScalar, options?: math.DivOptions): Tensor {
    // no extra frame on the plain path: anomaly mode's stack of the forward stays short
    return options?.roundingMode == null ? ew.div(this, other) : math.divide(this, other, options);
  }
  pow(exponent: TensorOrScalar): Tensor {
    return ew.pow(this, exponent);
  }
  maximum(other: TensorOrScalar): Tensor {
    return ew.maximum(this, other);
  }
  minimum(other: TensorOrScalar): Tensor {
    return ew.minimum(this, other);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  sign(): Tensor {
    return ew.sign(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  rsqrt(): Tensor {
    return ew.rsqrt(this);
  }
  reciprocal(): Tensor {
    return ew.reciprocal(this);
  }
  square(): Tensor {
    return ew.square(this);
  }
  sin(): Tensor {
    return ew.sin(this);
  }
  cos(): Tensor {
    return ew.cos(this);
  }
  tanh(): Tensor {
    return ew.tanh(this);
  }
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  relu(): Tensor {
    return ew.relu(this);
  }
  erf(): Tensor {
    return ew.erf(this);
  }
  floor(): Tensor {
    return ew.floor(this);
  }
  ceil(): Tensor {
    return ew.ceil(this);
  }
  round(): Tensor {
    return ew.round(this);
  }
  log1p(): Tensor {
    return ew.log1p(this);
  }
  expm1(): Tensor {
    return ew.expm1(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return ew.clamp(this, min, max);
  }
  eq(other: TensorOrScalar): Tensor {
    return ew.eq(this, other);
  }
  ne(other: TensorOrScalar): Tensor {
    return ew.ne(this, other);
  }
  lt(other: TensorOrScalar): Tensor {
    return ew.lt(this, other);
  }
  le(other: TensorOrScalar): Tensor {
    return ew.le(this, other);
  }
  gt(other: TensorOrScalar): Tensor {
    return ew.gt(this, other);
  }
  ge(other: TensorOrScalar): Tensor {
    return ew.ge(this, other);
  }
  logicalNot(): Tensor {
    return ew.logicalNot(this);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return ew.maskedFill(this, mask, value);
  }
  maskedFill_(mask: Tensor, value: number): this {
    this.checkInPlace('maskedFill_');
    return this._assign(ew.maskedFill(this, mask, value), 'maskedFill_');
  }

  // ---------------------------------------------------------------- in place (PyTorch's trailing underscore)
  add_(other: TensorOrScalar, alpha?: ew.Alpha): this {
    this.checkInPlace('add_');
    return this._assign(ew.add(this, other, alpha), 'add_');
  }
  sub_(other: TensorOrScalar, alpha?: ew.Alpha): this {
    this.checkInPlace('sub_');
    return this._assign(ew.sub(this, other, alpha), 'sub_');
  }
  mul_(other: TensorOrScalar): this {
    this.checkInPlace('mul_');
    return this._assign(ew.mul(this, other), 'mul_');
  }
  div_(other: TensorOrScalar, options?: math.DivOptions): this {
    this.checkInPlace('div_');
    return this._assign(math.divide(this, other, options), 'div_');
  }
  clamp_(min?: number | null, max?: number | null): this {
    this.checkInPlace('clamp_');
    return this._assign(ew.clamp(this, min, max), 'clamp_');
  }
  fill_(value: number): this {
    this.checkInPlace('fill_');
    const b = this.backend;
    return this._assign(
      Tensor._fromHandle(b, b.kernels.fill(this.shape, this.dtype, value), this.shape, this.dtype),
      'fill_',
    );
  }
  zero_(): this {
    return this.fill_(0);
  }
  /** Copy `src` (broadcastable, any device, cast to this dtype) into this tensor. */
  copy_(src: Tensor): this {
    this.checkInPlace('copy_');
    const result = tidy(() => {
      let value = src.device === this.device ? src : src.to(this.device);
      if (value.dtype !== this.dtype) value = ew.cast(value, this.dtype);
      return lay.expand(value, this.shape).clone();
    });
    return this._assign(result, 'copy_');
  }

  pow_(exponent: TensorOrScalar): this {
    this.checkInPlace('pow_');
    return this._assign(ew.pow(this, exponent), 'pow_');
  }
  exp_(): this {
    this.checkInPlace('exp_');
    return this._assign(ew.exp(this), 'exp_');
  }
  sqrt_(): this {
    this.checkInPlace('sqrt_');
    return this._assign(ew.sqrt(this), 'sqrt_');
  }
  neg_(): this {
    this.checkInPlace('neg_');
    return this._assign(ew.neg(this), 'neg_');
  }
  abs_(): this {
    this.checkInPlace('abs_');
    return this._assign(ew.abs(this), 'abs_');
  }
  relu_(): this {
    this.checkInPlace('relu_');
    return this._assign(ew.relu(this), 'relu_');
  }
  sigmoid_(): this {
    this.checkInPlace('sigmoid_');
    return this._assign(ew.sigmoid(this), 'sigmoid_');
  }
  /** Alias of clamp_. */
  clip_(min?: number | null, max?: number | null): this {
    this.checkInPlace('clip_');
    return this._assign(ew.clamp(this, min, max), 'clip_');
  }
  /** Fill with U[from, to) drawn by the seeded host generator (as nn.init.uniform_). */
  uniform_(from = 0, to = 1, options: like.GeneratorOption = {}): this {
    this.checkInPlace('uniform_');
    return this._assign(like.uniformValues(this, from, to, options), 'uniform_');
  }
  /** Fill with N(mean, std^2) drawn by the seeded host generator (as nn.init.normal_). */
  normal_(mean = 0, std = 1, options: like.GeneratorOption = {}): this {
    this.checkInPlace('normal_');
    return this._assign(like.normalValues(this, mean, std, options), 'normal_');
  }
  /** Fill with 1 (probability p: a number, or a float tensor broadcastable to this one) or 0, in this dtype. */
  bernoulli_(p: number | Tensor = 0.5, options: like.GeneratorOption = {}): this {
    this.checkInPlace('bernoulli_');
    return this._assign(like.bernoulliValues(this, p, options), 'bernoulli_');
  }

  // ---------------------------------------------------------------- data-dependent shapes and sampling (ops/datadep.ts, ops/sampling.ts)
  /** Indices of the nonzero elements: int32 [n, ndim], or one [n] per dim with asTuple. Reads back. */
  nonzero(options?: dd.NonzeroOptions & { asTuple?: false }): Tensor;
  nonzero(options: dd.NonzeroOptions & { asTuple: true }): Tensor[];
  nonzero(options: dd.NonzeroOptions = {}): Tensor | Tensor[] {
    return dd.nonzero(this, options);
  }
  /** nonzero() as one int32 [n, ndim] tensor. Reads back. */
  argwhere(): Tensor {
    return dd.argwhere(this);
  }
  /** Distinct values (sorted), with [values, inverse?, counts?] when asked for. Reads back. */
  unique(options?: dd.UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
  unique(options: dd.UniqueOptions & ({ returnInverse: true } | { returnCounts: true })): Tensor[];
  unique(options: dd.UniqueOptions = {}): Tensor | Tensor[] {
    return dd.unique(this, options);
  }
  /** Runs of equal values collapsed, with [values, inverse?, counts?] when asked for. Reads back. */
  uniqueConsecutive(options?: dd.UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
  uniqueConsecutive(
    options: dd.UniqueConsecutiveOptions & ({ returnInverse: true } | { returnCounts: true }),
  ): Tensor[];
  uniqueConsecutive(options: dd.UniqueConsecutiveOptions = {}): Tensor | Tensor[] {
    return dd.uniqueConsecutive(this, options);
  }
  /** Counts (or summed weights) of each non-negative integer; reads back unless minlength is given. */
  bincount(weights?: Tensor | null | dd.BincountOptions, minlength?: number): Tensor {
    return dd.bincount(this, weights, minlength);
  }
  /** Histogram with equal-width bins over [min, max] (the data's range when min == max). */
  histc(bins: number | dd.HistcOptions = 100, min = 0, max = 0): Tensor {
    return dd.histc(this, bins, min, max);
  }
  /** numSamples category indices per row of weights, drawn by the seeded host generator. Reads back. */
  multinomial(
    numSamples: number,
    replacement: boolean | smp.MultinomialOptions = false,
    options: smp.SamplingOptions = {},
  ): Tensor {
    return smp.multinomial(this, numSamples, replacement, options);
  }
  /** 1 with probability this[i] (this holds probabilities), or with probability p for every element. */
  bernoulli(p?: number | smp.SamplingOptions, options: smp.SamplingOptions = {}): Tensor {
    return typeof p === 'number' ? smp.bernoulli(this, p, options) : smp.bernoulli(this, p ?? options);
  }

  // ---------------------------------------------------------------- more elementwise math (ops/math.ts)
  tan(): Tensor {
    return math.tan(this);
  }
  asin(): Tensor {
    return math.asin(this);
  }
  acos(): Tensor {
    return math.acos(this);
  }
  atan(): Tensor {
    return math.atan(this);
  }
  atan2(other: Tensor): Tensor {
    return math.atan2(this, other);
  }
  sinh(): Tensor {
    return math.sinh(this);
  }
  cosh(): Tensor {
    return math.cosh(this);
  }
  log2(): Tensor {
    return math.log2(this);
  }
  log10(): Tensor {
    return math.log10(this);
  }
  trunc(): Tensor {
    return math.trunc(this);
  }
  frac(): Tensor {
    return math.frac(this);
  }
  /** Python's %: the sign of the divisor. */
  remainder(other: TensorOrScalar): Tensor {
    return math.remainder(this, other);
  }
  /** C's fmod: the sign of the dividend. */
  fmod(other: TensorOrScalar): Tensor {
    return math.fmod(this, other);
  }
  floorDivide(other: TensorOrScalar): Tensor {
    return math.floorDivide(this, other);
  }
  isnan(): Tensor {
    return math.isnan(this);
  }
  isinf(): Tensor {
    return math.isinf(this);
  }
  isfinite(): Tensor {
    return math.isfinite(this);
  }
  nanToNum(nan = 0, posinf?: number | null, neginf?: number | null): Tensor {
    return math.nanToNum(this, nan, posinf, neginf);
  }
  /** Alias of clamp. */
  clip(min?: number | null, max?: number | null): Tensor {
    return ew.clamp(this, min, max);
  }
  lerp(end: Tensor, weight: TensorOrScalar): Tensor {
    return math.lerp(this, end, weight);
  }
  addcmul(tensor1: Tensor, tensor2: Tensor, options: math.ValueOption = {}): Tensor {
    return math.addcmul(this, tensor1, tensor2, options);
  }
  addcdiv(tensor1: Tensor, tensor2: Tensor, options: math.ValueOption = {}): Tensor {
    return math.addcdiv(this, tensor1, tensor2, options);
  }
  logicalAnd(other: Tensor): Tensor {
    return ew.logicalAnd(this, other);
  }
  logicalOr(other: Tensor): Tensor {
    return math.logicalOr(this, other);
  }
  logicalXor(other: Tensor): Tensor {
    return math.logicalXor(this, other);
  }
  isclose(other: Tensor, options: math.CloseOptions = {}): Tensor {
    return math.isclose(this, other, options);
  }
  /** A JavaScript boolean: reads one value back, as PyTorch's Python bool does. */
  allclose(other: Tensor, options: math.CloseOptions = {}): boolean {
    return math.allclose(this, other, options);
  }
  /** Same shape and values (a JavaScript boolean; reads one value back). */
  equal(other: Tensor): boolean {
    return math.equal(this, other);
  }

  // ---------------------------------------------------------------- more linear algebra and shape (ops/linalg.ts, ops/shape.ts)
  mv(vec: Tensor): Tensor {
    return linalg.mv(this, vec);
  }
  dot(other: Tensor): Tensor {
    return linalg.dot(this, other);
  }
  outer(other: Tensor): Tensor {
    return linalg.outer(this, other);
  }
  /** beta * this + alpha * (mat1 @ mat2). */
  addmm(mat1: Tensor, mat2: Tensor, options: linalg.AddmmOptions = {}): Tensor {
    return linalg.addmm(this, mat1, mat2, options);
  }
  cross(other: Tensor, dim?: number | null): Tensor {
    return linalg.cross(this, other, dim);
  }
  trace(): Tensor {
    return linalg.trace(this);
  }
  diag(diagonal = 0): Tensor {
    return linalg.diag(this, diagonal);
  }
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor {
    return linalg.diagonal(this, offset, dim1, dim2);
  }
  tril(diagonal = 0): Tensor {
    return linalg.tril(this, diagonal);
  }
  triu(diagonal = 0): Tensor {
    return linalg.triu(this, diagonal);
  }
  /** flip(0, 1) or flip([0, 1]). */
  flip(...dims: (number | readonly number[])[]): Tensor {
    return shp.flip(this, flattenShapeArgs(dims));
  }
  roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
    return shp.roll(this, shifts, dims);
  }
  tile(...dims: (number | readonly number[])[]): Tensor {
    return shp.tile(this, flattenShapeArgs(dims));
  }
  repeatInterleave(repeats: number | readonly number[] | Tensor, dim?: number | null): Tensor {
    return shp.repeatInterleave(this, repeats, dim);
  }
  broadcastTo(...shape: (number | readonly number[])[]): Tensor {
    return shp.broadcastTo(this, flattenShapeArgs(shape));
  }
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return shp.movedim(this, source, destination);
  }
  /** Alias of movedim. */
  moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return shp.movedim(this, source, destination);
  }

  // ---------------------------------------------------------------- reductions
  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return red.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return red.mean(this, dim, keepdim);
  }
  prod(dim?: number | null, keepdim = false): Tensor {
    return red.prod(this, dim, keepdim);
  }
  /** max() -> the largest value; max(dim) -> { values, indices } (PyTorch's named tuple). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): MaxMinResult;
  max(dim?: number, keepdim = false): Tensor | MaxMinResult {
    return dim === undefined ? red.maxAll(this) : red.maxDim(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): MaxMinResult;
  min(dim?: number, keepdim = false): Tensor | MaxMinResult {
    return dim === undefined ? red.minAll(this) : red.minDim(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return red.amax(this, dim, keepdim);
  }
  amin(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return red.amin(this, dim, keepdim);
  }
  argmax(dim?: number | null, keepdim = false): Tensor {
    return red.argmax(this, dim, keepdim);
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    return red.argmin(this, dim, keepdim);
  }
  var(dim?: number | readonly number[] | null, options: red.VarOptions = {}): Tensor {
    return red.variance(this, dim, options);
  }
  std(dim?: number | readonly number[] | null, options: red.VarOptions = {}): Tensor {
    return red.std(this, dim, options);
  }
  // ---------------------------------------------------------------- sorting and scans
  /** sort(dim = -1, descending = false) or sort({ dim, descending, stable }): { values, indices }, stable. */
  sort(dimOrOptions?: number | sorting.SortOptions, descending = false): MaxMinResult {
    return sorting.sort(this, dimOrOptions, descending);
  }
  argsort(dimOrOptions?: number | sorting.SortOptions, descending = false): Tensor {
    return sorting.argsort(this, dimOrOptions, descending);
  }
  msort(): Tensor {
    return sorting.msort(this);
  }
  topk(k: number, dimOrOptions?: number | sorting.TopkOptions, largest = true): MaxMinResult {
    return sorting.topk(this, k, dimOrOptions, largest);
  }
  kthvalue(k: number, dim = -1, keepdim = false): MaxMinResult {
    return sorting.kthvalue(this, k, dim, keepdim);
  }
  /** median() -> the lower middle value; median(dim) -> { values, indices }. */
  median(): Tensor;
  median(dim: number, keepdim?: boolean): MaxMinResult;
  median(dim?: number, keepdim = false): Tensor | MaxMinResult {
    return dim === undefined ? sorting.median(this) : sorting.median(this, dim, keepdim);
  }
  nanmedian(): Tensor;
  nanmedian(dim: number, keepdim?: boolean): MaxMinResult;
  nanmedian(dim?: number, keepdim = false): Tensor | MaxMinResult {
    return dim === undefined ? sorting.nanmedian(this) : sorting.nanmedian(this, dim, keepdim);
  }
  mode(dim = -1, keepdim = false): MaxMinResult {
    return sorting.mode(this, dim, keepdim);
  }
  cumsum(dim: number, options?: scan.CumulativeOptions): Tensor {
    return scan.cumsum(this, dim, options);
  }
  cumprod(dim: number, options?: scan.CumulativeOptions): Tensor {
    return scan.cumprod(this, dim, options);
  }
  cummax(dim: number): MaxMinResult {
    return scan.cummax(this, dim);
  }
  cummin(dim: number): MaxMinResult {
    return scan.cummin(this, dim);
  }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return red.logsumexp(this, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return red.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return red.logSoftmax(this, dim);
  }
  norm(p: number = 2, dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return red.norm(this, p, dim, keepdim);
  }
  all(dim?: number | null, keepdim = false): Tensor {
    return red.all(this, dim, keepdim);
  }
  any(dim?: number | null, keepdim = false): Tensor {
    return red.any(this, dim, keepdim);
  }

  // ---------------------------------------------------------------- linear algebra
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  mm(other: Tensor): Tensor {
    return linalg.mm(this, other);
  }
  bmm(other: Tensor): Tensor {
    return linalg.bmm(this, other);
  }

  // ---------------------------------------------------------------- layout
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return lay.reshape(this, flattenShapeArgs(shape));
  }
  view(...shape: (number | readonly number[])[]): Tensor {
    return lay.reshape(this, flattenShapeArgs(shape));
  }
  viewAs(other: Tensor): Tensor {
    return lay.reshape(this, other.shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return lay.flatten(this, startDim, endDim);
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return lay.unflatten(this, dim, sizes);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return lay.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return lay.unsqueeze(this, dim);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return lay.transpose(this, dim0, dim1);
  }
  /** 2-D transpose (0-D and 1-D returned as is), like torch.Tensor.t(). */
  t(): Tensor {
    if (this.ndim > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
    return this.ndim < 2 ? this : lay.transpose(this, 0, 1);
  }
  get T(): Tensor {
    return lay.permute(this, [...this.shape.keys()].reverse());
  }
  /** Transpose of the last two dims. */
  get mT(): Tensor {
    if (this.ndim < 2)
      throw new Error(`tensor.mT is only supported on matrices or batches of matrices. Got ${this.ndim}-D tensor.`);
    return lay.transpose(this, -2, -1);
  }
  permute(...dims: (number | readonly number[])[]): Tensor {
    return lay.permute(this, flattenShapeArgs(dims));
  }
  expand(...sizes: (number | readonly number[])[]): Tensor {
    return lay.expand(this, flattenShapeArgs(sizes));
  }
  expandAs(other: Tensor): Tensor {
    return lay.expand(this, other.shape);
  }
  repeat(...sizes: (number | readonly number[])[]): Tensor {
    return lay.repeat(this, flattenShapeArgs(sizes));
  }
  split(splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return lay.split(this, splitSizeOrSections, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return lay.chunk(this, chunks, dim);
  }
  unbind(dim = 0): Tensor[] {
    return lay.unbind(this, dim);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return sub.narrow(this, dim, start, length);
  }
  /** x[..., start:end:step, ...] along one dim (Python slice semantics: negatives, clamping). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return lay.slice(this, dim, start, end, step);
  }
  /** x.select(dim, i) == x[..., i, ...] (removes the dim). */
  select(dim: number, index: number): Tensor {
    return lay.select(this, dim, index);
  }
  /**
   * Python-style indexing, `x.index(a, b, ...)` is `x[a, b, ...]`: each argument indexes one dim — a
   * number (removes it), null (`:`), [start, end?, step?] (a slice; null for an open end), '...'
   * (Ellipsis), 'newaxis' (None), an int32 Tensor (several broadcast together and pick elements:
   * `x.index(rows, cols)` is `x[rows, cols]`) or a bool mask (`x.index(mask)` is `x[mask]`; it reads
   * the mask back to the host, as PyTorch synchronizes there).
   */
  index(...specs: sub.IndexSpec[]): Tensor {
    return sub.index(this, specs);
  }
  /**
   * `x[specs] = values` in place: `x.setIndex([null, [1, 3]], v)` is `x[:, 1:3] = v`. Takes every
   * index() form; values (a number or a tensor, cast to x's dtype) broadcast to the selection.
   */
  setIndex(specs: readonly sub.IndexSpec[], values: Tensor | number): this {
    this.checkInPlace('setIndex');
    const result = tidy(() => {
      // As PyTorch's setitem (a copy_): the values take this tensor's dtype and device.
      if (typeof values === 'number') return sub.indexPut(this, specs, values);
      const onDevice = values.device === this.device ? values : values.to(this.device);
      return sub.indexPut(this, specs, onDevice.dtype === this.dtype ? onDevice : ew.cast(onDevice, this.dtype));
    });
    return this._assign(result, 'setIndex');
  }
  /** torch.index_put (out of place): indices are int32/bool tensors (or null for `:`), one per leading dim. */
  indexPut(indices: readonly (Tensor | null)[], values: Tensor | number, accumulate = false): Tensor {
    return sub.indexPut(this, indices, values, accumulate);
  }
  /** torch.index_put_: `x[indices] = values`, or `+=` with accumulate (duplicates sum). */
  indexPut_(indices: readonly (Tensor | null)[], values: Tensor | number, accumulate = false): this {
    this.checkInPlace('indexPut_');
    return this._assign(sub.indexPut(this, indices, values, accumulate), 'indexPut_');
  }
  /** torch.masked_select: the elements where mask is true, 1-D (reads the mask back). */
  maskedSelect(mask: Tensor): Tensor {
    return sub.maskedSelect(this, mask);
  }
  /** torch.take: this tensor read as 1-D at index. */
  take(index: Tensor): Tensor {
    return sub.take(this, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return idx.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return idx.scatterAdd(this, dim, index, src);
  }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this {
    this.checkInPlace('scatterAdd_');
    return this._assign(idx.scatterAdd(this, dim, index, src), 'scatterAdd_');
  }
  /** torch.scatter: src (a tensor or a number) written at index along dim; `{ reduce: 'add' | 'multiply' }` combines. */
  scatter(dim: number, index: Tensor, src: Tensor | number, options?: sc.ScatterOptions): Tensor {
    return sc.scatter(this, dim, index, src, options);
  }
  scatter_(dim: number, index: Tensor, src: Tensor | number, options?: sc.ScatterOptions): this {
    this.checkInPlace('scatter_');
    return this._assign(sc.scatter(this, dim, index, src, options), 'scatter_');
  }
  /** torch.scatter_reduce: 'sum' | 'prod' | 'mean' | 'amax' | 'amin', `{ includeSelf }` (default true). */
  scatterReduce(
    dim: number,
    index: Tensor,
    src: Tensor,
    reduce: sc.ScatterReduceMode,
    options?: sc.ScatterReduceOptions,
  ): Tensor {
    return sc.scatterReduce(this, dim, index, src, reduce, options);
  }
  scatterReduce_(
    dim: number,
    index: Tensor,
    src: Tensor,
    reduce: sc.ScatterReduceMode,
    options?: sc.ScatterReduceOptions,
  ): this {
    this.checkInPlace('scatterReduce_');
    return this._assign(sc.scatterReduce(this, dim, index, src, reduce, options), 'scatterReduce_');
  }
  /** torch.index_add: alpha * source's slices added at index (1-D) along dim. */
  indexAdd(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor {
    return sc.indexAdd(this, dim, index, source, options);
  }
  indexAdd_(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): this {
    this.checkInPlace('indexAdd_');
    return this._assign(sc.indexAdd(this, dim, index, source, options), 'indexAdd_');
  }
  /** torch.index_copy: the slices at index (1-D) along dim replaced by source's. */
  indexCopy(dim: number, index: Tensor, source: Tensor): Tensor {
    return sc.indexCopy(this, dim, index, source);
  }
  indexCopy_(dim: number, index: Tensor, source: Tensor): this {
    this.checkInPlace('indexCopy_');
    return this._assign(sc.indexCopy(this, dim, index, source), 'indexCopy_');
  }
  /** torch.index_fill: the slices at index (1-D) along dim set to value. */
  indexFill(dim: number, index: Tensor, value: number): Tensor {
    return sc.indexFill(this, dim, index, value);
  }
  indexFill_(dim: number, index: Tensor, value: number): this {
    this.checkInPlace('indexFill_');
    return this._assign(sc.indexFill(this, dim, index, value), 'indexFill_');
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return idx.indexSelect(this, dim, index);
  }
}

bindTensorClass(Tensor);

function flattenShapeArgs(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}

function nest(data: DataArray, shape: Shape, dtype: DType): NestedArray {
  const conv = (v: number): number | boolean => (dtype === 'bool' ? v !== 0 : v);
  if (shape.length === 0) return conv(data[0]!) as NestedArray;
  const build = (dim: number, offset: number, stride: number): NestedArray[] => {
    const out: NestedArray[] = [];
    const n = shape[dim]!;
    const inner = stride / (n || 1);
    for (let i = 0; i < n; i++) {
      out.push(
        dim === shape.length - 1 ? (conv(data[offset + i]!) as NestedArray) : build(dim + 1, offset + i * inner, inner),
      );
    }
    return out;
  };
  return build(0, 0, sizeOf(shape));
}
