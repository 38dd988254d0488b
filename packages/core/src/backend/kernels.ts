/**
 * The kernel contract: the one table every Flint backend implements.
 *
 * Rules every kernel follows (core guarantees the preconditions, backends the postconditions):
 * - Inputs are contiguous, row-major tensors described by `TensorRef` (storage + shape + dtype).
 * - Core validates shapes and computes output shapes before calling; kernels never throw for user
 *   input, so the same bad input raises the same error on every backend.
 * - Axes arrive normalised (non-negative, sorted, unique). Binary inputs arrive with the same dtype.
 * - A kernel returns new storage at once (a GPU backend may queue the work). It never reads back to
 *   the host (only `read`/`readSync` do) and never frees its inputs.
 * - Compute is float32; int32 carries indices and labels; bool is stored one value per element.
 */

export type DType = 'float32' | 'int32' | 'bool';
export type Shape = readonly number[];
export type DataArray = Float32Array | Int32Array | Uint8Array;

/** What a kernel sees of a tensor: the backend's own storage plus metadata. */
export interface TensorRef<S> {
  readonly storage: S;
  readonly shape: Shape;
  readonly dtype: DType;
}

export type UnaryKernel<S> = (x: TensorRef<S>) => S;
/** Elementwise binary op with NumPy broadcasting; `outShape` is the broadcast shape. */
export type BinaryKernel<S> = (a: TensorRef<S>, b: TensorRef<S>, outShape: Shape) => S;
/** Reduces over `axes`; the result has those axes removed (core adds keepdim by reshape). */
export type ReduceKernel<S> = (x: TensorRef<S>, axes: readonly number[]) => S;
/** Index of the max/min along one axis (first occurrence on ties); int32, that axis removed. */
export type ArgReduceKernel<S> = (x: TensorRef<S>, axis: number) => S;

/** How the scatter kernel combines the values aimed at one element ('none' overwrites). */
export type ScatterReduction = 'none' | 'sum' | 'prod' | 'amax' | 'amin';

export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

export interface Pool2dParams {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
  /** avgPool2d only: count padded zeros in the divisor (PyTorch default true). */
  readonly countIncludePad: boolean;
  /** avgPool2d only: fixed divisor instead of the window size. */
  readonly divisorOverride?: number | undefined;
}

/** The operators of the `cumulative` scan kernel. */
export type ScanOp = 'sum' | 'prod' | 'max' | 'min';

/** A sort's values and, per output element, the int32 position along the axis it came from. */
export interface SortResult<S> {
  readonly values: S;
  readonly indices: S;
}

/** Max pooling returns values and, per output, the flat index h*W+w of the max within its input plane (PyTorch's layout). */
export interface MaxPoolResult<S> {
  readonly values: S;
  readonly indices: S;
}

export interface Kernels<S> {
  // ---- memory ----
  /** Upload host data. The array's length equals the shape's element count; the array may be reused by the caller afterwards. */
  write(data: DataArray, shape: Shape, dtype: DType): S;
  /** Read back (always available). Returns a fresh array owned by the caller. */
  read(x: TensorRef<S>): Promise<DataArray>;
  /** Synchronous read back; throws a clear error on an engine that cannot. */
  readSync(x: TensorRef<S>): DataArray;
  dispose(storage: S): void;
  fill(shape: Shape, dtype: DType, value: number): S;
  copy(x: TensorRef<S>): S;

  // ---- unary elementwise (same dtype out; float ops are only called with float32) ----
  neg: UnaryKernel<S>;
  abs: UnaryKernel<S>;
  exp: UnaryKernel<S>;
  log: UnaryKernel<S>;
  sqrt: UnaryKernel<S>;
  sin: UnaryKernel<S>;
  cos: UnaryKernel<S>;
  tanh: UnaryKernel<S>;
  relu: UnaryKernel<S>;
  /** Exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)). */
  gelu: UnaryKernel<S>;
  erf: UnaryKernel<S>;
  floor: UnaryKernel<S>;
  ceil: UnaryKernel<S>;
  /** Round half to even, as torch.round. */
  round: UnaryKernel<S>;
  log1p: UnaryKernel<S>;
  expm1: UnaryKernel<S>;

