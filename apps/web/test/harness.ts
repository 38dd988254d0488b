/**
 * What the browser tests share: build the page with Vite into a temporary folder and serve it
 * (vite preview), headless Chromium (Debian's /usr/bin/chromium driven by playwright-core: no
 * browser download), and the Node reference run (node-reference.mjs in a child process).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

export const appDir = fileURLToPath(new URL('..', import.meta.url));
/** Screenshots land here (kept after the run; ignored by git). */
export const outputDir = join(appDir, 'test-output');

export const CHROMIUM = process.env.FLINT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  // WebGPU on SwiftShader (no GPU here); WebGL2 runs on SwiftShader without a flag.
  '--enable-unsafe-webgpu',
];

export interface Site {
  url: string;
  close(): Promise<void>;
}

/** `vite build` into a temporary folder, served by `vite preview` on a free port. */
export async function buildAndServe(): Promise<Site> {
  const outDir = mkdtempSync(join(tmpdir(), 'flint-web-dist-'));
  await build({ root: appDir, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    root: appDir,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview did not report a URL');
  return {
    url,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile directory. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium) or set FLINT_CHROMIUM`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'flint-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Page errors and console errors, collected for the assertions. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  return errors;
}

export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  await page.waitForFunction(() => window.flintWeb !== undefined);
  await page.evaluate(() => window.flintWeb.ready);
  return { page, errors };
}

export interface NodeReference {
  losses: number[];
  engine: string;
  probabilities?: number[][];
}

/** The CLI's training loop in Node (a child process, as a user would run it). */
export function nodeReference(args: Record<string, unknown>): NodeReference {
  const r = spawnSync(process.execPath, [join(appDir, 'test', 'node-reference.mjs'), JSON.stringify(args)], {
    cwd: appDir,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`node-reference.mjs failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as NodeReference;
}

export function ensureOutputDir(): string {
  mkdirSync(outputDir, { recursive: true });
  return outputDir;
}

/** Largest |a - b| / |b| over two equally long loss lists. */
export function maxRelativeDeviation(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} losses against ${b.length}`);
  let worst = 0;
  a.forEach((v, i) => {
    const d = Math.abs(v - b[i]!) / Math.abs(b[i]!);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  });
  return worst;
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
