import '@flint/backend-cpu';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cat,
  defaultGenerator,
  load,
  loadMetadata,
  manualSeed,
  memory,
  nn,
  optim,
  randn,
  save,
  tensor,
  tidy,
  type Tensor,
} from '../index.js';
import {
  CHECKPOINT_METADATA_KEY,
  disposeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  saveCheckpointSync,
} from './checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'flint-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A model with dropout (so the generator state matters), Adam with amsgrad, OneCycleLR chained after warm-up. */
function makeRun(seed: number) {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(16, 2));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true, weightDecay: 1e-3 });
  const sched = new optim.OneCycleLR(opt, { maxLr: 0.05, totalSteps: 40 });
  return { model, opt, sched };
}

manualSeed(99);
const xs = Array.from({ length: 5 }, () => randn(8, 4));
const ys = xs.map((x) => tidy(() => cat([x.sum(1, true).sin(), x.narrow(1, 0, 1).cos()], 1)));

function train(run: ReturnType<typeof makeRun>, from: number, to: number): void {
  for (let s = from; s < to; s++) {
    tidy(() => {
      const x = xs[s % xs.length]!;
      const loss = run.model
        .forward(x)
        .sub(ys[s % ys.length]!)
        .square()
        .mean();
      loss.backward();
      run.opt.step();
      run.opt.zeroGrad();
    });
    run.sched.step();
  }
}

const values = (model: nn.Module): number[][] => model.parameters().map((p) => Array.from(p.dataSync()));

