import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assembleModule,
  assembleSharedModule,
  bytesPath,
  renderBytesModule,
  SHARED_MODULES,
  watModules,
} from '../../scripts/wasm.js';

describe('generated src/wasm/*-bytes.ts', () => {
  it('finds the hand-written modules', () => {
    expect(watModules()).toContain('gemm');
  });

  for (const name of watModules())
    it(`${name}-bytes.ts is ${name}.wat assembled by scripts/wasm.ts (run \`pnpm run build:wasm\` after editing the .wat)`, async () => {
      const bytes = await assembleModule(name);
      expect(readFileSync(bytesPath(name), 'utf8')).toBe(renderBytesModule(name, bytes));
    });
  for (const name of SHARED_MODULES)
    it(`${name}-shared-bytes.ts is ${name}.wat with a shared memory, assembled by scripts/wasm.ts`, async () => {
      const bytes = await assembleSharedModule(name);
      expect(readFileSync(bytesPath(`${name}-shared`), 'utf8')).toBe(renderBytesModule(`${name}-shared`, bytes));
    });
});
