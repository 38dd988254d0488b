/**
 * Learning-rate schedulers with PyTorch's semantics (torch.optim.lr_scheduler): construction
 * performs the initial step (lastEpoch -1 -> 0), step() advances one epoch and writes each group's
 * `lr`, getLastLr() returns what the last step set. The schedules are PyTorch's recursive
 * ("chainable") forms, so schedulers can be stacked on one optimizer as in PyTorch; step(epoch)
 * jumps to an epoch with the closed form where PyTorch has one (SequentialLR relies on it).
 *
 * Every constructor takes PyTorch's keyword arguments as one object in camelCase
 * (`new StepLR(opt, { stepSize: 7, gamma: 0.5 })`) as well as positionally
 * (`new StepLR(opt, 7, 0.5)`); an unknown option is an error naming it.
 * Learning rates are host numbers: nothing here touches tensor data.
 */
import { Tensor } from '../tensor/tensor.js';
import type { BaseOptions, Optimizer, ParamGroup } from './optimizer.js';

type AnyOptimizer = Optimizer<BaseOptions>;
type Group = ParamGroup<BaseOptions> & { initialLr?: number };
type LrLambda = (epoch: number) => number;

/** Python's modulo (the result has the divisor's sign). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Number of elements of the sorted `list` that are <= x (Python's bisect_right). */
function bisectRight(list: readonly number[], x: number): number {
  let n = 0;
  while (n < list.length && list[n]! <= x) n++;
  return n;
}

const isOptionsObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor);

/**
 * The keyword form of a constructor: `first` is the options object; every key must be one of
 * `allowed` (camelCase), and the required ones must be present.
 */
function keywordOptions<T extends object>(
  scheduler: string,
  first: unknown,
  allowed: readonly (keyof T & string)[],
  required: readonly (keyof T & string)[] = [],
): Partial<T> | null {
  if (!isOptionsObject(first)) return null;
  for (const key of Object.keys(first)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new Error(
        `${scheduler}: unknown option '${key}' (options: ${allowed.join(', ')}; PyTorch's names in camelCase)`,
      );
    }
  }
  for (const key of required) {
    if (first[key] === undefined) throw new Error(`${scheduler}: missing required option '${key}'`);
  }
  return first as Partial<T>;
}

/** The positional form of a constructor: arguments in PyTorch's order, undefined ones left out. */
function positionalOptions<T extends object>(
  names: readonly (keyof T & string)[],
  args: readonly unknown[],
): Partial<T> {
  const out: Record<string, unknown> = {};
  args.forEach((v, i) => {
    if (v !== undefined && i < names.length) out[names[i]!] = v;
  });
  return out as Partial<T>;
}

/** One value per parameter group (a list of that length, or one value for all). */
function perGroup(
  scheduler: string,
  name: string,
  optimizer: AnyOptimizer,
  value: number | readonly number[],
): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new Error(`${scheduler}: expected ${n} values for ${name}, got ${value.length}`);
    return [...value];
  }
  return Array.from({ length: n }, () => value as number);
}

