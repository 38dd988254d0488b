/**
 * The page in headless Chromium (see harness.ts): each in-page backend trains through the UI and
 * matches the CLI's Node losses for the same seed; a digit drawn with mouse events is classified; a
 * `model.safetensors` written by the CLI loads through the file picker and predicts what Node
 * predicts; the parity panel; and an esbuild IIFE bundle (no Vite) trains in a blank page.
 * Screenshots go to apps/web/test-output/.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  type NodeReference,
  type Site,
  appDir,
  buildAndServe,
  ensureOutputDir,
  launchChromium,
  maxRelativeDeviation,
  mean,
  nodeReference,
  openPage,
} from './harness.js';

const STEPS = 60;
const TOLERANCE = 1e-4;

let site: Site;
let browser: Browser;
let reference: NodeReference;

beforeAll(async () => {
  reference = nodeReference({ model: 'mlp-small', steps: STEPS, seed: 0, lr: 0.5, batchSize: 64 });
  site = await buildAndServe();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/**
 * Wait until #model-info reports a loaded model whose line contains `fragment`, or the page shows an
 * error; an error fails with the page's own message.
 */
async function waitForModelInfo(page: Page, fragment: string): Promise<void> {
  await page.waitForFunction(
    (f) =>
      (document.querySelector('#model-info')?.textContent?.startsWith('Model:') &&
        document.querySelector('#model-info')?.textContent?.includes(f)) ||
      (document.querySelector('#message')?.textContent ?? '') !== '',
    fragment,
    { timeout: 120_000, polling: 100 },
  );
  expect(await page.textContent('#message')).toBe('');
}

/** Train through the UI: pick the backend, set the steps, click Train, wait for the run to end. */
async function trainInPage(page: Page, backend: string, steps: number, model = 'mlp-small') {
  await page.selectOption('#model', model);
  await page.selectOption('#backend', backend);
  await page.fill('#steps', String(steps));
  await page.fill('#seed', '0');
  await page.click('#train');
  await page.waitForFunction(
    (b) =>
      window.flintWeb.state.lastRun?.backend === b && window.flintWeb.state.lastRun.done && !window.flintWeb.state.busy,
    backend,
    { timeout: 600_000, polling: 200 },
  );
  return page.evaluate(() => window.flintWeb.state.lastRun!);
}

