/**
 * The page: train on the backend the user picks with live progress, draw a digit and see the class
 * probabilities, load a model file, and compare backends on the same seed. `window.flintWeb`
 * exposes the state the browser tests read (the UI itself is what they drive).
 */
import { getBackend, loadAsync, loadMetadata, save, type nn } from '@flint/core';
import { BACKENDS, type BackendName, type BackendStatus, loadBackend } from './backends.js';
import { drawChart, movingAverage } from './chart.js';
import { type DataManifest, type ImageSet, loadManifest, loadSet } from './data.js';
import { centreDigit, inkFromRgba } from './digit.js';
import { MODELS, modelSpec } from './models.js';
import { Trainer, evaluate, predict, yieldToPage } from './train.js';

interface RunResult {
  model: string;
  backend: string;
  engine: string;
  seed: number;
  batchSize: number;
  lr: number;
  losses: number[];
  accuracies: number[];
  samplesPerSecond: number;
  testAccuracy: number | null;
  done: boolean;
  stopped: boolean;
}

interface ParityRow {
  backend: string;
  engine: string;
  losses: number[];
  maxAbsDeviation: number;
  maxRelDeviation: number;
  samplesPerSecond: number;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

const state = {
  manifest: null as DataManifest | null,
  train: null as ImageSet | null,
  test: null as ImageSet | null,
  backends: [] as BackendStatus[],
  model: null as nn.Module | null,
  modelName: '',
  modelDevice: 'cpu',
  lastRun: null as RunResult | null,
  parity: null as ParityRow[] | null,
  lastProbabilities: null as number[] | null,
  errors: [] as string[],
  stopRequested: false,
  busy: false,
};

function message(text: string): void {
  $('message').textContent = text;
  if (text !== '') state.errors.push(text);
}

function fmt(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

// ---------------------------------------------------------------- setup

function fillSelect(select: HTMLSelectElement, options: readonly { value: string; label: string }[]): void {
  select.replaceChildren(
    ...options.map(({ value, label }) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = label;
      return o;
    }),
  );
}

async function setup(): Promise<void> {
  fillSelect(
    $('model'),
    Object.entries(MODELS).map(([value, spec]) => ({ value, label: `${value} (${spec.description})` })),
  );
  $<HTMLSelectElement>('model').addEventListener('change', () => {
    $<HTMLInputElement>('lr').value = String(modelSpec($<HTMLSelectElement>('model').value).defaultLr);
  });
  const tfjsParam = new URLSearchParams(location.search).get('tfjs') ?? 'wasm';
  fillSelect(
    $('tfjs-engine'),
    ['wasm', 'webgl', 'cpu', 'auto'].map((value) => ({ value, label: value })),
  );
  $<HTMLSelectElement>('tfjs-engine').value = tfjsParam;
  $<HTMLSelectElement>('tfjs-engine').addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('tfjs', $<HTMLSelectElement>('tfjs-engine').value);
    location.href = url.href;
  });
  fillSelect(
    $('backend'),
    BACKENDS.map((b) => ({ value: b, label: `${b} (loading…)` })),
  );
  setupPad();
  setupModelLoading();
  $('train').addEventListener('click', () => void runTraining());
  $('stop').addEventListener('click', () => {
    state.stopRequested = true;
  });
  $('parity-run').addEventListener('click', () => void runParity());
  drawChart($('chart'), [], 1);
  renderProbabilities(null);

  state.manifest = await loadManifest();
  const [train, test] = await Promise.all([
    loadSet(state.manifest.train.images, state.manifest.train.labels),
    state.manifest.test === null
      ? Promise.resolve(null)
      : loadSet(state.manifest.test.images, state.manifest.test.labels),
  ]);
  state.train = train;
  state.test = test;
  $('test-source').textContent =
    state.manifest.test === null
      ? '(no MNIST test set on the server: accuracy on the first 1,000 training digits)'
      : `(${state.manifest.test.source})`;
  // Load every backend now: the select then shows which start here and on what engine.
  state.backends = await Promise.all(BACKENDS.map((b) => loadBackend(b)));
  fillSelect(
    $('backend'),
    state.backends.map((s) => ({
      value: s.name,
      label: s.ok ? `${s.name} — ${s.detail}` : `${s.name} — not available: ${s.detail}`,
    })),
  );
  for (const option of $<HTMLSelectElement>('backend').options) {
    option.disabled = !state.backends.find((s) => s.name === option.value)!.ok;
  }
  $<HTMLSelectElement>('backend').value = 'cpu';
}

// ---------------------------------------------------------------- training

function numberInput(id: string): number {
  const v = Number($<HTMLInputElement>(id).value);
  if (!Number.isFinite(v)) throw new Error(`#${id}: '${$<HTMLInputElement>(id).value}' is not a number`);
  return v;
}

