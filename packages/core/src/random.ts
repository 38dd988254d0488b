/**
 * The seeded host-side generator. Random tensors are drawn here and uploaded, so manualSeed(n)
 * gives the same weights, dropout masks and shuffles on every backend. (Not PyTorch's mt19937
 * stream: same seed, same numbers across Flint backends; not the same numbers as torch.)
 */

/** xoshiro128** seeded through splitmix32: fast, 2^128 period, good statistical quality. */
export class Generator {
  private s = new Uint32Array(4);
  private initialSeed = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number | bigint): this {
    const value = typeof seed === 'bigint' ? seed : BigInt(Math.trunc(seed));
    this.initialSeed = Number(BigInt.asUintN(53, value));
    let x = Number(BigInt.asUintN(32, value ^ (value >> 32n))) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spareNormal = null;
    return this;
  }

  /** The seed this generator was last seeded with. */
  seed(): number {
    return this.initialSeed;
  }

  /** Next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    const span = high - low;
    if (span <= 0) throw new Error(`randint: expected low < high, got low=${low}, high=${high}`);
    return low + Math.floor(this.random() * span);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  randperm(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** Serialisable state (for checkpoints). */
  getState(): number[] {
    return [...this.s, this.initialSeed, this.spareNormal ?? Number.NaN];
  }

  setState(state: readonly number[]): this {
    if (state.length !== 6) throw new Error(`Generator.setState: expected 6 numbers, got ${state.length}`);
    for (let i = 0; i < 4; i++) this.s[i] = state[i]! >>> 0;
    this.initialSeed = state[4]!;
    this.spareNormal = Number.isNaN(state[5]) ? null : state[5]!;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator (deterministic from start, like PyTorch's default seed). */
export const defaultGenerator = new Generator(0);

/** torch.manual_seed */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** torch.initial_seed */
export function initialSeed(): number {
  return defaultGenerator.seed();
}
