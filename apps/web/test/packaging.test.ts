/**
 * The packages as a consumer gets them (their dist/ through package.json's exports; run
 * `pnpm build` first):
 * - esbuild bundles core with each backend for the browser with no alias, shim or plugin, as an
 *   ES module and as an IIFE for ES2020, without warnings, and leaves Node-only modules out;
 * - CommonJS require() loads them (no top-level await anywhere);
 * - Node ESM import still auto-loads every installed backend synchronously, and save/load take paths.
 * The bundles' sizes (minified, gzip) are printed; core's README quotes them.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const appDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * Entry scripts: all of core's API (kept whole: nothing for tree-shaking to drop) plus one backend,
 * and a tensor op once ready() resolved.
 */
const ENTRIES: Record<string, string> = {
  core: '',
  'core+cpu': "import '@flint/backend-cpu';",
  'core+tfjs': "import { setWasmPaths } from '@flint/backend-tfjs';\nsetWasmPaths('/tfjs-wasm/');",
  'core+tfjs+webgl': "import '@flint/backend-tfjs';\nimport '@flint/backend-tfjs/webgl';",
  'core+gpujs': "import '@flint/backend-gpujs';",
  'core+webgpu': "import '@flint/backend-webgpu';",
};

function entry(backendImports: string): string {
  return `import * as flint from '@flint/core';\n${backendImports}\nglobalThis.flint = flint;\nflint.ready().then(() => console.log(flint.listBackends(), flint.tensor([1, 2]).mul(3).dataSync()));\n`;
}

async function bundle(name: string, format: 'esm' | 'iife', minify = false) {
  return esbuild.build({
    stdin: { contents: entry(ENTRIES[name]!), resolveDir: appDir, sourcefile: `${name}.js`, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format,
    target: format === 'iife' ? 'es2020' : 'es2022',
    minify,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Resolve as a consumer would: not through the monorepo's tsconfig paths (which point at src/).
    tsconfigRaw: '{}',
  });
}

describe('esbuild --bundle --platform=browser, no aliases or shims', () => {
  for (const name of Object.keys(ENTRIES)) {
    for (const format of ['esm', 'iife'] as const) {
      it(`${name} as ${format}: no errors, no warnings, no Node-only module bundled`, async () => {
        const result = await bundle(name, format);
        expect(result.errors).toEqual([]);
        expect(result.warnings.map((w) => w.text)).toEqual([]);
        const inputs = Object.keys(result.metafile.inputs);
        expect(inputs.some((p) => p.includes('packages/core/dist/index.js'))).toBe(true);
        // The tfjs backend's Node half (tfjs-node lookup, wasm folder on disk) stays out.
        expect(inputs.filter((p) => /backend-tfjs\/dist\/(node|wasm)\.js$/.test(p))).toEqual([]);
        const code = result.outputFiles[0]!.text;
        expect(code).not.toMatch(/\bfrom\s*["']node:|require\(["']node:/);
        if (format === 'iife') expect(code.startsWith('(() => {') || code.startsWith('"use strict";')).toBe(true);
      });
    }
  }

  it('sizes (minified + gzip) of each bundle', async () => {
    const rows: { bundle: string; minified: number; gzip: number }[] = [];
    for (const name of Object.keys(ENTRIES)) {
      const code = (await bundle(name, 'esm', true)).outputFiles[0]!.contents;
      rows.push({ bundle: name, minified: code.length, gzip: gzipSync(code, { level: 9 }).length });
    }
    console.log(
      rows
        .map((r) => `${r.bundle}: ${(r.minified / 1024).toFixed(0)} KiB min, ${(r.gzip / 1024).toFixed(0)} KiB gzip`)
        .join('\n'),
    );
    // Budgets (gzip KiB), about 1.3x what was measured (core 101, +cpu 114, +tfjs 269, +tfjs+webgl
    // 343, +gpujs 270, +webgpu 120, after issues 10 and 11 added ~120 ops and ~70 nn modules): a
    // Node module, a second copy of core or an engine pulled into the wrong bundle shows up here.
    const budget: Record<string, number> = {
      core: 132,
      'core+cpu': 148,
      'core+tfjs': 350,
      'core+tfjs+webgl': 446,
      'core+gpujs': 351,
      'core+webgpu': 156,
    };
    for (const r of rows) expect(r.gzip / 1024, r.bundle).toBeLessThan(budget[r.bundle]!);
  });
});

function runNode(script: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [`${here}${script}`], { cwd: appDir, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, unknown>;
}

describe('Node consumers', () => {
  it('CommonJS require() loads core and a backend and computes', () => {
    const out = runNode('require.cjs');
    expect(out.values).toEqual([2, 4, 6]);
    expect(out.device).toBe('cpu');
    expect(out.cpuRegistered).toBe(true);
    expect(out.failed).toEqual([]);
  });

  it('ESM import registers every installed backend at once; ready() inits them; save/load take paths', () => {
    const out = runNode('autoload.mjs');
    const installed = ['cpu', 'gpujs', 'tfjs', 'webgpu'];
    expect(out.afterImport).toEqual(installed);
    expect(out.loaded).toEqual(installed.map((b) => `@flint/backend-${b}`));
    expect(out.failed).toEqual([]);
    expect(out.device).toBe('cpu');
    const engines = out.engines as Record<string, string>;
    expect(engines.cpu).toBe('typed-arrays');
    expect(engines.tfjs).toBe('wasm');
    expect(engines.webgpu).toMatch(/^webgpu \(/);
    expect(out.roundTrip).toEqual([1.5, -2]);
  });
});