  // ---- binary elementwise with broadcasting ----
  add: BinaryKernel<S>;
  sub: BinaryKernel<S>;
  /** Float32 division; core never calls it with int32 operands. */
  div: BinaryKernel<S>;
  mul: BinaryKernel<S>;
  pow: BinaryKernel<S>;
  maximum: BinaryKernel<S>;
  minimum: BinaryKernel<S>;
  /** Comparisons return bool. */
  eq: BinaryKernel<S>;
  lt: BinaryKernel<S>;
  gt: BinaryKernel<S>;
  /** cond (bool) ? a : b, all three broadcast to outShape; a and b share a dtype. */
  where(cond: TensorRef<S>, a: TensorRef<S>, b: TensorRef<S>, outShape: Shape): S;

  // ---- reductions ----
  /** Sum: float32 stays float32; int32 stays int32 (core casts bool to int32 first). Empty -> 0. */
  sum: ReduceKernel<S>;
  /** Max/min: core never calls them on an empty reduction. */
  max: ReduceKernel<S>;
  min: ReduceKernel<S>;
  prod: ReduceKernel<S>;
  argmax: ArgReduceKernel<S>;

  // ---- linear algebra ----
  /**
   * Batched matrix product. Both operands have rank >= 2: a is [...batchA, M, K] ([..., K, M] when
   * transposeA), b is [...batchB, K, N] ([..., N, K] when transposeB). Batch dims broadcast to the
   * leading dims of outShape = [...batch, M, N].
   */
  matmul(a: TensorRef<S>, b: TensorRef<S>, transposeA: boolean, transposeB: boolean, outShape: Shape): S;

  // ---- layout ----
  /** out.shape[i] = x.shape[perm[i]] */
  permute(x: TensorRef<S>, perm: readonly number[]): S;
  /** out[i0,i1,..] = x[begin0 + i0*step0, ...]; steps >= 1; outShape given. */
  slice(x: TensorRef<S>, begin: readonly number[], step: readonly number[], outShape: Shape): S;
  /** Constant pad; pads[i] = [before, after] >= 0 for axis i. */
  pad(x: TensorRef<S>, pads: readonly (readonly [number, number])[], value: number): S;
  /** Inputs share rank and dtype; they match outside `axis`. */
  concat(xs: readonly TensorRef<S>[], axis: number, outShape: Shape): S;
  /** Broadcast x (rank <= out rank, right-aligned, size-1 dims stretched) to outShape. */
  expand(x: TensorRef<S>, outShape: Shape): S;
  /** float->int truncates toward zero; anything->bool is (x != 0). */
  cast(x: TensorRef<S>, dtype: DType): S;

  // ---- indexing (indices are int32 and in range; core checks on host-known data only) ----
  /** torch.gather: index has x's rank; out.shape = index.shape; out[..i..] = x[..index[..i..] at axis..]. */
  gather(x: TensorRef<S>, axis: number, index: TensorRef<S>): S;
  /** torch.scatter_add (out of place): copy of x with src[..i..] added at x[..index[..i..] at axis..]; duplicates sum. */
  scatterAdd(x: TensorRef<S>, axis: number, index: TensorRef<S>, src: TensorRef<S>): S;
  /**
   * torch.scatter / scatter_reduce (out of place): a copy of x where every element that index
   * points at (x[..index[..i..] at axis..]) combines the src values aimed at it with `reduce`:
   * 'none' overwrites (the last in index's row-major order wins on duplicates, as PyTorch's CPU),
   * 'sum' / 'prod' / 'amax' / 'amin' fold them in index order (amax/amin propagate NaN). With
   * includeSelf the fold starts from x's value, otherwise from the first src value ('none' ignores
   * it). src has index's shape; index.shape[d] <= x.shape[d] off the axis; elements not hit keep x.
   */
  scatter(
    x: TensorRef<S>,
    axis: number,
    index: TensorRef<S>,
    src: TensorRef<S>,
    reduce: ScatterReduction,
    includeSelf: boolean,
  ): S;

