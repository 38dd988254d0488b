import { getBackend, listBackends } from '@flint/core/backend';
import type { RequiredKernelName, TensorRef } from '@flint/core/backend';
import { describe, expect, it } from 'vitest';
import { cpuBackend, kernels, type CpuStorage } from './index.js';

const K = kernels;
const ref = (storage: CpuStorage, shape: number[]): TensorRef<CpuStorage> => ({ storage, shape, dtype: storage.dtype });

describe('cpuBackend', () => {
  it('registers itself on import as cpu / typed-arrays / priority 50', () => {
    expect(listBackends()).toContain('cpu');
    expect(getBackend('cpu')).toBe(cpuBackend);
    expect(cpuBackend.packageName).toBe('@flint/backend-cpu');
    expect(cpuBackend.engine()).toBe('typed-arrays');
    expect(cpuBackend.priority()).toBe(50);
  });

  it('provides every required kernel and the fused ones', () => {
    const required: RequiredKernelName[] = [
      'write',
      'read',
      'readSync',
      'dispose',
      'fill',
      'copy',
      'neg',
      'abs',
      'exp',
      'log',
      'sqrt',
      'sin',
      'cos',
      'tanh',
      'relu',
      'gelu',
      'erf',
      'floor',
      'ceil',
      'round',
      'log1p',
      'expm1',
      'add',
      'sub',
      'div',
      'mul',
      'pow',
      'maximum',
      'minimum',
      'eq',
      'lt',
      'gt',
      'where',
      'sum',
      'max',
      'min',
      'prod',
      'argmax',
      'matmul',
      'permute',
      'slice',
      'pad',
      'concat',
      'expand',
      'cast',
      'gather',
      'scatterAdd',
      'scatter',
      'conv2d',
      'conv2dBackwardInput',
      'conv2dBackwardWeight',
      'maxPool2d',
      'maxPool2dBackward',
      'avgPool2d',
      'avgPool2dBackward',
    ];
    for (const name of required) expect(typeof cpuBackend.kernels[name], name).toBe('function');
    // The optional kernels (core composes them when a backend leaves one out): cpu has them all.
    for (const name of [
      'sigmoid',
      'rsqrt',
      'reciprocal',
      'square',
      'sign',
      'leakyRelu',
      'ne',
      'le',
      'ge',
      'argmin',
      'oneHot',
      'indexSelect',
      'softmax',
      'logSoftmax',
      'linear',
      'sgdStep',
      'adamStep',
    ] as const)
      expect(typeof cpuBackend.kernels[name], name).toBe('function');
  });

  it('counts live storages and bytes: +1 per write/output, -1 per dispose (idempotent)', () => {
    const before = cpuBackend.memory();
    const a = K.write(new Float32Array([1, 2, 3]), [3], 'float32');
    const b = K.write(new Uint8Array([1, 0, 1]), [3], 'bool');
    expect(cpuBackend.memory()).toEqual({ handles: before.handles + 2, bytes: before.bytes + 15 });
    const c = K.add(ref(a, [3]), ref(a, [3]), [3]);
    const { values, indices } = K.maxPool2d(
      ref(K.fill([1, 1, 2, 2], 'float32', 1), [1, 1, 2, 2]),
      { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true },
      [1, 1, 1, 1],
    );
    expect(cpuBackend.memory().handles).toBe(before.handles + 6);
    for (const s of [a, b, c, values, indices]) K.dispose(s);
    K.dispose(a);
    expect(cpuBackend.memory().handles).toBe(before.handles + 1); // the fill input is still alive
    expect(cpuBackend.memory().bytes).toBe(before.bytes + 16);
  });

  it('write copies its input; read/readSync return fresh copies; reading a disposed storage throws', async () => {
    const src = new Int32Array([1, 2, 3]);
    const s = K.write(src, [3], 'int32');
    src[0] = 99;
    const out = K.readSync(ref(s, [3]));
    expect(Array.from(out)).toEqual([1, 2, 3]);
    out[1] = 42;
    expect(Array.from(await K.read(ref(s, [3])))).toEqual([1, 2, 3]);
    K.dispose(s);
    expect(() => K.readSync(ref(s, [3]))).toThrow(/disposed/);
    await expect(K.read(ref(s, [3]))).rejects.toThrow(/disposed/);
  });

  it('write converts a mismatched array; fill coerces per dtype; copy keeps the dtype', () => {
    const s = K.write(new Float32Array([1.9, -1.9]), [2], 'int32');
    expect(s.data).toBeInstanceOf(Int32Array);
    expect(Array.from(s.data)).toEqual([1, -1]);
    expect(Array.from(K.fill([2], 'bool', 0.5).data)).toEqual([1, 1]);
    expect(Array.from(K.fill([2], 'int32', 7).data)).toEqual([7, 7]);
    expect(Array.from(K.fill([], 'float32', -2).data)).toEqual([-2]);
    expect(K.fill([0, 3], 'float32', 1).data.length).toBe(0);
    const c = K.copy(ref(s, [2]));
    expect(c.dtype).toBe('int32');
    expect(c.data).not.toBe(s.data);
  });

  it('adapters set output dtypes: comparisons -> bool, argmax -> int32, cast -> target', () => {
    const a = K.write(new Float32Array([1, 5, 3]), [3], 'float32');
    const b = K.write(new Float32Array([2]), [1], 'float32');
    expect(K.lt(ref(a, [3]), ref(b, [1]), [3]).dtype).toBe('bool');
    expect(Array.from(K.lt(ref(a, [3]), ref(b, [1]), [3]).data)).toEqual([1, 0, 0]);
    expect(K.argmax(ref(a, [3]), 0).dtype).toBe('int32');
    expect(K.cast(ref(a, [3]), 'int32').dtype).toBe('int32');
    expect(K.sum(ref(K.write(new Int32Array([1, 2]), [2], 'int32'), [2]), [0]).dtype).toBe('int32');
    const bias = K.write(new Float32Array([2, 2]), [2], 'float32');
    const lin = K.linear(
      ref(a, [1, 3]),
      ref(K.write(new Float32Array([1, 1, 1, 0, 1, 0]), [2, 3], 'float32'), [2, 3]),
      ref(bias, [2]),
      [1, 2],
    );
    expect(Array.from(lin.data)).toEqual([11, 7]);
    const sm = K.softmax(ref(a, [3]), 0);
    expect(sm.dtype).toBe('float32');
    expect(Array.from(K.concat([ref(a, [3]), ref(b, [1])], 0, [4]).data)).toEqual([1, 5, 3, 2]);
  });
});