describe('saveCheckpoint / loadCheckpoint', () => {
  it('resuming model + optimizer + scheduler + generator gives exactly the uninterrupted run', async () => {
    const reference = makeRun(1);
    train(reference, 0, 30);
    const expected = values(reference.model);

    const first = makeRun(1);
    train(first, 0, 12);
    const path = join(dir, 'ckpt.safetensors');
    await saveCheckpoint(
      {
        model: first.model.stateDict(),
        optimizer: first.opt.stateDict(),
        scheduler: first.sched.stateDict(),
        epoch: 12,
        rng: defaultGenerator.getState(),
        note: 'after 12 steps',
      },
      path,
    );
    const rngAtSave = defaultGenerator.getState();
    first.opt.disposeState();

    // A fresh process would build everything anew (other weights, other seed), then load.
    const resumed = makeRun(7);
    manualSeed(12345);
    const ckpt = loadCheckpoint(path);
    expect(ckpt.epoch).toBe(12);
    expect(ckpt.note).toBe('after 12 steps');
    resumed.model.loadStateDict(ckpt.model as Record<string, Tensor>);
    resumed.opt.loadStateDict(ckpt.optimizer as optim.OptimizerStateDict);
    resumed.sched.loadStateDict(ckpt.scheduler as Record<string, unknown>);
    defaultGenerator.setState(ckpt.rng as number[]);
    expect(defaultGenerator.getState()).toEqual(rngAtSave);
    disposeCheckpoint(ckpt);
    train(resumed, ckpt.epoch as number, 30);
    expect(values(resumed.model)).toEqual(expected);
    expect(resumed.sched.getLastLr()).toEqual(reference.sched.getLastLr());
  });

  it('the model part is a plain safetensors state dict (PyTorch: load_file, strip "model.")', async () => {
    const run = makeRun(2);
    train(run, 0, 2);
    const path = join(dir, 'plain.safetensors');
    saveCheckpointSync({ model: run.model.stateDict(), optimizer: run.opt.stateDict(), epoch: 2 }, path);
    const raw = load(path);
    const own = run.model.stateDict();
    for (const [k, t] of Object.entries(own)) {
      expect(raw[`model.${k}`]!.shape).toEqual(t.shape);
      expect(Array.from(raw[`model.${k}`]!.dataSync())).toEqual(Array.from(t.dataSync()));
    }
    expect(
      Object.keys(raw)
        .filter((k) => k.startsWith('optimizer.state.0.'))
        .sort(),
    ).toEqual(['optimizer.state.0.exp_avg', 'optimizer.state.0.exp_avg_sq', 'optimizer.state.0.max_exp_avg_sq']);
    const meta = loadMetadata(path);
    expect(meta.format).toBe('flint.checkpoint');
    expect(JSON.parse(meta[CHECKPOINT_METADATA_KEY]!).value.epoch).toBe(2);
    for (const t of Object.values(raw)) t.dispose();
  });

  it('plain values round trip: nested arrays, null, booleans, NaN and ±Infinity, LBFGS list state', async () => {
    const p = randn(3).requiresGrad_();
    const lbfgs = new optim.LBFGS([p], { maxIter: 3, historySize: 2 });
    lbfgs.step(() => {
      lbfgs.zeroGrad();
      const loss = p.sub(1).square().sum();
      loss.backward();
      return loss;
    });
    const plateau = new optim.ReduceLROnPlateau(lbfgs);
    const path = join(dir, 'values.safetensors');
    await saveCheckpoint(
      {
        optimizer: lbfgs.stateDict(),
        plateau: plateau.stateDict(),
        misc: { a: [1, [2, null, true]], nan: Number.NaN, inf: -Infinity, s: 'x', absent: undefined },
      },
      path,
    );
    const ckpt = loadCheckpoint(readFileSync(path));
    expect(ckpt.misc).toEqual({ a: [1, [2, null, true]], nan: Number.NaN, inf: -Infinity, s: 'x' });
    expect((ckpt.plateau as { best: number }).best).toBe(Infinity);
    const state = (ckpt.optimizer as optim.OptimizerStateDict).state[0]!;
    expect((state.old_dirs as Tensor[]).length).toBe((lbfgs.state.get(p)!.old_dirs as Tensor[]).length);
    const again = new optim.LBFGS([p], { maxIter: 3, historySize: 2 });
    again.loadStateDict(ckpt.optimizer as optim.OptimizerStateDict);
    expect(again.state.get(p)!.n_iter).toBe(lbfgs.state.get(p)!.n_iter);
    disposeCheckpoint(ckpt);
    again.disposeState();
    lbfgs.disposeState();
  });

  it('bad input is a clear error naming the key or the file, and a failed save leaves the old file', async () => {
    const path = join(dir, 'bad.safetensors');
    await saveCheckpoint({ epoch: 1 }, path);
    const before = readFileSync(path);
    const gone = tensor([1, 2]);
    gone.dispose();
    await expect(saveCheckpoint({ model: { 'fc.weight': gone } }, path)).rejects.toThrow(
      "saveCheckpoint: the tensor at 'model.fc.weight' was disposed",
    );
    await expect(saveCheckpoint({ sched: { fn: () => 1 } }, path)).rejects.toThrow(
      "saveCheckpoint: 'sched.fn' is a function",
    );
    await expect(saveCheckpoint({ m: new Map() }, path)).rejects.toThrow("saveCheckpoint: 'm' is a Map");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(saveCheckpoint({ c: cyclic }, path)).rejects.toThrow("'c.self' refers back to itself");
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // save() of an optimizer state dict (torch.save's habit) points here.
    const sgdForSave = new optim.SGD([tensor([1], { requiresGrad: true })]);
    await expect(save(sgdForSave.stateDict() as never, path)).rejects.toThrow(
      "safetensors: 'state' is not a Tensor (a safetensors file holds tensors only; for optimizer or scheduler state and plain values use saveCheckpoint)",
    );
    const plain = join(dir, 'plain-state.safetensors');
    await save({ w: tensor([1]) }, plain);
    expect(() => loadCheckpoint(plain)).toThrow(
      `loadCheckpoint: ${plain} is a safetensors file without 'flint.checkpoint' metadata`,
    );
    // A checkpoint whose metadata names a tensor the file lacks (hand-edited, or mixed-up files).
    const handles = memory().handles;
    const forged = join(dir, 'forged.safetensors');
    const w = tensor([1, 2]);
    await save({ 'model.w': w }, forged, {
      [CHECKPOINT_METADATA_KEY]: JSON.stringify({ version: 1, value: { model: { w: { __tensor__: 'model.v' } } } }),
    });
    w.dispose();
    expect(() => loadCheckpoint(forged)).toThrow(
      `loadCheckpoint: ${forged}: 'model.w' refers to tensor "model.v", which the file does not contain`,
    );
    expect(memory().handles).toBe(handles);
    writeFileSync(join(dir, 'trunc.safetensors'), readFileSync(path).subarray(0, 20));
    expect(() => loadCheckpoint(join(dir, 'trunc.safetensors'))).toThrow('trunc.safetensors');

    // Loading a checkpoint into the wrong optimizer or scheduler names the key.
    const run = makeRun(3);
    train(run, 0, 1);
    const ckptPath = join(dir, 'mismatch.safetensors');
    await saveCheckpoint({ optimizer: run.opt.stateDict(), scheduler: run.sched.stateDict() }, ckptPath);
    const ckpt = loadCheckpoint(ckptPath);
    const sgd = new optim.SGD(run.model.parameters(), { momentum: 0.9 });
    expect(() => sgd.loadStateDict(ckpt.optimizer as optim.OptimizerStateDict)).toThrow(
      "SGD.loadStateDict: param_groups[0] has no option 'momentum'",
    );
    const step = new optim.StepLR(sgd, { stepSize: 2 });
    expect(() => step.loadStateDict(ckpt.scheduler as Record<string, unknown>)).toThrow(
      "StepLR.loadStateDict: unexpected key 'totalSteps'",
    );
    disposeCheckpoint(ckpt);
    run.opt.disposeState();
  });
});
