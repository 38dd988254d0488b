/** The arithmetic and the tables of `mnist bench` (Flint vs PyTorch); no timing is asserted. */
import { describe, expect, it } from 'vitest';
import { type ModelResult, formatReport, summarizeInference, summarizeTraining } from './bench-pytorch.js';
import {
  formatBytesPerStep,
  formatCount,
  formatRatio,
  formatSpread,
  formatTarget,
  median,
  growingSeries,
  roundRatios,
  slope,
  spread,
  targetMet,
} from './bench-stats.js';

describe('round arithmetic', () => {
  it('median of odd and even counts, without reordering the input', () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 4, 2, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow('median of no values');
  });

  it('spread is the median with the min and max', () => {
    expect(spread([0.3, 0.1, 0.2, 0.5, 0.25])).toEqual({ median: 0.25, min: 0.1, max: 0.5 });
  });

  it('ratios pair round r of Flint with round r of PyTorch', () => {
    expect(roundRatios([10, 30, 20], [100, 100, 40])).toEqual([0.1, 0.3, 0.5]);
    expect(() => roundRatios([1, 2], [1])).toThrow('2 Flint rounds but 1 PyTorch rounds');
  });

  it('the median of the per-round ratios is not the ratio of the medians', () => {
    // Load swings hit both sides of a round alike: per-round ratios cancel them, medians of each side do not.
    const flint = [100, 50, 200];
    const torch = [200, 100, 400];
    expect(spread(roundRatios(flint, torch))).toEqual({ median: 0.5, min: 0.5, max: 0.5 });
  });

  it('slope is the least-squares fit', () => {
    const xs = [100, 200, 300, 400];
    expect(slope(xs, [5, 5, 5, 5])).toBe(0);
    expect(slope(xs, [1000, 2000, 3000, 4000])).toBeCloseTo(10, 12);
    // y = 3x + noise that sums to zero against x - mean(x): the slope stays 3.
    expect(slope([0, 1, 2, 3], [0 + 1, 3 - 1, 6 - 1, 9 + 1])).toBeCloseTo(3, 12);
    expect(slope([1, 2, 3], [2, 1, 0])).toBeCloseTo(-1, 12);
    expect(slope([7], [1])).toBe(0);
    expect(slope([2, 2], [1, 5])).toBe(0);
    expect(() => slope([1, 2], [1])).toThrow('2 x values but 1 y values');
  });

  it('targets: at least for speed, at most for latency', () => {
    expect(targetMet(0.5, { op: '>=', value: 0.5 })).toBe(true);
    expect(targetMet(0.49, { op: '>=', value: 0.5 })).toBe(false);
    expect(targetMet(2, { op: '<=', value: 2 })).toBe(true);
    expect(targetMet(2.1, { op: '<=', value: 2 })).toBe(false);
    expect(formatTarget({ op: '>=', value: 0.33 })).toBe('≥ 0.33×');
    expect(formatTarget({ op: '<=', value: 2 })).toBe('≤ 2×');
    expect(formatTarget(null)).toBe('-');
  });

  it('memory verdicts: live memory may not grow at all, the heap by less than 1 KB a step, RSS by less than 4 KB', () => {
    expect(growingSeries({ live: 0, heap: 1024, rss: 4096 })).toEqual([]);
    expect(growingSeries({ live: 0, heap: -9000, rss: -50_000 })).toEqual([]);
    expect(growingSeries({ live: 256, heap: 0, rss: 0 })).toEqual(['live']);
    expect(growingSeries({ live: 1.5, heap: 1025, rss: 4097 })).toEqual(['live', 'heap', 'rss']);
    // A series that could not be measured (no forced GC) is not judged.
    expect(growingSeries({ live: 0, heap: null, rss: null })).toEqual([]);
  });
});

describe('cells', () => {
  it('ratios with the digits a shared machine supports', () => {
    expect(formatRatio(0.1834)).toBe('0.18×');
    expect(formatRatio(1.94)).toBe('1.9×');
    expect(formatRatio(12.4)).toBe('12×');
    expect(formatRatio(Number.NaN)).toBe('-');
    expect(formatSpread({ median: 0.214, min: 0.19, max: 0.231 })).toBe('0.21× (0.19–0.23×)');
  });

  it('counts and bytes per step', () => {
    expect(formatCount(49222.4)).toBe('49,222');
    expect(formatBytesPerStep(0)).toBe('+0 B');
    expect(formatBytesPerStep(-12.2)).toBe('-12 B');
    expect(formatBytesPerStep(3277)).toBe('+3.2 KB');
    expect(formatBytesPerStep(1.5 * 2 ** 20)).toBe('+1.5 MB');
  });
});