async function runTraining(): Promise<void> {
  if (state.busy || state.train === null) return;
  state.busy = true;
  state.stopRequested = false;
  message('');
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  const model = $<HTMLSelectElement>('model').value;
  const device = $<HTMLSelectElement>('backend').value;
  const steps = Math.max(1, Math.floor(numberInput('steps')));
  const run: RunResult = {
    model,
    backend: device,
    engine: '',
    seed: numberInput('seed'),
    batchSize: Math.max(1, Math.floor(numberInput('batch'))),
    lr: numberInput('lr'),
    losses: [],
    accuracies: [],
    samplesPerSecond: 0,
    testAccuracy: null,
    done: false,
    stopped: false,
  };
  state.lastRun = run;
  let trainer: Trainer | null = null;
  try {
    const status = await loadBackend(device as BackendName);
    if (!status.ok) throw new Error(`backend ${device} is not available: ${status.detail}`);
    run.engine = getBackend(device).engine();
    $('engine').textContent = `${device}: ${run.engine}`;
    $('total').textContent = String(steps);
    trainer = new Trainer(
      { model, device, batchSize: run.batchSize, lr: run.lr, momentum: 0.9, seed: run.seed },
      state.train,
    );
    let trainSeconds = 0;
    let samples = 0;
    let lastPaint = 0;
    for (let step = 0; step < steps && !state.stopRequested; step++) {
      const t0 = performance.now();
      const r = await trainer.step();
      trainSeconds += (performance.now() - t0) / 1000;
      samples += r.size;
      run.losses.push(r.loss);
      run.accuracies.push(r.correct / r.size);
      run.samplesPerSecond = samples / trainSeconds;
      const now = performance.now();
      if (now - lastPaint > 100 || step === steps - 1) {
        lastPaint = now;
        paintProgress(run, steps);
        await yieldToPage();
      }
    }
    run.stopped = state.stopRequested;
    paintProgress(run, steps);
    const trained = trainer.model;
    useModel(trained, model, device);
    trainer = null;
    $('model-info').textContent = `Model: ${model} trained ${run.losses.length} steps on ${device} (${run.engine}).`;
    $('message').textContent = 'Evaluating…';
    const testSet = state.test ?? firstTraining(1000);
    run.testAccuracy = await evaluate(trained, testSet, device);
    $('test-acc').textContent = `${(run.testAccuracy * 100).toFixed(2)}%`;
    $('message').textContent = '';
    await updatePrediction();
  } catch (error) {
    message(`Training failed: ${error instanceof Error ? error.message : String(error)}`);
    trainer?.dispose();
  } finally {
    run.done = true;
    state.busy = false;
    $<HTMLButtonElement>('train').disabled = false;
    $<HTMLButtonElement>('stop').disabled = true;
  }
}

function firstTraining(n: number): ImageSet {
  const t = state.train!;
  const size = t.rows * t.cols;
  return { ...t, images: t.images.subarray(0, n * size), labels: t.labels.subarray(0, n), count: n };
}

function disposeModel(): void {
  if (state.model === null) return;
  for (const p of state.model.parameters()) p.dispose();
  // An imported ONNX graph keeps its initializers as buffers.
  for (const b of state.model.buffers()) b.dispose();
  state.model = null;
}

function paintProgress(run: RunResult, steps: number): void {
  const n = run.losses.length;
  $('step').textContent = String(n);
  $('loss').textContent = n > 0 ? fmt(run.losses[n - 1]!) : '—';
  $('batch-acc').textContent = n > 0 ? `${(movingAverage(run.accuracies, 20)[n - 1]! * 100).toFixed(1)}%` : '—';
  $('sps').textContent = run.samplesPerSecond.toFixed(0);
  $<HTMLProgressElement>('progress').value = n / steps;
  drawChart(
    $('chart'),
    [
      { values: run.losses, color: '#9fb3c8', axis: 'left', width: 1 },
      { values: movingAverage(run.losses, 20), color: '#1f4e8c', axis: 'left', width: 2 },
      { values: movingAverage(run.accuracies, 20), color: '#c2410c', axis: 'right', width: 1.5 },
    ],
    steps,
  );
}

// ---------------------------------------------------------------- drawing

function setupPad(): void {
  const pad = $<HTMLCanvasElement>('pad');
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
  let last: { x: number; y: number } | null = null;
  let pending = false;
  const point = (e: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
  };
  const strokeTo = (p: { x: number; y: number }) => {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(last!.x, last!.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  };
  // Pointer events cover mouse, touch and pen; touch-action: none (style.css) stops scrolling.
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    last = point(e);
    strokeTo({ x: last.x + 0.01, y: last.y });
  });
  pad.addEventListener('pointermove', (e) => {
    if (last === null) return;
    strokeTo(point(e));
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        void updatePrediction();
      });
    }
  });
  const end = () => {
    if (last === null) return;
    last = null;
    void updatePrediction();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('clear').addEventListener('click', () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
    void updatePrediction();
  });
}