/** What every scheduler offers (LRScheduler, SequentialLR, ChainedScheduler, ReduceLROnPlateau). */
export interface SchedulerLike {
  readonly optimizer: AnyOptimizer;
  getLastLr(): number[];
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

/** Check a loaded scheduler state against the scheduler's own: same keys, same kinds of values. */
function checkSchedulerState(name: string, own: Record<string, unknown>, state: unknown): Record<string, unknown> {
  if (!isOptionsObject(state)) throw new Error(`${name}.loadStateDict: expected a scheduler state dict (an object)`);
  const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  for (const [k, v] of Object.entries(state)) {
    if (!(k in own))
      throw new Error(`${name}.loadStateDict: unexpected key '${k}' (a state dict of another scheduler?)`);
    const expected = own[k];
    // null is what JSON makes of NaN/Infinity-free "unset" values; numbers may also be Infinity.
    if (expected !== null && expected !== undefined && v !== null && kind(v) !== kind(expected)) {
      throw new Error(`${name}.loadStateDict: key '${k}' is ${kind(v)}, expected ${kind(expected)}`);
    }
  }
  for (const k of Object.keys(own)) {
    if (!(k in state)) throw new Error(`${name}.loadStateDict: missing key '${k}'`);
  }
  return state;
}

export abstract class LRScheduler implements SchedulerLike {
  readonly optimizer: AnyOptimizer;
  /** The lr of each group when the schedule started (PyTorch's base_lrs / group['initial_lr']). */
  baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups as Group[];
    if (lastEpoch === -1) {
      // setdefault, as PyTorch: a second scheduler on the same optimizer keeps the first's initialLr.
      for (const g of groups) g.initialLr ??= g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined)
          throw new Error(`param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (PyTorch's _initial_step). */
  protected initialStep(): void {
    // An options object after positional arguments (PyTorch's `StepLR(opt, 1, gamma=0.95)` written
    // `new StepLR(opt, 1, { gamma: 0.95 })`) lands in one option; its learning rates would be NaN.
    for (const [key, value] of Object.entries(this)) {
      if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        const name = this.constructor.name;
        throw new TypeError(
          `${name}: option '${key}' got an object (${JSON.stringify(value)}): PyTorch's keyword arguments go in ` +
            `one options object right after the optimizer (new ${name}(optimizer, { ... })), or give every ` +
            'option positionally',
        );
      }
    }
    this.stepCount = 0;
    this.step();
  }

  protected get groups(): Group[] {
    return this.optimizer.paramGroups as Group[];
  }

  /** The learning rates for the current lastEpoch (PyTorch's get_lr, chainable form). */
  protected abstract getLr(): number[];

  /** The learning rates at lastEpoch computed from baseLrs (PyTorch's _get_closed_form_lr), where one exists. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /**
   * Advance one epoch and set each group's lr. step(epoch) sets lastEpoch = epoch and uses the
   * closed form where the schedule has one (PyTorch's deprecated but still used epoch argument).
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.groups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The learning rates set by the last step() (get_last_lr). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Everything but the optimizer, functions (which cannot be serialised) and nested schedulers. */
  protected plainState(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function') continue;
      if (Array.isArray(v) && v.some((x) => typeof x === 'function' || x instanceof LRScheduler)) continue;
      out[k] = Array.isArray(v) ? v.map((x) => (isOptionsObject(x) ? { ...x } : x)) : v;
    }
    return out;
  }

  /** The schedule's position and settings (plain values: JSON- and checkpoint-safe). */
  stateDict(): Record<string, unknown> {
    return this.plainState();
  }

  /** Load what stateDict() returned; keys and value kinds must match this scheduler's. */
  loadStateDict(state: Record<string, unknown>): void {
    checkSchedulerState(this.constructor.name, this.plainState(), state);
    for (const [k, v] of Object.entries(state)) {
      (this as Record<string, unknown>)[k] = Array.isArray(v) ? v.map((x) => (isOptionsObject(x) ? { ...x } : x)) : v;
    }
  }
}

export interface StepLROptions {
  stepSize: number;
  gamma: number;
  lastEpoch: number;
}

/** lr = baseLr * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: Partial<StepLROptions> & { stepSize: number });
  constructor(optimizer: AnyOptimizer, stepSize: number, gamma?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, first: number | Partial<StepLROptions>, gamma = 0.1, lastEpoch = -1) {
    const o = keywordOptions<StepLROptions>('StepLR', first, ['stepSize', 'gamma', 'lastEpoch'], ['stepSize']);
    const stepSize = o ? o.stepSize! : (first as number);
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    if (!Number.isInteger(stepSize) || stepSize <= 0)
      throw new Error(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
    this.stepSize = stepSize;
    this.gamma = o?.gamma ?? gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions {
  milestones: readonly number[];
  gamma: number;
  lastEpoch: number;
}

/** lr *= gamma at each milestone (a milestone listed twice applies gamma twice, as PyTorch's Counter). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: Partial<MultiStepLROptions> & { milestones: readonly number[] });
  constructor(optimizer: AnyOptimizer, milestones: readonly number[], gamma?: number, lastEpoch?: number);
  constructor(
    optimizer: AnyOptimizer,
    first: readonly number[] | Partial<MultiStepLROptions>,
    gamma = 0.1,
    lastEpoch = -1,
  ) {
    const o = keywordOptions<MultiStepLROptions>(
      'MultiStepLR',
      first,
      ['milestones', 'gamma', 'lastEpoch'],
      ['milestones'],
    );
    const milestones = o ? o.milestones! : (first as readonly number[]);
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = o?.gamma ?? gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

export interface ExponentialLROptions {
  gamma: number;
  lastEpoch: number;
}

/** lr = baseLr * gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: Partial<ExponentialLROptions> & { gamma: number });
  constructor(optimizer: AnyOptimizer, gamma: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, first: number | Partial<ExponentialLROptions>, lastEpoch = -1) {
    const o = keywordOptions<ExponentialLROptions>('ExponentialLR', first, ['gamma', 'lastEpoch'], ['gamma']);
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    this.gamma = o ? o.gamma! : (first as number);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}

export interface CosineAnnealingLROptions {
  tMax: number;
  etaMin: number;
  lastEpoch: number;
}

/**
 * Cosine annealing (SGDR without restarts), PyTorch's recursive form:
 * lr_t = etaMin + (lr_{t-1} - etaMin) * (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T)).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, options: Partial<CosineAnnealingLROptions> & { tMax: number });
  constructor(optimizer: AnyOptimizer, tMax: number, etaMin?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, first: number | Partial<CosineAnnealingLROptions>, etaMin = 0, lastEpoch = -1) {
    const o = keywordOptions<CosineAnnealingLROptions>(
      'CosineAnnealingLR',
      first,
      ['tMax', 'etaMin', 'lastEpoch'],
      ['tMax'],
    );
    const tMax = o ? o.tMax! : (first as number);
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    if (!(tMax > 0)) throw new Error(`CosineAnnealingLR: tMax must be positive, got ${tMax}`);
    this.tMax = tMax;
    this.etaMin = o?.etaMin ?? etaMin;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin } = this;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    }
    if (pyMod(t - 1 - T, 2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map(
      (g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - etaMin) + etaMin,
    );
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2);
  }
}

export interface LambdaLROptions {
  lrLambda: LrLambda | readonly LrLambda[];
  lastEpoch: number;
}

function lambdasFor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[]): LrLambda[] {
  const n = optimizer.paramGroups.length;
  const lambdas = typeof lrLambda === 'function' ? Array.from({ length: n }, () => lrLambda) : [...lrLambda];
  if (lambdas.length !== n) throw new Error(`Expected ${n} lr_lambdas, but got ${lambdas.length}`);
  return lambdas;
}

/** lr = baseLr * lambda(epoch); one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, options: Partial<LambdaLROptions> & { lrLambda: LambdaLROptions['lrLambda'] });
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], lastEpoch?: number);
  constructor(
    optimizer: AnyOptimizer,
    first: LrLambda | readonly LrLambda[] | Partial<LambdaLROptions>,
    lastEpoch = -1,
  ) {
    const o = keywordOptions<LambdaLROptions>('LambdaLR', first, ['lrLambda', 'lastEpoch'], ['lrLambda']);
    const lambdas = lambdasFor(optimizer, o ? o.lrLambda! : (first as LrLambda | readonly LrLambda[]));
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    this.lambdas = lambdas;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lambdas[i]!(this.lastEpoch));
  }
}

/** lr *= lambda(epoch) at every step after the first; one function for all groups or one per group. */
export class MultiplicativeLR extends LRScheduler {
  private readonly lambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, options: Partial<LambdaLROptions> & { lrLambda: LambdaLROptions['lrLambda'] });
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], lastEpoch?: number);
  constructor(
    optimizer: AnyOptimizer,
    first: LrLambda | readonly LrLambda[] | Partial<LambdaLROptions>,
    lastEpoch = -1,
  ) {
    const o = keywordOptions<LambdaLROptions>('MultiplicativeLR', first, ['lrLambda', 'lastEpoch'], ['lrLambda']);
    const lambdas = lambdasFor(optimizer, o ? o.lrLambda! : (first as LrLambda | readonly LrLambda[]));
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    this.lambdas = lambdas;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g, i) => g.lr * this.lambdas[i]!(this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
}

