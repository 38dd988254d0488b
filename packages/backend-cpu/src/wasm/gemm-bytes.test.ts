import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleGemm, bytesPath, renderBytesModule } from '../../scripts/wasm.js';
import { gemmWasmBase64 } from './gemm-bytes.js';

describe('generated gemm-bytes.ts', () => {
  it('is gemm.wat assembled by scripts/wasm.ts (run `pnpm run build:wasm` after editing the .wat)', async () => {
    const bytes = await assembleGemm();
    expect(Buffer.from(gemmWasmBase64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    expect(readFileSync(bytesPath, 'utf8')).toBe(renderBytesModule(bytes));
  });
});