function padInput(): Float32Array {
  const pad = $<HTMLCanvasElement>('pad');
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
  return centreDigit(inkFromRgba(data, pad.width, pad.height), pad.width, pad.height);
}

function paintPreview(image: Float32Array): void {
  const preview = $<HTMLCanvasElement>('preview');
  const ctx = preview.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(image[i]! * 255);
    img.data.set([v, v, v, 255], 4 * i);
  }
  const small = document.createElement('canvas');
  small.width = 28;
  small.height = 28;
  small.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, preview.width, preview.height);
}

let predicting = false;
async function updatePrediction(): Promise<void> {
  const image = padInput();
  paintPreview(image);
  if (state.model === null || predicting || state.busy) return;
  if (!image.some((v) => v > 0)) {
    renderProbabilities(null);
    return;
  }
  predicting = true;
  try {
    const probs = await predict(state.model, image, state.modelDevice);
    state.lastProbabilities = probs;
    renderProbabilities(probs);
  } finally {
    predicting = false;
  }
}

function renderProbabilities(probs: number[] | null): void {
  const best = probs === null ? -1 : probs.indexOf(Math.max(...probs));
  $('prediction').textContent = best < 0 ? '—' : String(best);
  $('probs').replaceChildren(
    ...Array.from({ length: 10 }, (_, d) => {
      const row = document.createElement('div');
      row.className = d === best ? 'prob top' : 'prob';
      row.dataset.digit = String(d);
      const p = probs?.[d] ?? 0;
      row.innerHTML = `<span>${d}</span><div><div class="bar" style="width:${(p * 100).toFixed(1)}%"></div></div><span>${(p * 100).toFixed(1)}%</span>`;
      return row;
    }),
  );
}

// ---------------------------------------------------------------- loading a model file

