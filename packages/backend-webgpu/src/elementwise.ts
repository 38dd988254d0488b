/**
 * The elementwise kernel families (unary, unary with one parameter, binary with NumPy broadcasting).
 * Each kernel file names its kernel and its WGSL body; indexing and broadcasting are written here.
 */
import { broadcastStrides, shapesEqual, sizeOf, type DType, type Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from './context.js';
import { PARAM_WORDS } from './device.js';
import type { WebGpuStorage } from './storage.js';
import {
  bindings,
  coalesce,
  elementwiseMain,
  FLOAT_HELPERS,
  Params,
  walkOffsets,
  wgslType,
  type WgslType,
} from './wgsl.js';

/** WGSL of `fn op(x: T) -> T` (or to the output type), from the element type. */
export type UnaryBody = (t: WgslType) => string;

/**
 * A unary kernel: `body(t)` is the body of `fn op(x: t) -> t`. `helpers` is extra WGSL (math
 * functions) placed before it.
 */
export function unaryKernel(name: string, body: UnaryBody, helpers = '') {
  return (ctx: WebGpuContext) =>
    (x: Ref): WebGpuStorage =>
      runUnary(ctx, name, body, helpers, x, null);
}

/** A unary kernel with one float parameter `p` (a uniform: new values compile nothing). */
export function unaryParamKernel(name: string, body: UnaryBody, helpers = '') {
  return (ctx: WebGpuContext) =>
    (x: Ref, p: number): WebGpuStorage =>
      runUnary(ctx, name, body, helpers, x, p);
}

function runUnary(
  ctx: WebGpuContext,
  name: string,
  body: UnaryBody,
  helpers: string,
  x: Ref,
  p: number | null,
): WebGpuStorage {
  const dev = ctx.device;
  const n = sizeOf(x.shape);
  const out = dev.alloc(n, x.dtype);
  if (n === 0) return out;
  const t = wgslType(x.dtype);
  const pipe = dev.pipeline(`${name}/${t}`, 1, 1, () => {
    const param = p === null ? '' : 'let p = pf(1u);\n';
    return (
      bindings([['a', t]], [['out', t]]) +
      FLOAT_HELPERS +
      helpers +
      `fn op(x: ${t}, p: f32) -> ${t} {\n${body(t)}\n}\n` +
      elementwiseMain(dev.workgroupSize, `  ${param}out[i] = op(a[i], ${p === null ? '0.0' : 'p'});`)
    );
  });
  const params = new Params().u(n);
  if (p !== null) params.f(p);
  dev.dispatch(pipe, [x.storage], [out], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
}

/** WGSL of `fn op(x: T, y: T) -> R`. */
export type BinaryBody = (t: WgslType) => string;

/**
 * A binary kernel with NumPy broadcasting: `body(t)` is the body of `fn op(x: t, y: t) -> out`.
 * Comparisons return bool (`outDtype`). Same-shape operands read a[i], b[i]; others walk the
 * broadcast strides after merging contiguous dims (the merged rank is the shader variant).
 */
export function binaryKernel(name: string, body: BinaryBody, outDtype?: (a: DType) => DType, helpers = '') {
  return (ctx: WebGpuContext) =>
    (a: Ref, b: Ref, outShape: Shape): WebGpuStorage => {
      const dev = ctx.device;
      const dtype = outDtype ? outDtype(a.dtype) : a.dtype;
      const n = sizeOf(outShape);
      const out = dev.alloc(n, dtype);
      if (n === 0) return out;
      const t = wgslType(a.dtype);
      const ot = wgslType(dtype);
      const fn = `fn op(x: ${t}, y: ${t}) -> ${ot} {\n${body(t)}\n}\n`;
      const head = bindings(
        [
          ['a', t],
          ['b', t],
        ],
        [['out', ot]],
      );
      const groups = dev.grid(Math.ceil(n / dev.workgroupSize));
      if (shapesEqual(a.shape, outShape) && shapesEqual(b.shape, outShape)) {
        const pipe = dev.pipeline(
          `${name}/${t}/same`,
          2,
          1,
          () => head + FLOAT_HELPERS + helpers + fn + elementwiseMain(dev.workgroupSize, '  out[i] = op(a[i], b[i]);'),
        );
        dev.dispatch(pipe, [a.storage, b.storage], [out], new Params().u(n).build(), groups);
        return out;
      }
      const walk = coalesce(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
      const rank = walk.shape.length;
      checkRank(name, rank, 2);
      const operands = [
        { name: 'a', stridesAt: 1 + rank },
        { name: 'b', stridesAt: 1 + 2 * rank },
      ];
      const pipe = dev.pipeline(
        `${name}/${t}/r${rank}`,
        2,
        1,
        () =>
          head +
          FLOAT_HELPERS +
          helpers +
          fn +
          elementwiseMain(
            dev.workgroupSize,
            `${walkOffsets('i', rank, 1, operands)}  out[i] = op(a[off_a], b[off_b]);`,
          ),
      );
      const params = new Params().u(n).us(walk.shape).us(walk.strides[0]!).us(walk.strides[1]!);
      dev.dispatch(pipe, [a.storage, b.storage], [out], params.build(), groups);
      return out;
    };
}

/** Walk ranks beyond what the parameter uniform holds (after merging dims) are refused clearly. */
export function checkRank(kernel: string, rank: number, operands: number): void {
  if (1 + rank * (operands + 1) > PARAM_WORDS) {
    throw new Error(
      `@flint/backend-webgpu: ${kernel} over ${rank} non-mergeable dims is not supported (the limit is ` +
        `${Math.floor((PARAM_WORDS - 1) / (operands + 1))} for ${operands} operands).`,
    );
  }
}

/**
 * A comparison returning bool (u32 0/1). Float NaN handling is explicit (bit tests), so it does not
 * depend on the shader compiler keeping IEEE unordered comparisons.
 */
export function comparisonKernel(name: string, op: '==' | '!=' | '<' | '<=' | '>' | '>=') {
  return binaryKernel(
    name,
    (t) => {
      if (t !== 'f32') return `return select(0u, 1u, x ${op} y);`;
      const nan = 'is_nan(x) || is_nan(y)';
      return op === '!='
        ? `return select(0u, 1u, ${nan} || x != y);`
        : `if (${nan}) { return 0u; }\nreturn select(0u, 1u, x ${op} y);`;
    },
    () => 'bool',
  );
}