export interface LinearLROptions {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  lastEpoch: number;
}

/** Linear warm-up (or decay) of a multiplicative factor from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, options?: Partial<LinearLROptions>);
  constructor(
    optimizer: AnyOptimizer,
    startFactor?: number,
    endFactor?: number,
    totalIters?: number,
    lastEpoch?: number,
  );
  constructor(
    optimizer: AnyOptimizer,
    first: number | Partial<LinearLROptions> = 1 / 3,
    endFactor = 1.0,
    totalIters = 5,
    lastEpoch = -1,
  ) {
    const o = keywordOptions<LinearLROptions>('LinearLR', first, [
      'startFactor',
      'endFactor',
      'totalIters',
      'lastEpoch',
    ]);
    const s = o ? (o.startFactor ?? 1 / 3) : (first as number);
    const e = o?.endFactor ?? endFactor;
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    if (!(s > 0 && s <= 1))
      throw new Error('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (!(e >= 0 && e <= 1)) throw new Error('Ending multiplicative factor expected to be between 0 and 1.');
    this.startFactor = s;
    this.endFactor = e;
    this.totalIters = o?.totalIters ?? totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    if (t === 0) return this.groups.map((g) => g.lr * s);
    if (t > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }
  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(n, t)) / n));
  }
}

export interface ConstantLROptions {
  factor: number;
  totalIters: number;
  lastEpoch: number;
}

/** lr = baseLr * factor for the first totalIters epochs, then baseLr. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, options?: Partial<ConstantLROptions>);
  constructor(optimizer: AnyOptimizer, factor?: number, totalIters?: number, lastEpoch?: number);
  constructor(
    optimizer: AnyOptimizer,
    first: number | Partial<ConstantLROptions> = 1 / 3,
    totalIters = 5,
    lastEpoch = -1,
  ) {
    const o = keywordOptions<ConstantLROptions>('ConstantLR', first, ['factor', 'totalIters', 'lastEpoch']);
    const factor = o ? (o.factor ?? 1 / 3) : (first as number);
    if (!(factor >= 0 && factor <= 1))
      throw new Error('Constant multiplicative factor expected to be between 0 and 1.');
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    this.factor = factor;
    this.totalIters = o?.totalIters ?? totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, totalIters: n, factor } = this;
    if (t === 0) return this.groups.map((g) => g.lr * factor);
    if (t !== n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1.0 / factor));
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: t, totalIters: n, factor } = this;
    return this.baseLrs.map((base) => base * (factor + (t >= n ? 1 - factor : 0)));
  }
}

export interface PolynomialLROptions {
  totalIters: number;
  power: number;
  lastEpoch: number;
}

/** lr = baseLr * (1 - min(epoch, totalIters) / totalIters)^power. */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;
  constructor(optimizer: AnyOptimizer, options?: Partial<PolynomialLROptions>);
  constructor(optimizer: AnyOptimizer, totalIters?: number, power?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, first: number | Partial<PolynomialLROptions> = 5, power = 1.0, lastEpoch = -1) {
    const o = keywordOptions<PolynomialLROptions>('PolynomialLR', first, ['totalIters', 'power', 'lastEpoch']);
    super(optimizer, o?.lastEpoch ?? lastEpoch);
    this.totalIters = o ? (o.totalIters ?? 5) : (first as number);
    this.power = o?.power ?? power;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, totalIters: n, power } = this;
    if (t === 0 || t > n) return this.groups.map((g) => g.lr);
    const decay = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** power;
    return this.groups.map((g) => g.lr * decay);
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: t, totalIters: n, power } = this;
    return this.baseLrs.map((base) => base * (1.0 - Math.min(n, t) / n) ** power);
  }
}