  // ---- sorting and scans (float32 or int32; core casts bool to int32) ----
  /**
   * Stable sort along one axis: ascending, or descending; equal values keep their input order
   * either way. NaN sorts as the largest value (last ascending, first descending), -0 equals 0.
   * Both outputs have x's shape; indices are int32 positions along `axis`.
   */
  sort(x: TensorRef<S>, axis: number, descending: boolean): SortResult<S>;
  /**
   * Inclusive scan along one axis, same shape and dtype: out[..i..] = x[..0..] op ... op x[..i..].
   * max/min propagate NaN (from the first NaN on, the result is NaN). int32 results are exact within
   * the backend's int32 range (past it cpu and tfjs wrap, as PyTorch's int64 accumulator cast back).
   */
  cumulative(x: TensorRef<S>, axis: number, op: ScanOp): S;

  // ---- images, NCHW ----
  /** x [N,C,H,W], weight [O, C/groups, kH, kW] -> [N, O, Ho, Wo]; outShape given. No bias. */
  conv2d(x: TensorRef<S>, weight: TensorRef<S>, params: Conv2dParams, outShape: Shape): S;
  /** Gradient of conv2d w.r.t. its input: dy [N,O,Ho,Wo] -> [N,C,H,W] = xShape. */
  conv2dBackwardInput(dy: TensorRef<S>, weight: TensorRef<S>, xShape: Shape, params: Conv2dParams): S;
  /** Gradient of conv2d w.r.t. its weight: -> wShape. */
  conv2dBackwardWeight(x: TensorRef<S>, dy: TensorRef<S>, wShape: Shape, params: Conv2dParams): S;
  /** x [N,C,H,W] -> values and int32 indices, both [N,C,Ho,Wo]. Padding counts as -Infinity. */
  maxPool2d(x: TensorRef<S>, params: Pool2dParams, outShape: Shape): MaxPoolResult<S>;
  /**
   * dx [N,C,H,W] = xShape: every dy lands (summed) at its index within its plane. `params` are the
   * forward's (the indices lie in their windows), so a gather-style backend can scan only the
   * outputs whose window covers an input element.
   */
  maxPool2dBackward(dy: TensorRef<S>, indices: TensorRef<S>, xShape: Shape, params: Pool2dParams): S;
  avgPool2d(x: TensorRef<S>, params: Pool2dParams, outShape: Shape): S;
  avgPool2dBackward(dy: TensorRef<S>, xShape: Shape, params: Pool2dParams): S;