describe('training in the page', () => {
  it('the Node reference trains (its loss falls over 60 steps)', () => {
    expect(reference.engine).toBe('typed-arrays');
    expect(reference.losses).toHaveLength(STEPS);
    expect(mean(reference.losses.slice(-10))).toBeLessThan(mean(reference.losses.slice(0, 10)) - 0.3);
  });

  it('every backend starts in Chromium, on the engine expected here', async () => {
    const { page, errors } = await openPage(browser, site.url);
    const statuses = await page.evaluate(() => window.flintWeb.state.backends);
    const byName = Object.fromEntries(statuses.map((s) => [s.name, s]));
    expect(byName.cpu).toEqual({ name: 'cpu', ok: true, detail: 'typed-arrays' });
    expect(byName.tfjs).toEqual({ name: 'tfjs', ok: true, detail: 'wasm' });
    expect(byName.gpujs).toEqual({ name: 'gpujs', ok: true, detail: 'webgl2' });
    expect(byName.webgpu?.ok).toBe(true);
    expect(byName.webgpu?.detail).toMatch(/^webgpu \(navigator\.gpu, .*swiftshader/i);
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const backend of ['cpu', 'tfjs', 'gpujs', 'webgpu']) {
    it(`${backend}: ${STEPS} steps through the UI, loss falls, equal to Node's within ${TOLERANCE}`, async () => {
      const { page, errors } = await openPage(browser, site.url);
      const run = await trainInPage(page, backend, STEPS);
      expect(run.stopped).toBe(false);
      expect(run.losses).toHaveLength(STEPS);
      expect(mean(run.losses.slice(-10))).toBeLessThan(mean(run.losses.slice(0, 10)) - 0.3);
      expect(maxRelativeDeviation(run.losses, reference.losses)).toBeLessThanOrEqual(TOLERANCE);
      expect(await page.textContent('#engine')).toBe(`${backend}: ${run.engine}`);
      expect(Number(await page.textContent('#step'))).toBe(STEPS);
      expect(run.samplesPerSecond).toBeGreaterThan(0);
      console.log(`${backend} (${run.engine}): ${run.samplesPerSecond.toFixed(0)} samples/s in the page`);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it("tfjs's webgl engine (?tfjs=webgl): same losses within the tolerance", async () => {
    const { page, errors } = await openPage(browser, `${site.url}?tfjs=webgl`);
    const run = await trainInPage(page, 'tfjs', STEPS);
    expect(run.engine).toBe('webgl');
    expect(maxRelativeDeviation(run.losses, reference.losses)).toBeLessThanOrEqual(TOLERANCE);
    console.log(`tfjs (webgl): ${run.samplesPerSecond.toFixed(0)} samples/s in the page`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('drawing, model files, parity', () => {
  it('a model trained in the page classifies a "1" drawn with the mouse', async () => {
    const { page, errors } = await openPage(browser, site.url);
    const run = await trainInPage(page, 'cpu', 470);
    expect(run.testAccuracy).toBeGreaterThan(0.85);
    const pad = (await page.locator('#pad').boundingBox())!;
    // A vertical stroke, slightly slanted, as people write a one.
    await page.mouse.move(pad.x + pad.width * 0.52, pad.y + pad.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.48, pad.y + pad.height * 0.85, { steps: 25 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('#prediction')?.textContent !== '—');
    // The input the model saw: ink centred the MNIST way (centre of mass near pixel 14, 14).
    const input = await page.evaluate(() => Array.from(window.flintWeb.padInput()));
    let mass = 0;
    let cx = 0;
    let cy = 0;
    input.forEach((v, i) => {
      mass += v;
      cx += v * (i % 28);
      cy += v * Math.floor(i / 28);
    });
    expect(Math.abs(cx / mass - 14)).toBeLessThan(1);
    expect(Math.abs(cy / mass - 14)).toBeLessThan(1);
    const probs = await page.evaluate(() => window.flintWeb.state.lastProbabilities!);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(probs.indexOf(Math.max(...probs))).toBe(1);
    expect(await page.textContent('#prediction')).toBe('1');
    const shot = join(ensureOutputDir(), 'trained-and-drawn-1.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(
      `screenshot: ${shot}; test accuracy ${(run.testAccuracy! * 100).toFixed(2)}%, P(1) = ${probs[1]!.toFixed(3)}`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a model.safetensors written by the CLI loads through the file picker, predicts as in Node, and downloads again; its model.onnx loads too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flint-web-cli-'));
    try {
      const cli = spawnSync(
        process.execPath,
        [
          join(appDir, '..', 'mnist', 'dist', 'main.js'),
          'train',
          '--model',
          'mlp-small',
          '--epochs',
          '1',
          '--backend',
          'cpu',
          '--out',
          dir,
        ],
        { cwd: dir, encoding: 'utf8', timeout: 300_000 },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const file = join(dir, 'model.safetensors');
      const node = nodeReference({ steps: 0, modelFile: file, samples: 5 });
      const { page, errors } = await openPage(browser, site.url);
      await page.setInputFiles('#model-file', file);
      // The placeholder text names model.safetensors too, so wait for the loaded model's line (or
      // the page's error message) rather than for the file name.
      await waitForModelInfo(page, 'from model.safetensors');
      expect(await page.textContent('#model-info')).toMatch(/^Model: mlp-small from model\.safetensors on cpu/);
      const probs = await page.evaluate(() => window.flintWeb.predictTrainingSamples(5));
      for (let i = 0; i < 5; i++) {
        for (let c = 0; c < 10; c++) expect(Math.abs(probs[i]![c]! - node.probabilities![i]![c]!)).toBeLessThan(1e-6);
      }
      // And back: core's save() in the browser downloads the model; Node loads the download.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
      expect(download.suggestedFilename()).toBe('model.safetensors');
      const saved = join(dir, 'downloaded.safetensors');
      await download.saveAs(saved);
      const again = nodeReference({ steps: 0, modelFile: saved, samples: 5 });
      expect(again.probabilities).toEqual(node.probabilities);
      // The same model exported by `mnist export` loads as an ONNX graph and predicts the same.
      const exported = spawnSync(
        process.execPath,
        [
          join(appDir, '..', 'mnist', 'dist', 'main.js'),
          'export',
          '--model',
          'mlp-small',
          '--backend',
          'cpu',
          '--out',
          dir,
        ],
        { cwd: dir, encoding: 'utf8', timeout: 300_000 },
      );
      expect(exported.status, exported.stderr).toBe(0);
      await page.setInputFiles('#model-file', join(dir, 'model.onnx'));
      await waitForModelInfo(page, 'from model.onnx');
      expect(await page.textContent('#model-info')).toBe('Model: ONNX graph from model.onnx on cpu.');
      const onnxProbs = await page.evaluate(() => window.flintWeb.predictTrainingSamples(5));
      for (let i = 0; i < 5; i++) {
        for (let c = 0; c < 10; c++)
          expect(Math.abs(onnxProbs[i]![c]! - node.probabilities![i]![c]!)).toBeLessThan(1e-5);
      }
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the parity panel trains the same steps on every backend and shows the deviation from cpu', async () => {
    const { page, errors } = await openPage(browser, site.url);
    await page.fill('#parity-steps', '8');
    await page.click('#parity-run');
    await page.waitForFunction(() => window.flintWeb.state.parity !== null && !window.flintWeb.state.busy, null, {
      timeout: 600_000,
    });
    const rows = await page.evaluate(() => window.flintWeb.state.parity!);
    expect(rows.map((r) => r.backend)).toEqual(['cpu', 'tfjs', 'gpujs', 'webgpu']);
    for (const r of rows) {
      expect(r.losses).toHaveLength(8);
      expect(r.maxRelDeviation).toBeLessThanOrEqual(TOLERANCE);
      expect(maxRelativeDeviation(r.losses, reference.losses.slice(0, 8))).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(await page.locator('#parity-table tr').count()).toBe(2 + 8 + 3);
    await page.screenshot({ path: join(ensureOutputDir(), 'parity.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('LeNet-5 in the parity panel: 5 steps on every backend, equal to Node', async () => {
    const lenet = nodeReference({ model: 'lenet', steps: 5, seed: 0, lr: 0.05, batchSize: 64 });
    const { page, errors } = await openPage(browser, site.url);
    await page.selectOption('#model', 'lenet');
    expect(await page.inputValue('#lr')).toBe('0.05');
    await page.fill('#parity-steps', '5');
    await page.click('#parity-run');
    await page.waitForFunction(() => window.flintWeb.state.parity !== null && !window.flintWeb.state.busy, null, {
      timeout: 600_000,
    });
    const rows = await page.evaluate(() => window.flintWeb.state.parity!);
    expect(rows.map((r) => r.backend)).toEqual(['cpu', 'tfjs', 'gpujs', 'webgpu']);
    for (const r of rows) {
      expect(maxRelativeDeviation(r.losses, lenet.losses)).toBeLessThanOrEqual(TOLERANCE);
      console.log(`lenet ${r.backend}: ${r.samplesPerSecond.toFixed(0)} samples/s`);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('an esbuild bundle without Vite', () => {
  it('an IIFE bundle of core + cpu (ES2020) trains in a blank page, equal to Node', async () => {
    const result = await esbuild.build({
      stdin: {
        contents: `
          import { ready } from '@flint/core';
          import '@flint/backend-cpu';
          import { loadManifest, loadSet } from './src/data.ts';
          import { Trainer } from './src/train.ts';
          window.trainSteps = async (steps) => {
            await ready();
            const manifest = await loadManifest();
            const train = await loadSet(manifest.train.images, manifest.train.labels);
            const t = new Trainer({ model: 'mlp-small', device: 'cpu', batchSize: 64, lr: 0.5, momentum: 0.9, seed: 0 }, train);
            const losses = [];
            for (let i = 0; i < steps; i++) losses.push((await t.step()).loss);
            return losses;
          };`,
        resolveDir: appDir,
        sourcefile: 'iife-entry.js',
        loader: 'js',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2020',
      write: false,
      logLevel: 'silent',
      tsconfigRaw: '{}',
    });
    expect(result.errors).toEqual([]);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Same origin as the data files; the page itself is an empty document.
    await page.goto(`${site.url}data/manifest.json`);
    await page.evaluate(() => {
      document.documentElement.innerHTML = '<head><base href="../"></head><body></body>';
    });
    await page.addScriptTag({ content: result.outputFiles[0]!.text });
    const losses = await page.evaluate(
      (n) => (window as unknown as { trainSteps: (n: number) => Promise<number[]> }).trainSteps(n),
      10,
    );
    expect(maxRelativeDeviation(losses, reference.losses.slice(0, 10))).toBeLessThanOrEqual(TOLERANCE);
    expect(errors).toEqual([]);
    await page.close();
  });
});