export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs of the first cycle (PyTorch's T_0). */
  t0: number;
  /** Each cycle is tMult times longer than the one before (T_mult). */
  tMult: number;
  etaMin: number;
  lastEpoch: number;
}

/**
 * SGDR: cosine annealing from baseLr to etaMin over tI epochs, then a restart; tI starts at t0 and
 * is multiplied by tMult at each restart. step(epoch) accepts fractional epochs
 * (`sched.step(epoch + i / itersPerEpoch)` inside an epoch), as PyTorch.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  /** Length of the current cycle (T_i). */
  tI: number;
  /** Epochs since the last restart (T_cur; fractional after step(epoch)). */
  tCur: number;
  constructor(optimizer: AnyOptimizer, options: Partial<CosineAnnealingWarmRestartsOptions> & { t0: number });
  constructor(optimizer: AnyOptimizer, t0: number, tMult?: number, etaMin?: number, lastEpoch?: number);
  constructor(
    optimizer: AnyOptimizer,
    first: number | Partial<CosineAnnealingWarmRestartsOptions>,
    tMult = 1,
    etaMin = 0,
    lastEpoch = -1,
  ) {
    const o = keywordOptions<CosineAnnealingWarmRestartsOptions>(
      'CosineAnnealingWarmRestarts',
      first,
      ['t0', 'tMult', 'etaMin', 'lastEpoch'],
      ['t0'],
    );
    const t0 = o ? o.t0! : (first as number);
    const mult = o?.tMult ?? tMult;
    if (!Number.isInteger(t0) || t0 <= 0) throw new Error(`Expected positive integer T_0, but got ${t0}`);
    if (!Number.isInteger(mult) || mult < 1) throw new Error(`Expected integer T_mult >= 1, but got ${mult}`);
    const last = o?.lastEpoch ?? lastEpoch;
    super(optimizer, last);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = mult;
    this.etaMin = o?.etaMin ?? etaMin;
    this.tCur = last;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { etaMin, tCur, tI } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2);
  }
  override step(epoch?: number): void {
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (e < 0) throw new Error(`Expected non-negative epoch, but got ${e}`);
      if (e >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = pyMod(e, this.t0);
        } else {
          const n = Math.trunc(Math.log((e / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = e - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = e;
      }
    }
    this.stepCount += 1;
    this.lastEpoch = Math.floor(e);
    const values = this.getLr();
    this.groups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }
}

/** The momentum a scheduler cycles: `momentum` (SGD, RMSprop) or `betas[0]` (Adam and its kin). */
function momentumAccess(scheduler: string, optimizer: AnyOptimizer): 'momentum' | 'betas' {
  if ('momentum' in optimizer.defaults) return 'momentum';
  if ('betas' in optimizer.defaults) return 'betas';
  throw new Error(`${scheduler}: optimizer must support momentum (or betas) with the cycleMomentum option enabled`);
}

function setMomentum(group: Group, kind: 'momentum' | 'betas', value: number): void {
  if (kind === 'momentum') (group as Record<string, unknown>).momentum = value;
  else {
    const betas = (group as Record<string, unknown>).betas as number[];
    (group as Record<string, unknown>).betas = [value, ...betas.slice(1)];
  }
}

export interface CyclicLROptions {
  baseLr: number | readonly number[];
  maxLr: number | readonly number[];
  stepSizeUp: number;
  /** Default: stepSizeUp. */
  stepSizeDown: number | null;
  mode: 'triangular' | 'triangular2' | 'exp_range';
  gamma: number;
  /** A custom scale policy (overrides mode); scaleMode says what it is evaluated at. */
  scaleFn: ((x: number) => number) | null;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  baseMomentum: number | readonly number[];
  maxMomentum: number | readonly number[];
  lastEpoch: number;
}

/**
 * Cyclical learning rates (Smith 2017): the lr goes from baseLr up to maxLr over stepSizeUp
 * steps and back over stepSizeDown, scaled per cycle (triangular2: halved each cycle) or per
 * iteration (exp_range: gamma^iteration). With cycleMomentum the momentum (or Adam's beta1) moves
 * the opposite way between maxMomentum and baseMomentum. Step it after every batch.
 * `new CyclicLR(opt, { baseLr, maxLr, stepSizeUp, ... })` or positionally in PyTorch's order.
 */
export class CyclicLR extends LRScheduler {
  readonly maxLrs: number[];
  readonly totalSize: number;
  readonly stepRatio: number;
  readonly mode: CyclicLROptions['mode'];
  readonly gamma: number;
  readonly scaleMode: CyclicLROptions['scaleMode'];
  readonly cycleMomentum: boolean;
  readonly baseMomentums: number[] = [];
  readonly maxMomentums: number[] = [];
  private readonly scaleFnCustom: ((x: number) => number) | null;
  private readonly momentumKind: 'momentum' | 'betas' | null;

  constructor(optimizer: AnyOptimizer, options: Partial<CyclicLROptions> & Pick<CyclicLROptions, 'baseLr' | 'maxLr'>);
  constructor(
    optimizer: AnyOptimizer,
    baseLr: number | readonly number[],
    maxLr: number | readonly number[],
    stepSizeUp?: number,
    stepSizeDown?: number | null,
    mode?: CyclicLROptions['mode'],
    gamma?: number,
    scaleFn?: ((x: number) => number) | null,
    scaleMode?: CyclicLROptions['scaleMode'],
    cycleMomentum?: boolean,
    baseMomentum?: number | readonly number[],
    maxMomentum?: number | readonly number[],
    lastEpoch?: number,
  );
  constructor(optimizer: AnyOptimizer, first: unknown, ...rest: unknown[]) {
    const names = [
      'baseLr',
      'maxLr',
      'stepSizeUp',
      'stepSizeDown',
      'mode',
      'gamma',
      'scaleFn',
      'scaleMode',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'lastEpoch',
    ] as const satisfies readonly (keyof CyclicLROptions)[];
    const o =
      keywordOptions<CyclicLROptions>('CyclicLR', first, names, ['baseLr', 'maxLr']) ??
      positionalOptions<CyclicLROptions>(names, [first, ...rest]);
    if (o.baseLr === undefined || o.maxLr === undefined) throw new TypeError('CyclicLR: baseLr and maxLr are required');
    const lastEpoch = o.lastEpoch ?? -1;
    const baseLrs = perGroup('CyclicLR', 'baseLr', optimizer, o.baseLr!);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.lr = baseLrs[i]!;
      });
    }
    const mode = o.mode ?? 'triangular';
    const scaleFn = o.scaleFn ?? null;
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode) && scaleFn === null)
      throw new Error(`CyclicLR: mode ${String(mode)} is invalid and scaleFn is null`);
    const cycleMomentum = o.cycleMomentum ?? true;
    const kind = cycleMomentum ? momentumAccess('CyclicLR', optimizer) : null;
    const baseMomentums = kind ? perGroup('CyclicLR', 'baseMomentum', optimizer, o.baseMomentum ?? 0.8) : [];
    if (kind !== null && lastEpoch === -1)
      optimizer.paramGroups.forEach((g, i) => {
        setMomentum(g as Group, kind, baseMomentums[i]!);
      });
    super(optimizer, lastEpoch);
    this.maxLrs = perGroup('CyclicLR', 'maxLr', optimizer, o.maxLr!);
    const up = o.stepSizeUp ?? 2000;
    const down = o.stepSizeDown ?? up;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = o.gamma ?? 1;
    this.scaleFnCustom = scaleFn;
    this.scaleMode = scaleFn === null ? (mode === 'exp_range' ? 'iterations' : 'cycle') : (o.scaleMode ?? 'cycle');
    this.cycleMomentum = cycleMomentum;
    this.momentumKind = kind;
    if (kind !== null) {
      this.baseMomentums = this.groups.map((g) =>
        kind === 'momentum'
          ? (g as Record<string, unknown>).momentum
          : ((g as Record<string, unknown>).betas as number[])[0],
      ) as number[];
      this.maxMomentums = perGroup('CyclicLR', 'maxMomentum', optimizer, o.maxMomentum ?? 0.9);
    }
    this.initialStep();
    this.baseLrs = baseLrs;
  }

  private scale(x: number): number {
    if (this.scaleFnCustom !== null) return this.scaleFnCustom(x);
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    if (this.mode === 'exp_range') return this.gamma ** x;
    return 1;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const at = this.scaleMode === 'cycle' ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i]! - base) * scaleFactor * this.scale(at));
    if (this.momentumKind !== null) {
      const kind = this.momentumKind;
      this.groups.forEach((g, i) => {
        const height = (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor;
        setMomentum(g, kind, this.maxMomentums[i]! - height * this.scale(at));
      });
    }
    return lrs;
  }
}

