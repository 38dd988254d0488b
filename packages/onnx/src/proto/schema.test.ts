import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from './index.js';
import { ONNX_PROTO } from './schema.js';

describe('the vendored ONNX schema', () => {
  it('schema.ts holds onnx.proto unchanged (regenerate with `pnpm --filter @flint/onnx schema`)', () => {
    const proto = readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8');
    expect(ONNX_PROTO).toBe(proto);
    expect(proto).toContain('SPDX-License-Identifier: Apache-2.0');
  });

  it('encodes and decodes a ModelProto, and rejects a field of the wrong type', () => {
    const bytes = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], input: [], output: [] },
    });
    const back = decodeModel(bytes);
    expect(back.graph!.node[0]!.opType).toBe('Relu');
    expect(back.graph!.name).toBe('g');
    expect(() => encodeModel({ graph: { name: 3 } } as never)).toThrow(
      /invalid ModelProto: graph.name: string expected/,
    );
  });
});
