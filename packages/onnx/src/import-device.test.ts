import { cpuBackend } from '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { fromArray, registerBackend, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';
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
