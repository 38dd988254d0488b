import '@flint/backend-cpu';
import { manualSeed, randn, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { importModel } from './index.js';
import { expectMatchesOrt, type FloatInit, type NodeAttr, oneNodeModel } from './test-graphs.js';
import { maxAbsDiff, runOrt } from './test-models.js';

type Case = [name: string, input: number[], attrs: Record<string, NodeAttr>];

/** Run a Conv/ConvTranspose (weight and bias as initializers) or pool node on `input` in both runtimes. */
async function check(opType: string, input: number[], attrs: Record<string, NodeAttr>, weight?: number[]) {
  const x = randn(input);
  const inits: Record<string, FloatInit> = {};
  if (weight !== undefined) {
    // Conv weights are [out, in/groups, ...]; ConvTranspose weights [in, out/groups, ...].
    const channels = opType === 'Conv' ? weight[0]! : weight[1]! * Number(attrs.group ?? 1);
    inits.W = { float: randn(weight) };
    inits.B = { float: randn([channels]) };
  }
  const inputs = weight === undefined ? ['X'] : ['X', 'W', 'B'];
  return expectMatchesOrt(oneNodeModel(opType, inputs, { X: x }, inits, ['Y'], attrs), { X: x }, 1e-5);
}

describe('import: Conv with uneven pads and auto_pad', () => {
  const cases: Case[] = [
    ['uneven pads', [2, 3, 6, 7], { pads: [1, 0, 2, 1] }],
    ['uneven pads, stride 2, dilation 2', [2, 3, 9, 8], { pads: [0, 2, 1, 1], strides: [2, 2], dilations: [2, 2] }],
    ['SAME_UPPER, stride 2, odd total padding on H', [2, 3, 6, 7], { auto_pad: 'SAME_UPPER', strides: [2, 2] }],
    ['SAME_LOWER, stride 2, odd total padding on H', [2, 3, 6, 7], { auto_pad: 'SAME_LOWER', strides: [2, 2] }],
    ['SAME_UPPER, stride 1', [1, 3, 5, 5], { auto_pad: 'SAME_UPPER' }],
    ['VALID', [2, 3, 6, 7], { auto_pad: 'VALID', strides: [1, 2] }],
    ['NOTSET, even pads', [2, 3, 6, 7], { auto_pad: 'NOTSET', pads: [1, 1, 1, 1] }],
  ];
  for (const [name, input, attrs] of cases)
    it(`2-D, ${name}`, async () => {
      manualSeed(101);
      await check('Conv', input, attrs, [4, 3, 3, 3]);
    });

  it('2-D, groups 2 with SAME_LOWER and a 2x4 kernel (odd totals on both dims)', async () => {
    manualSeed(102);
    await check('Conv', [2, 4, 5, 6], { auto_pad: 'SAME_LOWER', group: 2 }, [6, 2, 2, 4]);
  });

  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER'])
    it(`1-D, ${autoPad} with an even kernel (odd total padding)`, async () => {
      manualSeed(103);
      await check('Conv', [2, 3, 9], { auto_pad: autoPad }, [4, 3, 4]);
    });

  it('1-D, uneven pads and stride 3', async () => {
    manualSeed(104);
    await check('Conv', [2, 3, 11], { pads: [2, 0], strides: [3] }, [4, 3, 3]);
  });
});

describe('import: MaxPool and AveragePool with uneven pads, auto_pad, ceil_mode, dilations', () => {
  const cases: Case[] = [
    ['SAME_UPPER, stride 2', [2, 3, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }],
    ['SAME_LOWER, stride 2', [2, 3, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' }],
    ['SAME_UPPER, kernel 2, stride 1', [1, 2, 5, 4], { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER' }],
    ['VALID, stride 2', [2, 3, 7, 6], { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'VALID' }],
    ['uneven pads', [2, 3, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0] }],
    [
      'uneven pads, ceil_mode',
      [2, 3, 8, 7],
      { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 0, 1], ceil_mode: 1 },
    ],
    [
      'end pads, ceil_mode (a last window starting in the end pad)',
      [2, 3, 8, 7],
      { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 2, 2], ceil_mode: 1 },
    ],
    ['even pads, ceil_mode', [2, 3, 8, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
    ['pads over half the kernel', [1, 2, 5, 5], { kernel_shape: [3, 3], pads: [2, 2, 2, 2] }],
    ['NOTSET, even pads, stride 1', [1, 2, 5, 5], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], auto_pad: 'NOTSET' }],
  ];
  for (const [name, input, attrs] of cases) {
    it(`MaxPool 2-D, ${name}`, async () => {
      manualSeed(111);
      await check('MaxPool', input, attrs);
    });
    for (const countIncludePad of [0, 1])
      it(`AveragePool 2-D, ${name}, count_include_pad ${countIncludePad}`, async () => {
        manualSeed(112);
        await check('AveragePool', input, { ...attrs, count_include_pad: countIncludePad });
      });
  }

  it('MaxPool 2-D with dilations, uneven pads', async () => {
    manualSeed(113);
    await check('MaxPool', [2, 3, 9, 8], { kernel_shape: [3, 2], dilations: [2, 1], pads: [2, 1, 1, 0] });
  });

  it("MaxPool 2-D with dilations and SAME_UPPER pads as ONNX specifies (the dilated kernel's extent)", async () => {
    // onnxruntime-node 1.30 sizes SAME pooling pads with the undilated kernel, so the output is not
    // ceil(in / stride) long; the reference is ORT on the spec's explicit pads, [0, 1] and [1, 1].
    manualSeed(114);
    const x = randn([2, 3, 8, 7]);
    const attrs = { kernel_shape: [2, 2], dilations: [2, 2], strides: [2, 2] };
    const same = importModel(oneNodeModel('MaxPool', ['X'], { X: x }, {}, ['Y'], { ...attrs, auto_pad: 'SAME_UPPER' }));
    const [ort] = await runOrt(oneNodeModel('MaxPool', ['X'], { X: x }, {}, ['Y'], { ...attrs, pads: [0, 1, 1, 1] }), {
      X: x,
    });
    const y = same(x) as Tensor;
    expect(y.shape).toEqual([2, 3, 4, 4]);
    expect([...ort!.dims]).toEqual([2, 3, 4, 4]);
    expect(maxAbsDiff(y.dataSync(), ort!.data)).toBe(0);
  });

  for (const opType of ['MaxPool', 'AveragePool'])
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER'])
      it(`${opType} 1-D, ${autoPad}, kernel 4, stride 3`, async () => {
        manualSeed(115);
        await check(opType, [2, 3, 10], { kernel_shape: [4], strides: [3], auto_pad: autoPad });
      });

  it('AveragePool 1-D, uneven pads, ceil_mode, count_include_pad 1', async () => {
    manualSeed(116);
    await check('AveragePool', [2, 3, 10], {
      kernel_shape: [3],
      strides: [2],
      pads: [0, 2],
      ceil_mode: 1,
      count_include_pad: 1,
    });
  });

  it('AveragePool with dilations is an error naming the node', () => {
    const x = randn([1, 1, 5, 5]);
    const bytes = oneNodeModel(
      'AveragePool',
      ['X'],
      { X: x },
      {},
      ['Y'],
      { kernel_shape: [2, 2], dilations: [2, 2] },
      19,
    );
    expect(() => importModel(bytes)(x)).toThrow(
      "onnx import: node 'AveragePool_0' (AveragePool): dilations [2,2] in AveragePool are not supported",
    );
  });

  it("MaxPool's Indices output is an error naming the node", () => {
    const x = randn([1, 1, 4, 4]);
    const bytes = oneNodeModel('MaxPool', ['X'], { X: x }, {}, ['Y', 'I'], { kernel_shape: [2, 2] });
    expect(() => importModel(bytes)(x)).toThrow(
      "onnx import: node 'MaxPool_0' (MaxPool): MaxPool's Indices output is not supported",
    );
  });

  it('an unknown auto_pad is an error naming the node', () => {
    const x = randn([1, 1, 5, 5]);
    const bytes = oneNodeModel('MaxPool', ['X'], { X: x }, {}, ['Y'], { kernel_shape: [2, 2], auto_pad: 'SAME' });
    expect(() => importModel(bytes)(x)).toThrow(
      /node 'MaxPool_0' \(MaxPool\): auto_pad SAME is not one of NOTSET, SAME_UPPER/,
    );
  });
});

describe('import: ConvTranspose with uneven pads, auto_pad, output_padding and output_shape', () => {
  const cases: Case[] = [
    ['uneven pads, stride 2', [2, 3, 4, 5], { strides: [2, 2], pads: [1, 0, 0, 2] }],
    ['uneven pads and output_padding', [2, 3, 4, 5], { strides: [2, 3], pads: [0, 1, 2, 0], output_padding: [1, 2] }],
    [
      'even pads, output_padding, dilation 2',
      [2, 3, 4, 5],
      { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1], dilations: [2, 2] },
    ],
    ['output_shape (odd total padding)', [2, 3, 4, 5], { strides: [2, 2], output_shape: [8, 10] }],
    [
      'output_shape with output_padding',
      [2, 3, 4, 5],
      { strides: [2, 2], output_shape: [9, 10], output_padding: [1, 0] },
    ],
    ['SAME_UPPER, stride 2 (odd total padding)', [2, 3, 4, 5], { strides: [2, 2], auto_pad: 'SAME_UPPER' }],
    ['SAME_LOWER, stride 2 (odd total padding)', [2, 3, 4, 5], { strides: [2, 2], auto_pad: 'SAME_LOWER' }],
    ['VALID, stride 2', [2, 3, 4, 5], { strides: [2, 1], auto_pad: 'VALID' }],
  ];
  for (const [name, input, attrs] of cases)
    it(`2-D, ${name}`, async () => {
      manualSeed(121);
      await check('ConvTranspose', input, attrs, [3, 4, 3, 3]);
    });

  it('2-D, groups 3 with SAME_UPPER', async () => {
    manualSeed(122);
    await check('ConvTranspose', [2, 6, 3, 4], { strides: [2, 2], auto_pad: 'SAME_UPPER', group: 3 }, [6, 2, 3, 2]);
  });

  it('1-D, output_shape and uneven pads', async () => {
    manualSeed(123);
    await check('ConvTranspose', [2, 3, 6], { strides: [3], output_shape: [17] }, [3, 2, 4]);
    await check('ConvTranspose', [2, 3, 6], { strides: [2], pads: [0, 3] }, [3, 2, 4]);
  });
});