export interface OneCycleLROptions {
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps: number | null;
  epochs: number | null;
  stepsPerEpoch: number | null;
  /** Fraction of the cycle spent increasing the lr. */
  pctStart: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  baseMomentum: number | readonly number[];
  maxMomentum: number | readonly number[];
  /** initialLr = maxLr / divFactor. */
  divFactor: number;
  /** minLr = initialLr / finalDivFactor. */
  finalDivFactor: number;
  /** A third phase anneals from initialLr to minLr (fast.ai's schedule without it). */
  threePhase: boolean;
  lastEpoch: number;
}

interface Phase {
  endStep: number;
  startLr: 'initialLr' | 'maxLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startMomentum: 'maxMomentum' | 'baseMomentum';
  endMomentum: 'maxMomentum' | 'baseMomentum';
}

/**
 * The 1cycle policy (Smith & Topin 2018): the lr rises from maxLr / divFactor to maxLr over
 * pctStart of totalSteps, then anneals (cos or linear) to initialLr / finalDivFactor; momentum
 * (or Adam's beta1) cycles the opposite way between maxMomentum and baseMomentum. Step it after
 * every batch; stepping past totalSteps is an error. Each group gets `initialLr`, `maxLr`,
 * `minLr` (and `maxMomentum`, `baseMomentum`) entries, as PyTorch. Keyword form:
 * `new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 1000 })`, or positionally (`new OneCycleLR(opt, 0.1, 1000)`).
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly annealStrategy: 'cos' | 'linear';
  readonly cycleMomentum: boolean;
  readonly phases: Phase[];
  private readonly momentumKind: 'momentum' | 'betas' | null;

  constructor(optimizer: AnyOptimizer, options: Partial<OneCycleLROptions> & Pick<OneCycleLROptions, 'maxLr'>);
  constructor(
    optimizer: AnyOptimizer,
    maxLr: number | readonly number[],
    totalSteps?: number | null,
    epochs?: number | null,
    stepsPerEpoch?: number | null,
    pctStart?: number,
    annealStrategy?: 'cos' | 'linear',
    cycleMomentum?: boolean,
    baseMomentum?: number | readonly number[],
    maxMomentum?: number | readonly number[],
    divFactor?: number,
    finalDivFactor?: number,
    threePhase?: boolean,
    lastEpoch?: number,
  );
  constructor(optimizer: AnyOptimizer, first: unknown, ...rest: unknown[]) {
    const names = [
      'maxLr',
      'totalSteps',
      'epochs',
      'stepsPerEpoch',
      'pctStart',
      'annealStrategy',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
      'lastEpoch',
    ] as const satisfies readonly (keyof OneCycleLROptions)[];
    const o =
      keywordOptions<OneCycleLROptions>('OneCycleLR', first, names, ['maxLr']) ??
      positionalOptions<OneCycleLROptions>(names, [first, ...rest]);
    const { totalSteps: total = null, epochs = null, stepsPerEpoch = null } = o;
    let totalSteps: number;
    if (total === null && (epochs === null || stepsPerEpoch === null))
      throw new Error('OneCycleLR: you must define either totalSteps OR (epochs AND stepsPerEpoch)');
    if (total !== null) {
      if (!Number.isInteger(total) || total <= 0)
        throw new Error(`Expected positive integer total_steps, but got ${total}`);
      totalSteps = total;
    } else {
      if (!Number.isInteger(epochs) || epochs! <= 0)
        throw new Error(`Expected positive integer epochs, but got ${epochs}`);
      if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch! <= 0)
        throw new Error(`Expected positive integer steps_per_epoch, but got ${stepsPerEpoch}`);
      totalSteps = epochs! * stepsPerEpoch!;
    }
    const pctStart = o.pctStart ?? 0.3;
    if (!(pctStart >= 0 && pctStart <= 1))
      throw new Error(`Expected float between 0 and 1 pct_start, but got ${pctStart}`);
    const anneal = o.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear')
      throw new Error(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(anneal)}`);
    const lastEpoch = o.lastEpoch ?? -1;
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    const maxLrs = perGroup('OneCycleLR', 'maxLr', optimizer, o.maxLr!);
    const groups = optimizer.paramGroups as (Group & Record<string, unknown>)[];
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    const cycleMomentum = o.cycleMomentum ?? true;
    const kind = cycleMomentum ? momentumAccess('OneCycleLR', optimizer) : null;
    if (kind !== null && lastEpoch === -1) {
      const maxMomentums = perGroup('OneCycleLR', 'maxMomentum', optimizer, o.maxMomentum ?? 0.95);
      const baseMomentums = perGroup('OneCycleLR', 'baseMomentum', optimizer, o.baseMomentum ?? 0.85);
      groups.forEach((g, i) => {
        setMomentum(g, kind, maxMomentums[i]!);
        g.maxMomentum = maxMomentums[i]!;
        g.baseMomentum = baseMomentums[i]!;
      });
    }
    super(optimizer, lastEpoch);
    this.totalSteps = totalSteps;
    this.annealStrategy = anneal;
    this.cycleMomentum = cycleMomentum;
    this.momentumKind = kind;
    this.phases = o.threePhase
      ? [
          {
            endStep: pctStart * totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pctStart * totalSteps - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pctStart * totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: totalSteps - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps)
      throw new Error(
        `OneCycleLR: tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`,
      );
    return this.groups.map((group) => {
      const g = group as Group & Record<string, number>;
      let startStep = 0;
      let lr = 0;
      for (const [i, phase] of this.phases.entries()) {
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          lr = this.anneal(g[phase.startLr]!, g[phase.endLr]!, pct);
          if (this.momentumKind !== null)
            setMomentum(group, this.momentumKind, this.anneal(g[phase.startMomentum]!, g[phase.endMomentum]!, pct));
          break;
        }
        startStep = phase.endStep;
      }
      return lr;
    });
  }
}

export interface SequentialLROptions {
  schedulers: readonly LRScheduler[];
  milestones: readonly number[];
  lastEpoch: number;
}

/**
 * Runs schedulers one after another: schedulers[i] from milestones[i - 1] on (the next one starts
 * with step(0), its closed form at epoch 0). E.g. warm-up then decay:
 * `new SequentialLR(opt, [new LinearLR(opt, 0.1, 1, 5), new CosineAnnealingLR(opt, 95)], [5])`.
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];
  constructor(optimizer: AnyOptimizer, options: Partial<SequentialLROptions> & Omit<SequentialLROptions, 'lastEpoch'>);
  constructor(
    optimizer: AnyOptimizer,
    schedulers: readonly LRScheduler[],
    milestones: readonly number[],
    lastEpoch?: number,
  );
  constructor(
    optimizer: AnyOptimizer,
    first: readonly LRScheduler[] | (Partial<SequentialLROptions> & Omit<SequentialLROptions, 'lastEpoch'>),
    milestonesArg?: readonly number[],
    lastEpochArg = -1,
  ) {
    const o = keywordOptions<SequentialLROptions>(
      'SequentialLR',
      first,
      ['schedulers', 'milestones', 'lastEpoch'],
      ['schedulers', 'milestones'],
    );
    const schedulers = o ? o.schedulers! : (first as readonly LRScheduler[]);
    const milestones = o ? o.milestones! : (milestonesArg ?? []);
    const lastEpoch = o?.lastEpoch ?? lastEpochArg;
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new Error(
          `Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
    });
    if (milestones.length !== schedulers.length - 1)
      throw new Error(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    super(optimizer, -1);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    // Undo the sub-schedulers' initial steps, then redo the first one's (PyTorch's order).
    for (const g of this.groups) g.lr = g.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    (this.schedulers[0] as unknown as { initialStep(): void }).initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }
  protected getLr(): number[] {
    return this.groups.map((g) => g.lr);
  }
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }
  /** Own state plus each scheduler's, under `schedulers` (PyTorch's `_schedulers`). */
  override stateDict(): Record<string, unknown> {
    return { ...this.plainState(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(state: Record<string, unknown>): void {
    loadNested(this, state, (rest) => super.loadStateDict(rest));
  }
}

/** Shared by SequentialLR and ChainedScheduler: validate and load each nested scheduler's state. */
function loadNested(
  owner: SequentialLR | ChainedScheduler,
  state: Record<string, unknown>,
  loadOwn: (rest: Record<string, unknown>) => void,
): void {
  const name = owner.constructor.name;
  if (!isOptionsObject(state)) throw new Error(`${name}.loadStateDict: expected a scheduler state dict (an object)`);
  const { schedulers, ...rest } = state;
  if (!Array.isArray(schedulers) || schedulers.length !== owner.schedulers.length)
    throw new Error(
      `${name}.loadStateDict: key 'schedulers' must list ${owner.schedulers.length} scheduler states, got ${Array.isArray(schedulers) ? schedulers.length : typeof schedulers}`,
    );
  schedulers.forEach((s, i) => {
    try {
      checkSchedulerState(owner.schedulers[i]!.constructor.name, owner.schedulers[i]!.stateDict(), s);
    } catch (error) {
      throw new Error(`${name}.loadStateDict: schedulers[${i}]: ${(error as Error).message}`);
    }
  });
  loadOwn(rest);
  schedulers.forEach((s, i) => {
    owner.schedulers[i]!.loadStateDict(s as Record<string, unknown>);
  });
}

/**
 * Steps several schedulers together at every step() (their effects multiply through the
 * chainable forms). No initial step of its own, as PyTorch.
 */
export class ChainedScheduler extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];
  constructor(schedulers: readonly LRScheduler[] | { schedulers: readonly LRScheduler[] }) {
    const list = Array.isArray(schedulers)
      ? (schedulers as readonly LRScheduler[])
      : (keywordOptions<{ schedulers: readonly LRScheduler[] }>(
          'ChainedScheduler',
          schedulers,
          ['schedulers'],
          ['schedulers'],
        )!.schedulers as readonly LRScheduler[]);
    if (list.length === 0) throw new Error('ChainedScheduler: expected at least one scheduler');
    list.forEach((s, i) => {
      if (s.optimizer !== list[0]!.optimizer)
        throw new Error(
          `ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`,
        );
    });
    super(list[0]!.optimizer, -1);
    this.schedulers = [...list];
    this.lastLr = this.groups.map((g) => g.lr);
  }
  protected getLr(): number[] {
    return this.groups.map((g) => g.lr);
  }
  override step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.groups.map((g) => g.lr);
  }
  override stateDict(): Record<string, unknown> {
    return { ...this.plainState(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(state: Record<string, unknown>): void {
    loadNested(this, state, (rest) => super.loadStateDict(rest));
  }
}

const PLATEAU_OPTIONS = [
  'mode',
  'factor',
  'patience',
  'threshold',
  'thresholdMode',
  'cooldown',
  'minLr',
  'eps',
] as const satisfies readonly (keyof ReduceLROnPlateauOptions)[];

export interface ReduceLROnPlateauOptions {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  /** One minimum for all groups or one per group. */
  minLr: number | number[];
  eps: number;
}

/**
 * Reduce the lr by `factor` once the metric passed to step(metric) has not improved for
 * `patience` epochs. step() takes a number; a one-element Tensor is read back with item().
 */
export class ReduceLROnPlateau implements SchedulerLike {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options?: Partial<ReduceLROnPlateauOptions>);
  /** PyTorch's ReduceLROnPlateau(opt, 'min', patience=5): the mode, then the other options. */
  constructor(optimizer: AnyOptimizer, mode: 'min' | 'max', options: Partial<Omit<ReduceLROnPlateauOptions, 'mode'>>);
  constructor(
    optimizer: AnyOptimizer,
    mode?: 'min' | 'max',
    factor?: number,
    patience?: number,
    threshold?: number,
    thresholdMode?: 'rel' | 'abs',
    cooldown?: number,
    minLr?: number | number[],
    eps?: number,
  );
  constructor(
    optimizer: AnyOptimizer,
    first: Partial<ReduceLROnPlateauOptions> | 'min' | 'max' = {},
    ...rest: unknown[]
  ) {
    const names = PLATEAU_OPTIONS;
    let options: Partial<ReduceLROnPlateauOptions>;
    if (typeof first === 'string') {
      options = {};
      const positional = [first, ...rest];
      // PyTorch's ReduceLROnPlateau(opt, 'min', patience=5): the keywords as a last options object
      const keywords = isOptionsObject(positional.at(-1)) ? positional.pop() : undefined;
      positional.forEach((v, i) => {
        if (v !== undefined) (options as Record<string, unknown>)[names[i]!] = v;
      });
      Object.assign(options, keywordOptions<ReduceLROnPlateauOptions>('ReduceLROnPlateau', keywords, names));
    } else {
      options = keywordOptions<ReduceLROnPlateauOptions>('ReduceLROnPlateau', first, names) ?? {};
    }
    const o: ReduceLROnPlateauOptions = {
      mode: 'min',
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
      ...options,
    };
    if (o.factor >= 1) throw new Error('Factor should be < 1.0.');
    if (o.mode !== 'min' && o.mode !== 'max') throw new Error(`mode ${String(o.mode)} is unknown!`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs')
      throw new Error(`threshold mode ${String(o.thresholdMode)} is unknown!`);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(o.minLr)) {
      if (o.minLr.length !== n) throw new Error(`expected ${n} min_lrs, got ${o.minLr.length}`);
      this.minLrs = [...o.minLr];
    } else {
      this.minLrs = Array.from({ length: n }, () => o.minLr as number);
    }
    this.optimizer = optimizer;
    this.mode = o.mode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.thresholdMode = o.thresholdMode;
    this.cooldown = o.cooldown;
    this.eps = o.eps;
    this.best = o.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this;
    if (mode === 'min' && thresholdMode === 'rel') return a < best * (1 - threshold);
    if (mode === 'min') return a < best - threshold;
    if (thresholdMode === 'rel') return a > best * (threshold + 1);
    return a > best + threshold;
  }

  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : Number(metric);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr;
        const next = Math.max(old * this.factor, this.minLrs[i]!);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, unknown> {
    return {
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  loadStateDict(state: Record<string, unknown>): void {
    checkSchedulerState('ReduceLROnPlateau', this.stateDict(), state);
    this.best = state.best as number;
    this.numBadEpochs = state.numBadEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
    this.lastEpoch = state.lastEpoch as number;
    this.lastLr = [...(state.lastLr as number[])];
  }
}
