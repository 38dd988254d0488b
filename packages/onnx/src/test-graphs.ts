/**
 * One-node ONNX graphs for the import tests, written through the package's protobuf writer, and a
 * check that Flint's import of such a graph and onnxruntime-node compute the same outputs.
 */
import type { Tensor } from '@flint/core';
import { expect } from 'vitest';
import { importModel } from './index.js';
import { type AttributeProto, AttributeType, DataType, encodeModel, type TensorProto } from './proto/index.js';
import { maxAbsDiff, runOrt } from './test-models.js';

export type NodeAttr =
  | number
  | { float: number }
  | number[]
  | { floats: number[] }
  | string
  | { strings: string[] }
  | { tensor: TensorProto };

function attribute(name: string, v: NodeAttr): AttributeProto {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: v.floats };
  if ('tensor' in v) return { name, type: AttributeType.TENSOR, t: v.tensor };
  return { name, type: AttributeType.STRINGS, strings: v.strings.map((s) => new TextEncoder().encode(s)) };
}

/** An int64 initializer (shapes, lengths), as torch's exporter writes them. */
export interface Int64Init {
  int64: number[];
  dims: number[];
}

/** A float32 initializer. */
export interface FloatInit {
  float: Tensor;
}

/** A node of a test graph. */
export interface TestNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, NodeAttr>;
}

/**
 * The bytes of a model running `nodes`: `feeds` are the graph inputs fed at run time (int32 or
 * float32), `initializers` constants of the graph, `outputs` float32 graph outputs.
 */
export function graphModel(
  nodes: TestNode[],
  feeds: Record<string, Tensor>,
  initializers: Record<string, Int64Init | FloatInit>,
  outputs: string[],
  opset = 17,
): Uint8Array {
  const elem = (t: Tensor) => (t.dtype === 'int32' ? DataType.INT32 : DataType.FLOAT);
  const initializer: TensorProto[] = Object.entries(initializers).map(([name, v]) =>
    'int64' in v
      ? { name, dims: v.dims, dataType: DataType.INT64, int64Data: v.int64 }
      : { name, dims: [...v.float.shape], dataType: DataType.FLOAT, floatData: Array.from(v.float.dataSync()) },
  );
  return encodeModel({
    irVersion: 8,
    producerName: 'flint-test',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      node: nodes.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer,
      input: Object.entries(feeds).map(([name, t]) => ({
        name,
        type: { tensorType: { elemType: elem(t), shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } },
      })),
      output: outputs.map((name) => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } })),
    },
  });
}

/** A model with one node (named `${opType}_0`); '' in `inputs` skips an optional input. */
export function oneNodeModel(
  opType: string,
  inputs: string[],
  feeds: Record<string, Tensor>,
  initializers: Record<string, Int64Init | FloatInit>,
  outputs: string[],
  attrs: Record<string, NodeAttr> = {},
  opset = 17,
): Uint8Array {
  return graphModel([{ op: opType, inputs, outputs, attrs }], feeds, initializers, outputs, opset);
}

/**
 * Import `bytes`, run it on `feeds` and onnxruntime-node likewise; every output must have ORT's shape
 * and agree within `tol`. Returns the largest difference.
 */
export async function expectMatchesOrt(bytes: Uint8Array, feeds: Record<string, Tensor>, tol = 1e-5): Promise<number> {
  const model = importModel(bytes);
  const got = model(...model.inputNames.map((n) => feeds[n]!));
  const mine = Array.isArray(got) ? got : [got];
  const ort = await runOrt(bytes, feeds);
  expect(mine.length).toBe(ort.length);
  let worst = 0;
  for (const [i, o] of ort.entries()) {
    expect([...mine[i]!.shape]).toEqual([...o.dims]);
    const d = maxAbsDiff(mine[i]!.dataSync(), o.data);
    expect(d).toBeLessThanOrEqual(tol);
    worst = Math.max(worst, d);
  }
  if (process.env.ONNX_REPORT_DIFFS === '1') console.log(`max abs diff ${worst.toExponential(2)}`);
  return worst;
}