  // ---- optional kernels: compositions of the kernels above, which core runs (src/ops/
  // optional-kernels.ts; softmax, logSoftmax and linear next to their ops; sgdStep and adamStep in
  // src/optim; crossEntropy in src/nn/functional.ts) when a backend omits one. A backend
  // provides one where a single pass pays; conformance runs its cases when it is there.
  sigmoid?: UnaryKernel<S>;
  rsqrt?: UnaryKernel<S>;
  reciprocal?: UnaryKernel<S>;
  /** Also called with int32. */
  square?: UnaryKernel<S>;
  /** -1, 0 or 1 (0 at NaN); also called with int32. */
  sign?: UnaryKernel<S>;
  /** x where x > 0, else slope * x. */
  leakyRelu?(x: TensorRef<S>, negativeSlope: number): S;
  ne?: BinaryKernel<S>;
  le?: BinaryKernel<S>;
  ge?: BinaryKernel<S>;
  argmin?: ArgReduceKernel<S>;
  /** int32 indices [...] -> [..., numClasses] of `dtype`; indices are in range (core checks). */
  oneHot?(indices: TensorRef<S>, numClasses: number, dtype: DType): S;
  /** torch.index_select: index is 1-D. */
  indexSelect?(x: TensorRef<S>, axis: number, index: TensorRef<S>): S;
  /** softmax along one axis. */
  softmax?(x: TensorRef<S>, axis: number): S;
  logSoftmax?(x: TensorRef<S>, axis: number): S;
  /** x [..., in] @ weight[out, in]^T + bias[out] */
  linear?(x: TensorRef<S>, weight: TensorRef<S>, bias: TensorRef<S> | null, outShape: Shape): S;
  /**
   * conv2d with the bias [O] added as the output is written: out[n, o, i, j] =
   * f(conv2d(x, weight)[n, o, i, j] + bias[o]), the convolution rounded to float32 first, so the
   * bits equal core's composite (conv2d, then a broadcast add).
   */
  conv2dBias?(x: TensorRef<S>, weight: TensorRef<S>, bias: TensorRef<S>, params: Conv2dParams, outShape: Shape): S;
  /**
   * One torch.optim.SGD step for one float32 parameter, written IN PLACE into `param` and
   * `momentumBuffer` (the only kernels that write their inputs: an optimizer step owns those
   * storages, and updating them where they lie saves four allocating passes per parameter; core
   * calls these only under noGrad, on storages no copy-on-write view shares, and bumps their
   * versions). `grad` is read only. Each float32 operation rounds as core's composite in
   * src/optim/sgd.ts does, scalars rounded to float32 first (f = fround):
   *   d = maximize ? -grad : grad;  weightDecay != 0: d = f(d + f(param * f(weightDecay)))
   *   momentum != 0: buf = firstStep ? d : f(f(buf * f(momentum)) + f(d * f(1 - dampening)))
   *                  d = nesterov ? f(d + f(buf * f(momentum))) : buf
   *   param = f(param + f(d * f(-lr)))
   * `momentumBuffer` is null exactly when momentum is 0.
   */
  sgdStep?(param: TensorRef<S>, grad: TensorRef<S>, momentumBuffer: TensorRef<S> | null, options: SgdStepOptions): void;
  /**
   * One torch.optim.Adam / AdamW step for one float32 parameter, IN PLACE into `param`, `expAvg`,
   * `expAvgSq` and (amsgrad) `maxExpAvgSq`, under the same terms as sgdStep. With f = fround,
   * c1 = 1 - beta1^step, c2 = sqrt(1 - beta2^step) (host float64):
   *   g = maximize ? -grad : grad
   *   weightDecay != 0: decoupled ? param = f(param * f(1 - lr * weightDecay)) : g = f(g + f(param * f(weightDecay)))
   *   m = f(f(m * f(beta1)) + f(g * f(1 - beta1)));  v = f(f(v * f(beta2)) + f(f(g * g) * f(1 - beta2)))
   *   amsgrad (maxExpAvgSq not null): vmax = maximum(vmax, v) (NaN wins), used in place of v
   *   param = f(param + f(f(m / f(f(f(sqrt(v)) / f(c2)) + f(eps))) * f(-lr / c1)))
   */
  adamStep?(
    param: TensorRef<S>,
    grad: TensorRef<S>,
    expAvg: TensorRef<S>,
    expAvgSq: TensorRef<S>,
    maxExpAvgSq: TensorRef<S> | null,
    options: AdamStepOptions,
  ): void;
  /**
   * torch.nn.functional.cross_entropy of logits [N, C] with int32 class indices [N], in one pass
   * (log-softmax and NLL together). Per row n, with t = target[n], valid = t != ignoreIndex,
   * tc = t clamped into [0, C), w = weight (all ones when null), eps = labelSmoothing and
   * logp = x - logsumexp(x[n]) (max-shifted; an all -inf row shifts by 0):
   *   loss[n] = valid ? (1 - eps) * -w[tc] logp[n, tc] + eps / C * -sum_c w[c] logp[n, c] : 0,
   *   NaN where valid and t lies outside [0, C) (core cannot read targets back to raise).
   * 'none' returns loss [N]; 'sum' their sum []; 'mean' that sum over D = sum_n valid w[tc] [].
   * Also returns logSumExp [N] per row, which crossEntropyBackward reads.
   */
  crossEntropy?(
    logits: TensorRef<S>,
    target: TensorRef<S>,
    weight: TensorRef<S> | null,
    options: CrossEntropyKernelOptions,
  ): CrossEntropyResult<S>;
  /**
   * The gradient of crossEntropy w.r.t. its logits (core's rule; this evaluates it): with
   * p = exp(x - logSumExp[n]), Wsum = sum_c w[c] and s = grad (grad[n] for 'none', grad / D for
   * 'mean'), dx[n, c] = valid ? s * ((1 - eps) w[tc] (p - [c == tc]) + eps / C (Wsum p - w[c])) : 0.
   * `grad` is [] ('sum', 'mean') or [N] ('none'); returns [N, C].
   */
  crossEntropyBackward?(
    grad: TensorRef<S>,
    logits: TensorRef<S>,
    logSumExp: TensorRef<S>,
    target: TensorRef<S>,
    weight: TensorRef<S> | null,
    options: CrossEntropyKernelOptions,
  ): S;
  /** ReLU's gradient from its output (PyTorch's threshold_backward): y > 0 ? dy : 0. Same shapes. */
  reluBackward?(dy: TensorRef<S>, y: TensorRef<S>): S;
  /** Sigmoid's gradient from its output, rounded as core's composite: f(dy * f(y * f(1 - y))). */
  sigmoidBackward?(dy: TensorRef<S>, y: TensorRef<S>): S;
  /** Tanh's gradient from its output, rounded as core's composite: f(dy * f(1 - f(y * y))). */
  tanhBackward?(dy: TensorRef<S>, y: TensorRef<S>): S;
}