function setupModelLoading(): void {
  $<HTMLInputElement>('model-file').addEventListener('change', () => {
    const file = $<HTMLInputElement>('model-file').files?.[0];
    if (file !== undefined) void loadModel(file, file.name);
  });
  $('load-url').addEventListener('click', () => {
    const url = $<HTMLInputElement>('model-url').value.trim();
    if (url !== '') void loadModel(url, url);
  });
  // In a browser, core's save() downloads the file. The metadata names the architecture, which
  // is what `pnpm mnist eval/predict --file` and this page read from a plain state dict.
  $('save-model').addEventListener('click', () => {
    if (state.model === null) return;
    save(state.model.stateDict(), 'model.safetensors', { model: state.modelName }).catch((error: unknown) =>
      message(`Could not save: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
}

/** Make `model` the page's current model (the previous one is freed). */
function useModel(model: nn.Module, name: string, device: string): void {
  if (state.model !== model) disposeModel();
  state.model = model;
  state.modelName = name;
  state.modelDevice = device;
  $<HTMLButtonElement>('save-model').disabled = false;
}

/** safetensors starts with an 8-byte header length and then the JSON header's '{'; ONNX is protobuf. */
function isSafetensors(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[8] === 0x7b;
}

/**
 * A model.safetensors of `pnpm mnist train` (its metadata names the architecture), a plain state
 * dict, or a model.onnx of `pnpm mnist export` (imported as a graph module by @flint/onnx).
 */
async function loadModel(source: Blob | string, name: string): Promise<void> {
  try {
    const bytes = new Uint8Array(
      typeof source === 'string' ? await (await fetchOk(source)).arrayBuffer() : await source.arrayBuffer(),
    );
    const device = $<HTMLSelectElement>('backend').value;
    const status = await loadBackend(device as BackendName);
    if (!status.ok) throw new Error(`backend ${device} is not available: ${status.detail}`);
    if (!isSafetensors(bytes)) {
      const { importModel } = await import('@flint/onnx');
      const model = importModel(bytes, { device });
      useModel(model, 'onnx', device);
      // The page saves safetensors of its own architectures; an ONNX graph is not one of them.
      $<HTMLButtonElement>('save-model').disabled = true;
      $('model-info').textContent = `Model: ONNX graph from ${name} on ${device}.`;
      message('');
      await updatePrediction();
      return;
    }
    const meta = loadMetadata(bytes);
    const architecture = meta.model ?? $<HTMLSelectElement>('model').value;
    const tensors = await loadAsync(bytes, { device });
    const model = modelSpec(architecture).create().to(device);
    model.loadStateDict(tensors);
    for (const t of Object.values(tensors)) t.dispose();
    useModel(model, architecture, device);
    $('model-info').textContent =
      `Model: ${architecture} from ${name} on ${device}${meta.dataset ? ` (trained on ${meta.dataset})` : ''}.`;
    message('');
    await updatePrediction();
  } catch (error) {
    message(`Could not load ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function fetchOk(url: string): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`HTTP ${r.status} ${r.statusText}`);
  return r;
}

// ---------------------------------------------------------------- parity

async function runParity(): Promise<void> {
  if (state.busy || state.train === null) return;
  state.busy = true;
  message('');
  $<HTMLButtonElement>('parity-run').disabled = true;
  const steps = Math.max(1, Math.floor(numberInput('parity-steps')));
  const model = $<HTMLSelectElement>('model').value;
  const seed = numberInput('seed');
  const lr = numberInput('lr');
  const batchSize = Math.max(1, Math.floor(numberInput('batch')));
  const rows: ParityRow[] = [];
  try {
    for (const status of state.backends.filter((s) => s.ok)) {
      const trainer = new Trainer({ model, device: status.name, batchSize, lr, momentum: 0.9, seed }, state.train);
      const losses: number[] = [];
      let seconds = 0;
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        losses.push((await trainer.step()).loss);
        seconds += (performance.now() - t0) / 1000;
        await yieldToPage();
      }
      trainer.dispose();
      rows.push({
        backend: status.name,
        engine: getBackend(status.name).engine(),
        losses,
        maxAbsDeviation: 0,
        maxRelDeviation: 0,
        samplesPerSecond: (steps * batchSize) / seconds,
      });
      renderParity(rows, steps);
    }
    const ref = rows.find((r) => r.backend === 'cpu');
    if (ref !== undefined) {
      for (const r of rows) {
        r.losses.forEach((l, i) => {
          const d = Math.abs(l - ref.losses[i]!);
          r.maxAbsDeviation = Math.max(r.maxAbsDeviation, Number.isNaN(d) ? Infinity : d);
          r.maxRelDeviation = Math.max(r.maxRelDeviation, Number.isNaN(d) ? Infinity : d / Math.abs(ref.losses[i]!));
        });
      }
    }
    state.parity = rows;
    renderParity(rows, steps);
  } catch (error) {
    message(`Parity failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    state.busy = false;
    $<HTMLButtonElement>('parity-run').disabled = false;
  }
}

function renderParity(rows: readonly ParityRow[], steps: number): void {
  const table = $<HTMLTableElement>('parity-table');
  const head = `<tr><th class="name">step</th>${rows.map((r) => `<th title="${r.engine}">${r.backend}</th>`).join('')}</tr>`;
  const engines = `<tr><td class="name">engine</td>${rows.map((r) => `<td>${r.engine.slice(0, 40)}</td>`).join('')}</tr>`;
  const body = Array.from(
    { length: steps },
    (_, i) =>
      `<tr><td class="name">${i + 1}</td>${rows.map((r) => `<td>${r.losses[i] === undefined ? '' : fmt(r.losses[i]!, 6)}</td>`).join('')}</tr>`,
  ).join('');
  const dev = (label: string, f: (r: ParityRow) => number, bad: number) =>
    `<tr><td class="name">${label}</td>${rows.map((r) => `<td class="${f(r) > bad ? 'bad' : ''}">${f(r).toExponential(2)}</td>`).join('')}</tr>`;
  const sps = `<tr><td class="name">samples/s</td>${rows.map((r) => `<td>${r.samplesPerSecond.toFixed(0)}</td>`).join('')}</tr>`;
  table.innerHTML =
    head +
    engines +
    body +
    dev('max |Δ| vs cpu', (r) => r.maxAbsDeviation, Infinity) +
    dev('max rel Δ vs cpu', (r) => r.maxRelDeviation, 1e-4) +
    sps;
}

// ---------------------------------------------------------------- test hooks

declare global {
  interface Window {
    flintWeb: {
      state: typeof state;
      ready: Promise<void>;
      padInput: () => Float32Array;
      /** The current model's class probabilities for training samples 0..n-1. */
      predictTrainingSamples: (n: number) => Promise<number[][]>;
    };
  }
}

window.flintWeb = {
  state,
  ready: setup().catch((error: unknown) => {
    message(`Setup failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }),
  padInput,
  predictTrainingSamples: async (n) => {
    if (state.model === null || state.train === null) throw new Error('no model or no data yet');
    const out: number[][] = [];
    for (let i = 0; i < n; i++) {
      out.push(await predict(state.model, state.train.images.slice(i * 784, (i + 1) * 784), state.modelDevice));
    }
    return out;
  },
};
