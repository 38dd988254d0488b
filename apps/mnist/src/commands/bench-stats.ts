/**
 * The arithmetic of `mnist bench` (Flint vs PyTorch): per-round ratios, their median and spread,
 * the memory slope, the verdicts and the cells they print as. Pure functions, unit-tested.
 */

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Flint / PyTorch of each round (the rounds are paired: round r of one side with round r of the other). */
export function roundRatios(flint: readonly number[], pytorch: readonly number[]): number[] {
  if (flint.length !== pytorch.length)
    throw new Error(`${flint.length} Flint rounds but ${pytorch.length} PyTorch rounds: the rounds are paired`);
  return flint.map((f, r) => f / pytorch[r]!);
}

/** Least-squares slope of y over x (units of y per unit of x); 0 for fewer than two distinct x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`${xs.length} x values but ${ys.length} y values`);
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, v) => a + v, 0) / n;
  const my = ys.reduce((a, v) => a + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** A target on a ratio: at least (training speed) or at most (latency) the given value. */
export interface Target {
  op: '>=' | '<=';
  value: number;
}

export function targetMet(ratio: number, target: Target): boolean {
  return target.op === '>=' ? ratio >= target.value : ratio <= target.value;
}

export function formatTarget(target: Target | null): string {
  return target === null ? '-' : `${target.op === '>=' ? '≥' : '≤'} ${target.value}×`;
}

/** Two significant-ish digits: 0.18×, 1.9×, 12× — a ratio measured on a shared machine has no more. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  const digits = ratio >= 10 ? 0 : ratio >= 1 ? 1 : 2;
  return `${ratio.toFixed(digits)}×`;
}

/** "0.21× (0.19–0.23)": the median over the rounds and its min–max spread. */
export function formatSpread(s: Spread): string {
  return `${formatRatio(s.median)} (${formatRatio(s.min).slice(0, -1)}–${formatRatio(s.max)})`;
}

/** Thousands separated: 49,222. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatMB(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** Bytes per step with a sign and a unit that keeps it readable: +0 B, -12 B, +3.2 KB, +1.5 MB. */
export function formatBytesPerStep(bytes: number): string {
  const sign = bytes < 0 ? '-' : '+';
  const b = Math.abs(bytes);
  if (b < 1024) return `${sign}${b.toFixed(0)} B`;
  if (b < 2 ** 20) return `${sign}${(b / 1024).toFixed(1)} KB`;
  return `${sign}${(b / 2 ** 20).toFixed(1)} MB`;
}

/** Growth per step above which a memory series counts as growing. */
export const GROWTH_LIMITS = {
  /** Live tensor bytes are deterministic under tidy: any growth is a leak. */
  live: 1,
  /** The JS heap after a full GC: a leaked autograd graph of one step is several KB. */
  heap: 1024,
  /** RSS moves with the heap's sizing and the allocator; a leaked 64x16 activation is 4 KB. */
  rss: 4096,
} as const;

export type MemorySeries = keyof typeof GROWTH_LIMITS;

/** The series (live, heap, rss) whose fitted slope, in bytes per step, is above its limit. */
export function growingSeries(slopes: Readonly<Record<MemorySeries, number | null>>): MemorySeries[] {
  return (Object.keys(GROWTH_LIMITS) as MemorySeries[]).filter((k) => {
    const v = slopes[k];
    return v !== null && v > GROWTH_LIMITS[k];
  });
}