/** crossEntropy's and crossEntropyBackward's options (host numbers). */
export interface CrossEntropyKernelOptions {
  readonly ignoreIndex: number;
  /** In [0, 1]. */
  readonly labelSmoothing: number;
  readonly reduction: 'none' | 'sum' | 'mean';
}

/** crossEntropy's loss ([N] for 'none', else []) and each row's logsumexp (float32 [N]). */
export interface CrossEntropyResult<S> {
  readonly loss: S;
  readonly logSumExp: S;
}

/** sgdStep's scalars (host numbers, never tensors). */
export interface SgdStepOptions {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  /** The momentum buffer is set to the gradient instead of being averaged into. */
  readonly firstStep: boolean;
}

/** adamStep's scalars; `step` is the 1-based step count of this parameter (after this step). */
export interface AdamStepOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: decay the parameter, not the gradient. */
  readonly decoupledWeightDecay: boolean;
  readonly maximize: boolean;
  readonly step: number;
}

/** Names of the kernels every backend must provide (used by conformance to list coverage). */
export type RequiredKernelName = {
  [K in keyof Kernels<unknown>]-?: undefined extends Kernels<unknown>[K] ? never : K;
}[keyof Kernels<unknown>];

export interface BackendMemory {
  /** Storage handles alive on this backend as the backend counts them (textures, tf.Tensors, arrays). */
  readonly handles: number;
  readonly bytes: number;
}

/**
 * A backend: a device name, the engine it really runs on, and the kernels.
 * Backends are devices as in PyTorch: `tensor.to('gpujs')`.
 */
export interface Backend<S = unknown> {
  /** Device name: 'cpu', 'gpujs', 'tfjs', ... */
  readonly name: string;
  /** The package that provides it (for error messages). */
  readonly packageName: string;
  readonly kernels: Kernels<S>;
  /**
   * Prepare the engine (load wasm, create a GL context). Core's main entry starts it when the
   * backend registers; `await ready()` waits for it. Must be idempotent (concurrent calls share one).
   */
  init?(): Promise<void>;
  /**
   * Optional: finish init synchronously when the engine allows it (a native addon, a sync
   * factory) and return true; return false to have core run the async `init()`. A backend that is
   * ready synchronously can be the default device right after import, before `await ready()`.
   */
  initSync?(): boolean;
  /**
   * Optional: true for a backend whose init is costly or noisy and useless until it is used (a
   * WebGPU adapter request starts a GPU driver that prints to stderr). Registering does not start
   * its init then: `ready()` / `initBackends()`, FLINT_BACKEND=name, or the backend itself on its
   * first use does (a kernel called before the engine is up starts it and says to `await ready()`).
   */
  readonly initOnDemand?: boolean;
  /** The engine really used after init: 'typed-arrays', 'headlessgl', 'webasm', 'wasm', 'tensorflow', ... */
  engine(): string;
  /**
   * Auto-selection rank after init (higher wins): native tfjs 100, gpu.js on real GL/WebGPU 80,
   * cpu 50, tfjs wasm 30, tfjs cpu 20, gpu.js webasm/cpu 10.
   */
  priority(): number;
  /** What the backend itself holds (for leak tests). */
  memory(): BackendMemory;
}
