/**
 * RNN, LSTM, GRU: PyTorch's parameter names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0,
 * ..._reverse), gate order (LSTM i, f, g, o; GRU r, z, n), init U(-1/sqrt(H), 1/sqrt(H)),
 * time-major input [L, N, H_in] unless batchFirst, unbatched [L, H_in] accepted, or a
 * PackedSequence (nn.utils.rnn), which gives a PackedSequence output and final states taken at each
 * sequence's own length.
 */
import { formatShape, shapesEqual } from '../../backend/shape.js';
import { empty, zeros } from '../../tensor/create.js';
import { tidy } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/linear.js';
import { cat, stack } from '../../ops/layout.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, Parameter, reprValue } from '../module.js';
import { checkOptionKeys } from '../../options.js';
import { PackedSequence } from '../rnn-utils.js';

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (training only). */
  dropout?: number;
  bidirectional?: boolean;
  device?: string;
}

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const RNN_OPTIONS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'device', 'nonlinearity'];

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

abstract class RNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** Layer 0's parameters (the others: getParameter('weight_ih_l1'), ...). */
  declare weight_ih_l0: Parameter;
  declare weight_hh_l0: Parameter;
  declare bias_ih_l0: Parameter | undefined;
  declare bias_hh_l0: Parameter | undefined;

  constructor(mode: Mode, inputSize: number, hiddenSize: number, options: RNNOptions) {
    super();
    checkOptionKeys(mode === 'LSTM' || mode === 'GRU' ? mode : 'RNN', options, RNN_OPTIONS);
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    if (!(this.dropout >= 0 && this.dropout <= 1))
      throw new Error(
        'dropout should be a number in range [0, 1] representing the probability of an element being zeroed',
      );
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new Error('hidden_size must be greater than zero');
    if (!Number.isInteger(this.numLayers) || this.numLayers <= 0)
      throw new Error('num_layers must be greater than zero');
    const gate = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const dev = { device: options.device };
        this.registerParameter(`weight_ih${sfx}`, Parameter.adopt(empty([gate, inSize], dev)));
        this.registerParameter(`weight_hh${sfx}`, Parameter.adopt(empty([gate, hiddenSize], dev)));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, Parameter.adopt(empty([gate], dev)));
          this.registerParameter(`bias_hh${sfx}`, Parameter.adopt(empty([gate], dev)));
        }
      }
    }
    this.resetParameters();
  }

  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  private param(name: string): Tensor | null {
    return ((this as unknown as Record<string, Parameter | null>)[name] ?? null) as Tensor | null;
  }

  /** One step of the cell: returns the new [h, c?]. `xProj` is x W_ih^T + b_ih. */
  private cell(xProj: Tensor, h: Tensor, c: Tensor | null, whh: Tensor, bhh: Tensor | null): [Tensor, Tensor | null] {
    const hProj = linear(h, whh, bhh);
    const H = this.hiddenSize;
    switch (this.mode) {
      case 'RNN_TANH':
        return [xProj.add(hProj).tanh(), null];
      case 'RNN_RELU':
        return [xProj.add(hProj).relu(), null];
      case 'LSTM': {
        const [i, f, g, o] = xProj.add(hProj).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
        const cNext = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
        return [o.sigmoid().mul(cNext.tanh()), cNext];
      }
      case 'GRU': {
        const xr = xProj.narrow(-1, 0, H);
        const xz = xProj.narrow(-1, H, H);
        const xn = xProj.narrow(-1, 2 * H, H);
        const hr = hProj.narrow(-1, 0, H);
        const hz = hProj.narrow(-1, H, H);
        const hn = hProj.narrow(-1, 2 * H, H);
        const r = xr.add(hr).sigmoid();
        const z = xz.add(hz).sigmoid();
        const n = xn.add(r.mul(hn)).tanh();
        return [z.neg().add(1).mul(n).add(z.mul(h)), null];
      }
    }
  }

  /** Runs every layer and direction; intermediates are freed (tidy), the results kept. */
  protected run(input: Tensor, hx: Tensor | null, cx: Tensor | null): [Tensor, Tensor, Tensor | null];
  protected run(input: PackedSequence, hx: Tensor | null, cx: Tensor | null): [PackedSequence, Tensor, Tensor | null];
  protected run(
    input: Tensor | PackedSequence,
    hx: Tensor | null,
    cx: Tensor | null,
  ): [Tensor | PackedSequence, Tensor, Tensor | null] {
    if (input instanceof PackedSequence) {
      const [data, h, c] = tidy(() => this.runPacked(input, hx, cx));
      return [input.withData(data), h, c];
    }
    return tidy(() => this.runAll(input, hx, cx));
  }

  /**
   * The recurrence over packed data: at step t only the first batchSizes[t] (sorted) sequences
   * advance, the others keep their state, so every final state is taken at its sequence's length
   * (and the reverse direction starts each sequence at its own last step).
   */
  private runPacked(packed: PackedSequence, hx: Tensor | null, cx: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const sizes = packed.batchSizesList;
    const T = sizes.length;
    const N = sizes[0] ?? 0;
    let x = packed.data;
    if (x.ndim !== 2 || x.shape[1] !== this.inputSize)
      throw new Error(
        `input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got packed data ${formatShape(x.shape)}`,
      );
    const dirs = this.bidirectional ? 2 : 1;
    const hShape = [this.numLayers * dirs, N, this.hiddenSize];
    const prepare = (t: Tensor | null, what: string): Tensor => {
      if (t === null) return zeros(hShape, { device: x.device });
      if (!shapesEqual(t.shape, hShape))
        throw new Error(`Expected ${what} size ${formatShape(hShape)}, got ${formatShape(t.shape)}`);
      // PyTorch's permute_hidden: the states follow the sorted batch order.
      return packed.sortedIndices === null ? t : t.indexSelect(1, packed.sortedIndices);
    };
    const h0 = prepare(hx, 'hidden');
    const c0 = this.mode === 'LSTM' ? prepare(cx, 'cell') : null;
    const offsets: number[] = [];
    let o = 0;
    for (const b of sizes) {
      offsets.push(o);
      o += b;
    }
    const active = (t: Tensor, b: number): Tensor => (b === N ? t : t.narrow(0, 0, b));
    const merge = (next: Tensor, prev: Tensor, b: number): Tensor =>
      b === N ? next : cat([next, prev.narrow(0, b, N - b)], 0);
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const k = layer * dirs + d;
        const xProj = linear(x, this.param(`weight_ih${sfx}`)!, this.param(`bias_ih${sfx}`));
        const whh = this.param(`weight_hh${sfx}`)!;
        const bhh = this.param(`bias_hh${sfx}`);
        let h = h0.select(0, k);
        let c = c0 === null ? null : c0.select(0, k);
        const steps = new Array<Tensor>(T);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          const b = sizes[t]!;
          const [hNext, cNext] = this.cell(
            xProj.narrow(0, offsets[t]!, b),
            active(h, b),
            c === null ? null : active(c, b),
            whh,
            bhh,
          );
          steps[t] = hNext;
          h = merge(hNext, h, b);
          if (c !== null) c = merge(cNext!, c, b);
        }
        outs.push(T > 0 ? cat(steps, 0) : zeros([0, this.hiddenSize], { device: x.device }));
        hN.push(h);
        if (c !== null) cN.push(c);
      }
      x = dirs === 1 ? outs[0]! : cat(outs, 1);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) x = F.dropout(x, this.dropout, true);
    }
    const restore = (t: Tensor): Tensor =>
      packed.unsortedIndices === null ? t : t.indexSelect(1, packed.unsortedIndices);
    return [x, restore(stack(hN, 0)), cN.length > 0 ? restore(stack(cN, 0)) : null];
  }

  private runAll(input: Tensor, hx: Tensor | null, cx: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const unbatched = input.ndim === 2;
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new Error(
        `${this.constructor.name}: Expected input to be 2D or 3D, got ${input.ndim}D tensor of shape ${formatShape(input.shape)}`,
      );
    }
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [T, N, inSize] = x.shape as [number, number, number];
    if (inSize !== this.inputSize)
      throw new Error(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${inSize}`);
    const dirs = this.bidirectional ? 2 : 1;
    const hShape = [this.numLayers * dirs, N, this.hiddenSize];
    const prepare = (t: Tensor | null, what: string): Tensor => {
      if (t === null) return zeros(hShape, { device: input.device });
      const v = unbatched ? (t.ndim === 2 ? t.unsqueeze(1) : t) : t;
      if (!shapesEqual(v.shape, hShape)) {
        throw new Error(
          `Expected ${what} size ${formatShape(unbatched ? [hShape[0]!, hShape[2]!] : hShape)}, got ${formatShape(t.shape)}`,
        );
      }
      return v;
    };
    const h0 = prepare(hx, 'hidden');
    const c0 = this.mode === 'LSTM' ? prepare(cx, 'cell') : null;
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const k = layer * dirs + d;
        const xProj = linear(x, this.param(`weight_ih${sfx}`)!, this.param(`bias_ih${sfx}`));
        const whh = this.param(`weight_hh${sfx}`)!;
        const bhh = this.param(`bias_hh${sfx}`);
        let h = h0.select(0, k);
        let c = c0 === null ? null : c0.select(0, k);
        const steps: Tensor[] = new Array<Tensor>(T);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          [h, c] = this.cell(xProj.select(0, t), h, c, whh, bhh);
          steps[t] = h;
        }
        outs.push(T > 0 ? stack(steps, 0) : zeros([0, N, this.hiddenSize], { device: input.device }));
        hN.push(h);
        if (c !== null) cN.push(c);
      }
      x = dirs === 1 ? outs[0]! : cat(outs, 2);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) x = F.dropout(x, this.dropout, true);
    }
    let output = x;
    let hOut = stack(hN, 0);
    let cOut = cN.length > 0 ? stack(cN, 0) : null;
    if (unbatched) {
      output = output.squeeze(1);
      hOut = hOut.squeeze(1);
      cOut = cOut === null ? null : cOut.squeeze(1);
    } else if (this.batchFirst) output = output.transpose(0, 1);
    return [output, hOut, cOut];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.mode === 'RNN_RELU') s += ", nonlinearity='relu'";
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += `, bidirectional=${reprValue(true)}`;
    return s;
  }
}

/** Elman RNN: h_t = tanh(x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu). Returns [output, h_n]. */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new Error(`Unknown nonlinearity '${String(nl)}'. Select from 'tanh' or 'relu'.`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options);
  }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = this.run(input as Tensor, hx, null);
    return [out, h];
  }
}

/** LSTM (gates i, f, g, o). forward(input, [h0, c0]?) returns [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(
    input: Tensor | PackedSequence,
    hx: [Tensor, Tensor] | null = null,
  ): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const [out, h, c] = this.run(input as Tensor, hx?.[0] ?? null, hx?.[1] ?? null);
    return [out, [h, c!]];
  }
}

/** GRU (gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn))). Returns [output, h_n]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = this.run(input as Tensor, hx, null);
    return [out, h];
  }
}
