import '@flint/backend-cpu';
import { fromArray, manualSeed, randint, randn } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { importModel } from './index.js';
import { DataType } from './proto/index.js';
import {
  expectMatchesOrt,
  graphModel,
  type Int64Init,
  type NodeAttr,
  oneNodeModel,
  type TestNode,
} from './test-graphs.js';

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

  for (const opset of [17, 18])
    it(`ReduceMax, ReduceMin, ReduceProd with axes ${opset === 17 ? 'as an attribute' : 'as an input'} (opset ${opset}), keepdims 0 and 1`, async () => {
      manualSeed(305);
      const x = randn([2, 3, 4]);
      const axesOf = (axes: number[]) => (opset === 17 ? { attrs: { axes } } : { input: axes });
      const nodes = (['ReduceMax', 'ReduceMin', 'ReduceProd'] as const).flatMap((op, k) =>
        [0, 1].map((keepdims) => {
          const axes = axesOf(k === 2 ? [0, -1] : [1]);
          return {
            op,
            inputs: axes.input === undefined ? ['X'] : ['X', `axes${k}`],
            outputs: [`${op}${keepdims}`],
            attrs: { keepdims, ...axes.attrs },
          };
        }),
      );
      const inits: Record<string, Int64Init> =
        opset === 17 ? {} : { axes0: i64([1]), axes1: i64([1]), axes2: i64([0, -1]) };
      const bytes = graphModel(
        nodes,
        { X: x },
        inits,
        nodes.map((n) => n.outputs[0]!),
        opset,
      );
      await expectMatchesOrt(bytes, { X: x });
    });

  it('ArgMax and ArgMin with ties, keepdims and select_last_index', async () => {
    manualSeed(306);
    const x = randn([3, 5]).mul(0.8).round(); // many ties
    const nodes: TestNode[] = ['ArgMax', 'ArgMin'].flatMap((op) =>
      [0, 1].flatMap((last): TestNode[] => [
        { op, inputs: ['X'], outputs: [`${op}${last}i`], attrs: { axis: 1, keepdims: last, select_last_index: last } },
        { op: 'Cast', inputs: [`${op}${last}i`], outputs: [`${op}${last}`], attrs: { to: DataType.FLOAT } },
      ]),
    );
    const outputs = nodes.filter((n) => n.op === 'Cast').map((n) => n.outputs[0]!);
    await expectMatchesOrt(graphModel(nodes, { X: x }, {}, outputs), { X: x }, 0);
  });

  it('Split (sizes as an input, equal pieces by output count, num_outputs at opset 18), Tile, Size, Sum, Mean, Xor', async () => {
    manualSeed(307);
    const x = randn([2, 7]);
    const y = randn([2, 7]);
    const nodes17: TestNode[] = [
      { op: 'Split', inputs: ['X', 'sizes'], outputs: ['a', 'b', 'c'], attrs: { axis: 1 } },
      { op: 'Split', inputs: ['X'], outputs: ['p', 'q'], attrs: { axis: 0 } },
      { op: 'Tile', inputs: ['c', 'reps'], outputs: ['tiled'] },
      { op: 'Size', inputs: ['X'], outputs: ['n'] },
      { op: 'Cast', inputs: ['n'], outputs: ['nf'], attrs: { to: DataType.FLOAT } },
      { op: 'Mul', inputs: ['a', 'nf'], outputs: ['scaled'] },
      { op: 'Sum', inputs: ['X', 'Y', 'X'], outputs: ['sum'] },
      { op: 'Mean', inputs: ['X', 'Y'], outputs: ['mean'] },
      { op: 'Greater', inputs: ['X', 'Y'], outputs: ['gt'] },
      { op: 'Less', inputs: ['X', 'zero'], outputs: ['neg'] },
      { op: 'Xor', inputs: ['gt', 'neg'], outputs: ['xor'] },
      { op: 'Cast', inputs: ['xor'], outputs: ['xorf'], attrs: { to: DataType.FLOAT } },
    ];
    const outputs = ['b', 'p', 'q', 'tiled', 'scaled', 'sum', 'mean', 'xorf'];
    const inits = { sizes: i64([2, 4, 1]), reps: i64([3, 2]), zero: scalar(0) };
    await expectMatchesOrt(graphModel(nodes17, { X: x, Y: y }, inits, outputs), { X: x, Y: y });
    const nodes18 = [{ op: 'Split', inputs: ['X'], outputs: ['u', 'v', 'w'], attrs: { axis: 1, num_outputs: 3 } }];
    await expectMatchesOrt(graphModel(nodes18, { X: x }, {}, ['u', 'v', 'w'], 18), { X: x });
  });

  it('activations: GlobalMaxPool, HardSigmoid, HardSwish, Selu, Celu, Softsign, Mish, ThresholdedRelu, PRelu, Gelu', async () => {
    manualSeed(308);
    const x = randn([2, 3, 4, 4]).mul(2);
    const nodes: TestNode[] = [
      { op: 'GlobalMaxPool', inputs: ['X'], outputs: ['GlobalMaxPool'] },
      {
        op: 'HardSigmoid',
        inputs: ['X'],
        outputs: ['HardSigmoid'],
        attrs: { alpha: { float: 0.3 }, beta: { float: 0.4 } },
      },
      { op: 'HardSwish', inputs: ['X'], outputs: ['HardSwish'] },
      { op: 'Selu', inputs: ['X'], outputs: ['Selu'] },
      { op: 'Celu', inputs: ['X'], outputs: ['Celu'], attrs: { alpha: { float: 0.7 } } },
      { op: 'Softsign', inputs: ['X'], outputs: ['Softsign'] },
      { op: 'Mish', inputs: ['X'], outputs: ['Mish'] },
      { op: 'ThresholdedRelu', inputs: ['X'], outputs: ['ThresholdedRelu'], attrs: { alpha: { float: 0.5 } } },
      { op: 'PRelu', inputs: ['X', 'slope'], outputs: ['PRelu'] },
      { op: 'Gelu', inputs: ['X'], outputs: ['Gelu'] },
      { op: 'Gelu', inputs: ['X'], outputs: ['GeluTanh'], attrs: { approximate: 'tanh' } },
    ];
    const slope = { float: fromArray(Float32Array.from([0.1, -0.2, 0.3]), [3, 1, 1]) };
    const outputs = nodes.map((n) => n.outputs[0]!);
    await expectMatchesOrt(graphModel(nodes, { X: x }, { slope }, outputs, 20), { X: x });
  });

  it('Slice with negative steps (as torch exports flip), clamped and empty ranges, and on a shape (host)', async () => {
    manualSeed(309);
    const x = randn([4, 7, 3]);
    const big = 9007199254740991; // INT64_MAX arrives clamped to a safe number
    const nodes: TestNode[] = [
      { op: 'Slice', inputs: ['X', 's0', 'e0', 'a0', 'st0'], outputs: ['flip'] },
      { op: 'Slice', inputs: ['X', 's1', 'e1', 'a1', 'st1'], outputs: ['mixed'] },
      { op: 'Slice', inputs: ['X', 's2', 'e2', 'a2'], outputs: ['empty'] },
      { op: 'Shape', inputs: ['X'], outputs: ['S'] },
      { op: 'Slice', inputs: ['S', 's3', 'e3', 'a3', 'st3'], outputs: ['rev'] },
      { op: 'Reshape', inputs: ['X', 'rev'], outputs: ['reshaped'] },
      { op: 'Reshape', inputs: ['X', 'flat'], outputs: ['allowzero'], attrs: { allowzero: 1 } },
    ];
    const inits = {
      s0: i64([-1]),
      e0: i64([-big]),
      a0: i64([1]),
      st0: i64([-1]),
      s1: i64([10, 5, 0]),
      e1: i64([0, 1, big]),
      a1: i64([2, 1, 0]),
      st1: i64([-2, -2, 3]),
      s2: i64([5]),
      e2: i64([2]),
      a2: i64([1]),
      s3: i64([-1]),
      e3: i64([-big]),
      a3: i64([0]),
      st3: i64([-1]),
      flat: i64([12, -1]),
    };
    const outputs = ['flip', 'mixed', 'empty', 'reshaped', 'allowzero'];
    await expectMatchesOrt(graphModel(nodes, { X: x }, inits, outputs), { X: x }, 0);
  });

  it('Pad with the axes input (opset 18) and InstanceNormalization', async () => {
    manualSeed(310);
    const x = randn([2, 3, 4, 5]);
    const nodes: TestNode[] = [
      { op: 'Pad', inputs: ['X', 'pads', 'value', 'axes'], outputs: ['padded'] },
      { op: 'Pad', inputs: ['X', 'pads', '', 'axes'], outputs: ['reflected'], attrs: { mode: 'reflect' } },
      {
        op: 'InstanceNormalization',
        inputs: ['X', 'scale', 'bias'],
        outputs: ['normed'],
        attrs: { epsilon: { float: 1e-3 } },
      },
    ];
    const inits = {
      pads: i64([1, 0, 2, 2]),
      axes: i64([-1, 1]),
      value: scalar(0.5),
      scale: { float: randn([3]) },
      bias: { float: randn([3]) },
    };
    await expectMatchesOrt(graphModel(nodes, { X: x }, inits, ['padded', 'reflected', 'normed'], 18), { X: x });
  });

  it('Tan, Asin, Acos, Atan, Sinh, Cosh, Round (halves to even), CumSum (exclusive, reverse), ReduceLogSumExp', async () => {
    manualSeed(311);
    const x = randn([3, 4]).mul(0.6);
    const halves = fromArray(Float32Array.from([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, -0.6]), [8]);
    const unary = ['Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh'];
    const nodes: TestNode[] = [
      ...unary.map((op) => ({ op, inputs: ['X'], outputs: [op] })),
      { op: 'Round', inputs: ['H'], outputs: ['Round'] },
      ...[0, 1].flatMap((exclusive) =>
        [0, 1].map((reverse) => ({
          op: 'CumSum',
          inputs: ['X', 'axis'],
          outputs: [`CumSum${exclusive}${reverse}`],
          attrs: { exclusive, reverse },
        })),
      ),
      { op: 'ReduceLogSumExp', inputs: ['X'], outputs: ['LogSumExp'], attrs: { axes: [1], keepdims: 0 } },
    ];
    const outputs = nodes.map((n) => n.outputs[0]!);
    await expectMatchesOrt(graphModel(nodes, { X: x, H: halves }, { axis: i64([-1], []) }, outputs), {
      X: x,
      H: halves,
    });
  });

  it('Resize: nearest (asymmetric floor, half_pixel round_prefer_ceil), linear and cubic (pytorch_half_pixel, half_pixel, align_corners), by scales and by sizes', async () => {
    manualSeed(312);
    const x = randn([2, 3, 5, 7]);
    const line = randn([2, 3, 9]);
    const modes: [string, Record<string, NodeAttr>][] = [
      ['nearest', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }],
      ['exact', { mode: 'nearest', coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_ceil' }],
      ['linear', { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }],
      ['half', { mode: 'linear' }],
      ['corners', { mode: 'linear', coordinate_transformation_mode: 'align_corners' }],
      [
        'cubic',
        { mode: 'cubic', coordinate_transformation_mode: 'pytorch_half_pixel', cubic_coeff_a: { float: -0.75 } },
      ],
      ['cubicCorners', { mode: 'cubic', coordinate_transformation_mode: 'align_corners' }],
    ];
    const nodes: TestNode[] = modes.flatMap(([name, attrs]) => [
      { op: 'Resize', inputs: ['X', '', 'scales'], outputs: [`${name}Up`], attrs },
      { op: 'Resize', inputs: ['X', '', '', 'sizes'], outputs: [`${name}Sized`], attrs },
    ]);
    nodes.push({ op: 'Resize', inputs: ['L', '', 'lineScales'], outputs: ['line'], attrs: { mode: 'linear' } });
    nodes.push({ op: 'Resize', inputs: ['L', '', '', 'lineSizes'], outputs: ['lineNearest'], attrs: modes[0]![1] });
    const inits = {
      scales: { float: fromArray(Float32Array.from([1, 1, 2, 1.5]), [4]) },
      sizes: i64([2, 3, 3, 11]),
      lineScales: { float: fromArray(Float32Array.from([1, 1, 0.5]), [3]) },
      lineSizes: i64([2, 3, 13]),
    };
    const outputs = nodes.map((n) => n.outputs[0]!);
    await expectMatchesOrt(graphModel(nodes, { X: x, L: line }, inits, outputs), { X: x, L: line });
  });

  it('a Resize mode F.interpolate has no form for is an error naming the node', () => {
    const x = randn([1, 1, 4, 4]);
    const scales = { float: fromArray(Float32Array.from([1, 1, 2, 2]), [4]) };
    const bytes = oneNodeModel('Resize', ['X', '', 'scales'], { X: x }, { scales }, ['Y'], {
      mode: 'linear',
      coordinate_transformation_mode: 'tf_crop_and_resize',
    });
    expect(() => importModel(bytes)(x)).toThrow(
      "onnx import: node 'Resize_0' (Resize): linear with tf_crop_and_resize is not supported (half_pixel, pytorch_half_pixel or align_corners)",
    );
  });

  it('Constant in its value_float(s) and value_int(s) forms', async () => {
    manualSeed(313);
    const x = randn([2, 3]);
    const nodes: TestNode[] = [
      { op: 'Constant', inputs: [], outputs: ['f'], attrs: { value_float: { float: 1.5 } } },
      { op: 'Constant', inputs: [], outputs: ['fs'], attrs: { value_floats: { floats: [1, -2, 0.5] } } },
      { op: 'Constant', inputs: [], outputs: ['i'], attrs: { value_int: 2 } },
      { op: 'Constant', inputs: [], outputs: ['is'], attrs: { value_ints: [3, 2] } },
      { op: 'Mul', inputs: ['X', 'f'], outputs: ['a'] },
      { op: 'Add', inputs: ['a', 'fs'], outputs: ['b'] },
      { op: 'Cast', inputs: ['i'], outputs: ['iF'], attrs: { to: DataType.FLOAT } },
      { op: 'Sub', inputs: ['b', 'iF'], outputs: ['c'] },
      { op: 'Reshape', inputs: ['c', 'is'], outputs: ['Y'] },
    ];
    await expectMatchesOrt(graphModel(nodes, { X: x }, {}, ['Y']), { X: x });
  });

  it('a Cast to a type Flint has no form for is an error naming the node', () => {
    const x = randn([2]);
    const bytes = oneNodeModel('Cast', ['X'], { X: x }, {}, ['Y'], { to: 10 });
    expect(() => importModel(bytes)(x)).toThrow(/node 'Cast_0' \(Cast\): cast to data type 10 is not supported/);
  });
});
