import '@flint/backend-cpu';
import { fromArray, manualSeed, randint, randn } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { importModel } from './index.js';
import { DataType } from './proto/index.js';
import { expectMatchesOrt, graphModel, oneNodeModel } from './test-graphs.js';

const i64 = (values: number[], dims: number[] = [values.length]) => ({ int64: values, dims });
const scalar = (v: number) => ({ float: fromArray(new Float32Array([v]), []) });

describe('import: the mask, comparison and shape ops of torch and Flint exports, against onnxruntime-node', () => {
  it("a causal mask built at the running length (Shape start/end, Expand, Trilu), as Flint's export writes it", async () => {
    manualSeed(301);
    const x = randn([2, 5, 5]);
    const bytes = graphModel(
      [
        { op: 'Shape', inputs: ['X'], outputs: ['S'], attrs: { start: 1, end: 3 } },
        { op: 'Expand', inputs: ['neginf', 'S'], outputs: ['filled'] },
        { op: 'Trilu', inputs: ['filled', 'one'], outputs: ['mask'], attrs: { upper: 1 } },
        { op: 'Add', inputs: ['X', 'mask'], outputs: ['masked'] },
        { op: 'Softmax', inputs: ['masked'], outputs: ['Y'], attrs: { axis: -1 } },
        { op: 'Trilu', inputs: ['X'], outputs: ['lower'], attrs: { upper: 0 } },
        { op: 'Trilu', inputs: ['X', 'minus'], outputs: ['upper'] },
      ],
      { X: x },
      { neginf: scalar(Number.NEGATIVE_INFINITY), one: i64([1], []), minus: i64([-1], []) },
      ['Y', 'lower', 'upper'],
    );
    await expectMatchesOrt(bytes, { X: x });
  });

  it('Where on bool masks from Equal/Less/Greater/Not/And/Or, and Cast between float, int and bool', async () => {
    manualSeed(302);
    const x = randn([3, 4]).mul(2);
    const k = randint(-2, 3, [3, 4], { dtype: 'int32' });
    const bytes = graphModel(
      [
        { op: 'Greater', inputs: ['X', 'zero'], outputs: ['pos'] },
        { op: 'Less', inputs: ['X', 'one'], outputs: ['small'] },
        { op: 'And', inputs: ['pos', 'small'], outputs: ['inside'] },
        { op: 'Not', inputs: ['inside'], outputs: ['outside'] },
        { op: 'Where', inputs: ['outside', 'X', 'zero'], outputs: ['A'] },
        { op: 'Cast', inputs: ['X'], outputs: ['Xi'], attrs: { to: DataType.INT32 } },
        { op: 'Equal', inputs: ['Xi', 'K'], outputs: ['same'] },
        { op: 'Or', inputs: ['same', 'pos'], outputs: ['either'] },
        { op: 'Cast', inputs: ['either'], outputs: ['B'], attrs: { to: DataType.FLOAT } },
        { op: 'Cast', inputs: ['Xi'], outputs: ['C'], attrs: { to: DataType.FLOAT } },
        { op: 'LessOrEqual', inputs: ['X', 'zero'], outputs: ['le'] },
        { op: 'GreaterOrEqual', inputs: ['X', 'one'], outputs: ['ge'] },
        { op: 'Where', inputs: ['le', 'one', 'X'], outputs: ['D0'] },
        { op: 'Where', inputs: ['ge', 'zero', 'D0'], outputs: ['D'] },
      ],
      { X: x, K: k },
      { zero: scalar(0), one: scalar(1) },
      ['A', 'B', 'C', 'D'],
    );
    await expectMatchesOrt(bytes, { X: x, K: k });
  });

  it("torch's shape arithmetic on the host: Shape, Gather, Div, Mul, Sub, Range, ConstantOfShape, Cast, Equal, Where", async () => {
    manualSeed(303);
    const x = randn([2, 6, 4]);
    const bytes = graphModel(
      [
        { op: 'Shape', inputs: ['X'], outputs: ['S'] },
        { op: 'Gather', inputs: ['S', 'i1'], outputs: ['T'], attrs: { axis: 0 } },
        { op: 'Div', inputs: ['T', 'four'], outputs: ['half'] }, // 6 // 4 = 1
        { op: 'Sub', inputs: ['half', 'T'], outputs: ['neg'] }, // -5
        { op: 'Div', inputs: ['neg', 'two'], outputs: ['trunc'] }, // -2 (truncated)
        { op: 'Mul', inputs: ['trunc', 'minusThree'], outputs: ['six'] }, // 6
        { op: 'Unsqueeze', inputs: ['six', 'axes0'], outputs: ['six1'] },
        { op: 'Concat', inputs: ['first', 'six1', 'last'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Equal', inputs: ['shape', 'minusOnes'], outputs: ['isMinus'] },
        { op: 'Where', inputs: ['isMinus', 'ones3', 'shape'], outputs: ['target'] },
        {
          op: 'ConstantOfShape',
          inputs: ['target'],
          outputs: ['filled'],
          attrs: { value: { tensor: { dims: [1], dataType: DataType.FLOAT, floatData: [1.5] } } },
        },
        { op: 'Range', inputs: ['zeroI', 'six', 'one'], outputs: ['r'] },
        { op: 'Cast', inputs: ['r'], outputs: ['rf'], attrs: { to: DataType.FLOAT } },
        { op: 'Unsqueeze', inputs: ['rf', 'axes1'], outputs: ['rcol'] },
        { op: 'Add', inputs: ['X', 'filled'], outputs: ['sum'] },
        { op: 'Mul', inputs: ['sum', 'rcol'], outputs: ['Y'] },
      ],
      { X: x },
      {
        i1: i64([1], []),
        four: i64([4], []),
        two: i64([2], []),
        minusThree: i64([-3], []),
        axes0: i64([0]),
        axes1: i64([1]),
        first: i64([-1]),
        last: i64([4]),
        minusOnes: i64([-1, -1, -1]),
        ones3: i64([2, 2, 2]),
        zeroI: i64([0], []),
        one: i64([1], []),
      },
      ['Y'],
    );
    await expectMatchesOrt(bytes, { X: x });
  });

  it('elementwise Sin, Cos, Floor, Ceil, Reciprocal, Sign, and Max/Min of three inputs', async () => {
    manualSeed(304);
    const [x, y, z] = [randn([2, 5]).mul(3), randn([2, 5]), randn([5])];
    const unary = ['Sin', 'Cos', 'Floor', 'Ceil', 'Reciprocal', 'Sign'];
    const bytes = graphModel(
      [
        ...unary.map((op) => ({ op, inputs: ['X'], outputs: [op] })),
        { op: 'Max', inputs: ['X', 'Y', 'Z'], outputs: ['Max'] },
        { op: 'Min', inputs: ['X', 'Y', 'Z'], outputs: ['Min'] },
      ],
      { X: x, Y: y, Z: z },
      {},
      [...unary, 'Max', 'Min'],
    );
    await expectMatchesOrt(bytes, { X: x, Y: y, Z: z });
  });

  it('integer Div of int32 tensors truncates as ONNX does', async () => {
    const p = fromArray(Int32Array.from([7, -7, 7, -7, 0, 9]), [6], { dtype: 'int32' });
    const q = fromArray(Int32Array.from([2, 2, -2, -2, 3, 4]), [6], { dtype: 'int32' });
    const bytes = graphModel(
      [
        { op: 'Div', inputs: ['P', 'Q'], outputs: ['D'] },
        { op: 'Cast', inputs: ['D'], outputs: ['Y'], attrs: { to: DataType.FLOAT } },
      ],
      { P: p, Q: q },
      {},
      ['Y'],
    );
    await expectMatchesOrt(bytes, { P: p, Q: q }, 0);
  });

  it('a Cast to a type Flint has no form for is an error naming the node', () => {
    const x = randn([2]);
    const bytes = oneNodeModel('Cast', ['X'], { X: x }, {}, ['Y'], { to: 10 });
    expect(() => importModel(bytes)(x)).toThrow(/node 'Cast_0' \(Cast\): cast to data type 10 is not supported/);
  });
});
