/**
 * A tiny host backend (add, neg, relu, copy, fill and the memory kernels) with switchable faults,
 * for the tests that show the harnesses catch what they claim to. Not part of the build.
 */
import type { Backend, DataArray, DType, Kernels, Shape, TensorRef } from '@flint/core/backend';

export interface TinyStore {
  data: DataArray;
  readonly dtype: DType;
}

export interface TinyFaults {
  /** add returns a + b + this. */
  addOffset?: number;
  /** neg allocates one storage it never frees. */
  leakInNeg?: boolean;
  /** relu zeroes its input. */
  mutateInRelu?: boolean;
  /** copy returns its input's storage. */
  aliasInCopy?: boolean;
  /** neg's storage claims int32 (its values are float32). */
  negClaimsInt32?: boolean;
  /** neg's values come back as an Int32Array. */
  negReadsAsInt32?: boolean;
  /** readSync returns every value + 1. */
  readSyncOffset?: number;
  /** relu bumps the engine counter (`engineTensors`) without releasing it. */
  leakEngineTensorInRelu?: boolean;
}

/** Typed as `Backend<unknown>`, as the harnesses see every backend. */
export type TinyBackend = Backend<unknown> & { engineTensors(): number };

export function tinyBackend(faults: TinyFaults = {}, name = 'tiny'): TinyBackend {
  let live = 0;
  let engineTensors = 0;
  const make = (data: DataArray, dtype: DType = 'float32'): TinyStore => {
    live++;
    return { data, dtype };
  };
  const k = {
    write: (d: DataArray, _shape: Shape, dtype: DType) => make(d.slice() as DataArray, dtype),
    read: async (x: TensorRef<TinyStore>) => x.storage.data.slice() as DataArray,
    readSync: (x: TensorRef<TinyStore>) => {
      const d = x.storage.data.slice() as DataArray;
      if (faults.readSyncOffset !== undefined) for (let i = 0; i < d.length; i++) d[i]! += faults.readSyncOffset;
      return d;
    },
    dispose: () => {
      live--;
    },
    add: (a: TensorRef<TinyStore>, b: TensorRef<TinyStore>) => {
      const out = new Float32Array(a.storage.data.length);
      for (let i = 0; i < out.length; i++) out[i] = a.storage.data[i]! + b.storage.data[i]! + (faults.addOffset ?? 0);
      return make(out);
    },
    neg: (x: TensorRef<TinyStore>) => {
      if (faults.leakInNeg) make(new Float32Array(1));
      const values = Float32Array.from(x.storage.data, (v) => -v);
      return make(
        faults.negReadsAsInt32 ? Int32Array.from(values) : values,
        faults.negClaimsInt32 ? 'int32' : 'float32',
      );
    },
    relu: (x: TensorRef<TinyStore>) => {
      if (faults.mutateInRelu) x.storage.data.fill(0);
      if (faults.leakEngineTensorInRelu) engineTensors++;
      return make(Float32Array.from(x.storage.data, (v) => Math.max(v, 0)));
    },
    copy: (x: TensorRef<TinyStore>) =>
      faults.aliasInCopy ? x.storage : make(x.storage.data.slice() as DataArray, x.storage.dtype),
    fill: (shape: Shape, dtype: DType, v: number) =>
      make(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v), dtype),
  };
  return {
    name,
    packageName: name,
    kernels: k as unknown as Kernels<unknown>,
    engine: () => 'host',
    priority: () => 0,
    memory: () => ({ handles: live, bytes: 0 }),
    engineTensors: () => engineTensors,
  };
}
