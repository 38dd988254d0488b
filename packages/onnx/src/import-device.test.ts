import { cpuBackend } from '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { fromArray, registerBackend, Tensor } from '@flint/core';
import { describe, expect, it, vi } from 'vitest';
import { importModel } from './index.js';
import { maxAbsDiff } from './test-models.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

describe('importModel on a device that is not the default', () => {
  it("makes the graph's own tensors (ConstantOfShape, Range, host integers) on the module's device", () => {
    // A second device with the cpu kernels: tensors of two devices in one op are an error.
    registerBackend({ ...cpuBackend, name: 'cpu-other', priority: () => 0 });
    for (const [file, make] of [
      [
        'lstm.onnx',
        (device?: string) => fromArray(Int32Array.from([3, 10, 17, 4, 11, 18]), [2, 3], { dtype: 'int32', device }),
      ],
      [
        'encoder.onnx',
        (device?: string) =>
          fromArray(
            Float32Array.from({ length: 2 * 5 * 16 }, (_, i) => Math.sin(0.1 * i)),
            [2, 5, 16],
            { device },
          ),
      ],
    ] as const) {
      const there = importModel(fixture(file), { device: 'cpu-other' })(make('cpu-other')) as Tensor;
      const here = importModel(fixture(file))(make()) as Tensor;
      expect(there.device).toBe('cpu-other');
      expect(maxAbsDiff(there.dataSync(), here.dataSync())).toBe(0);
    }
  });
});

describe('importModel: the forward reads nothing back from the device', () => {
  // Backends with asynchronous reads only (webgpu) cannot serve a synchronous read in the forward:
  // the constants that the graph's arithmetic needs (pads, bounds, fill values) stay on the host.
  for (const [file, input] of [
    ['lenet.onnx', [2, 1, 28, 28]],
    ['small.onnx', [2, 1, 8, 8]],
    ['lstm.onnx', [2, 5]],
    ['encoder.onnx', [2, 5, 16]],
    ['convs.onnx', [2, 3, 11, 10]],
    ['gru.onnx', [2, 6, 5]],
  ] as const)
    it(file, () => {
      const model = importModel(fixture(file));
      const n = input.reduce((p: number, q: number) => p * q, 1);
      const x =
        file === 'lstm.onnx'
          ? fromArray(
              Int32Array.from({ length: n }, (_, i) => i % 20),
              [...input],
              { dtype: 'int32' },
            )
          : fromArray(
              Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
              [...input],
            );
      const reads = [vi.spyOn(Tensor.prototype, 'dataSync'), vi.spyOn(Tensor.prototype, 'item')];
      try {
        model(x);
        expect(reads.map((r) => r.mock.calls.length)).toEqual([0, 0]);
      } finally {
        for (const r of reads) r.mockRestore();
      }
    });
});