describe('summaries and the report', () => {
  const training = summarizeTraining(
    [
      { flint: 50_000, pytorch: 100_000, ratio: 0.5 },
      { flint: 40_000, pytorch: 100_000, ratio: 0.4 },
      { flint: 60_000, pytorch: 100_000, ratio: 0.6 },
    ],
    { op: '>=', value: 0.5 },
  );
  const inference = summarizeInference(
    [
      { flint: 0.3, pytorch: 0.1, ratio: 3 },
      { flint: 0.25, pytorch: 0.1, ratio: 2.5 },
      { flint: 0.35, pytorch: 0.1, ratio: 3.5 },
    ],
    { op: '<=', value: 2 },
    200,
  );

  it('training and inference summaries: medians, the ratio spread and the verdict', () => {
    expect(training.flintSamplesPerSecond).toBe(50_000);
    expect(training.pytorchSamplesPerSecond).toBe(100_000);
    expect(training.ratio).toEqual({ median: 0.5, min: 0.4, max: 0.6 });
    expect(training.met).toBe(true);
    expect(inference.flintMs).toBe(0.3);
    expect(inference.ratio!.median).toBeCloseTo(3, 12);
    expect(inference.met).toBe(false);
  });

  it('without PyTorch there are no ratios and no verdicts', () => {
    const alone = summarizeTraining([{ flint: 10, pytorch: null, ratio: null }], { op: '>=', value: 0.5 });
    expect(alone).toMatchObject({ flintSamplesPerSecond: 10, pytorchSamplesPerSecond: null, ratio: null, met: null });
  });

  it('formats the three tables', () => {
    const sample = (step: number, rss: number) => ({
      step,
      coreBytes: 156_024,
      backendBytes: 156_024,
      handles: 18,
      heapBytes: 10 * 2 ** 20,
      rssBytes: rss,
    });
    const memory = {
      steps: 1000,
      from: sample(100, 200 * 2 ** 20),
      to: sample(1000, 201 * 2 ** 20),
      coreBytesPerStep: 0,
      backendBytesPerStep: 0,
      heapBytesPerStep: 30,
      rssBytesPerStep: 1165,
      forcedGc: true,
      growing: [],
      verdict: 'flat' as const,
      samples: [],
    };
    const result: ModelResult = {
      model: 'mlp-small',
      training: { ...training, stepsPerRound: 300, warmupSteps: 300, flintLoss: 0.51234, pytorchLoss: 0.51236 },
      inference: { ...inference, target: null, met: null },
      memory,
    };
    const text = formatReport([result], { rounds: 3, withPytorch: true });
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'training samples/s (medians over 3 rounds; ratio = Flint / PyTorch per round: median (min–max))',
    );
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      'model',
      'steps/round',
      'Flint cpu',
      'PyTorch',
      'ratio',
      'target',
      'met',
      'last loss Flint / PyTorch',
    ]);
    const trainRow = lines[3]!.trim().split(/\s{2,}/);
    expect(trainRow).toEqual([
      'mlp-small',
      '300',
      '50,000',
      '100,000',
      '0.50× (0.40–0.60×)',
      '≥ 0.5×',
      'yes',
      '0.5123 / 0.5124',
    ]);
    const inferRow = text.split('\n').find((l) => l.startsWith('mlp-small') && l.includes('3.0×'))!;
    expect(inferRow.trim().split(/\s{2,}/)).toEqual([
      'mlp-small',
      '200',
      '0.300',
      '0.100',
      '3.0× (2.5–3.5×)',
      '-',
      '-',
    ]);
    const memHeader = lines.find((l) => l.startsWith('memory over'))!;
    expect(memHeader).toContain('memory over 1,000 training steps on Flint cpu');
    const memRow = lines.filter((l) => l.startsWith('mlp-small')).at(-1)!;
    expect(memRow.trim().split(/\s{2,}/)).toEqual([
      'mlp-small',
      '0.1 (0.1)',
      '0.1 (0.1)',
      '+0 B',
      '10.0',
      '10.0',
      '+30 B',
      '200.0',
      '201.0',
      '+1.1 KB',
      'flat',
    ]);
    expect(text).toContain(
      'Each sample follows a full GC. flat = live memory does not grow, the JS heap grows less than 1,024 B and RSS less than 4,096 B per step.',
    );
    const leaking = formatReport(
      [{ ...result, memory: { ...memory, growing: ['live', 'rss'], verdict: 'growing', forcedGc: false } }],
      { rounds: 3, withPytorch: true },
    );
    expect(leaking).toMatch(/GROWING \(live, rss\)$/m);
    expect(leaking).toContain('No GC could be forced');
    expect(text).not.toContain('no PyTorch figures');
    expect(formatReport([{ ...result, memory: null }], { rounds: 3, withPytorch: false })).toContain(
      '(no PyTorch figures: ratios and targets need PyTorch)',
    );
    // the 1- and 2-thread GEMM rows follow their model's row
    const two = summarizeTraining(
      [
        { flint: 60_000, pytorch: 100_000, ratio: 0.6 },
        { flint: 50_000, pytorch: 100_000, ratio: 0.5 },
        { flint: 70_000, pytorch: 100_000, ratio: 0.7 },
      ],
      { op: '>=', value: 0.5 },
    );
    const threaded = formatReport([{ ...result, threadVariants: [{ threads: 2, training: two }] }], {
      rounds: 3,
      withPytorch: true,
    }).split('\n');
    expect(threaded[4]!.trim().split(/\s{2,}/)).toEqual([
      'mlp-small, 2 threads',
      '300',
      '60,000',
      '100,000',
      '0.60× (0.50–0.70×)',
      '≥ 0.5×',
      'yes',
    ]);
  });
});
