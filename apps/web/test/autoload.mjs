// Node ESM consumers, as before top-level await was removed: importing @flint/core registers every
// installed backend synchronously, the default device works at once, ready() initialises the rest,
// and save/load still take paths. Prints one JSON line for require.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoloadReport, getBackend, listBackends, load, ready, save, tensor } from '@flint/core';

const afterImport = listBackends();
const t = tensor([[1.5, -2]]);
const device = t.device;
const report = await ready();
const dir = mkdtempSync(join(tmpdir(), 'flint-autoload-'));
await save({ t }, join(dir, 'x.safetensors'));
const back = load(join(dir, 'x.safetensors'));
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    afterImport,
    loaded: autoloadReport.loaded,
    failed: report.failed,
    device,
    engines: Object.fromEntries(listBackends().map((n) => [n, getBackend(n).engine()])),
    roundTrip: Array.from(back.t.dataSync()),
  })}\n`,
);
