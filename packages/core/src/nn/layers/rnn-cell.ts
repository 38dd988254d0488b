/**
 * RNNCell, LSTMCell, GRUCell: one step of the recurrences, with PyTorch's parameter names
 * (weight_ih [G*H, in], weight_hh [G*H, H], bias_ih, bias_hh), gate order (LSTM i, f, g, o; GRU
 * r, z, n) and init U(-1/sqrt(H), 1/sqrt(H)). Input [N, in] or unbatched [in]; the state defaults
 * to zeros.
 */
import { formatShape } from '../../backend/shape.js';
import { empty, zeros } from '../../tensor/create.js';
import { tidy } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/linear.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';

export interface RNNCellOptions {
  bias?: boolean;
  device?: string;
}

abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, gates: number, options: RNNCellOptions) {
    super();
    if (!Number.isInteger(inputSize) || inputSize < 0) throw new Error(`input_size must be >= 0, got ${inputSize}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0)
      throw new Error(`hidden_size must be greater than zero, got ${hiddenSize}`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = options.bias ?? true;
    const dev = { device: options.device };
    this.registerParameter('weight_ih', Parameter.adopt(empty([gates * hiddenSize, inputSize], dev)));
    this.registerParameter('weight_hh', Parameter.adopt(empty([gates * hiddenSize, hiddenSize], dev)));
    this.registerParameter('bias_ih', this.bias ? Parameter.adopt(empty([gates * hiddenSize], dev)) : null);
    this.registerParameter('bias_hh', this.bias ? Parameter.adopt(empty([gates * hiddenSize], dev)) : null);
    this.resetParameters();
  }

  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  /** input as [N, in] (unbatched [in] gains a batch dim) and a state checked against it. */
  protected batched(input: Tensor, states: (Tensor | null)[]): [Tensor, Tensor[], boolean] {
    const name = this.constructor.name;
    if (input.ndim !== 1 && input.ndim !== 2)
      throw new Error(`${name}: Expected input to be 1D or 2D, got ${input.ndim}D instead`);
    if (input.shape[input.ndim - 1] !== this.inputSize)
      throw new Error(
        `${name}: input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${this.inputSize}`,
      );
    const unbatched = input.ndim === 1;
    const x = unbatched ? input.unsqueeze(0) : input;
    const N = x.shape[0]!;
    const hs = states.map((h, k) => {
      if (h === null) return zeros([N, this.hiddenSize], { device: input.device });
      if (h.ndim !== input.ndim)
        throw new Error(
          `${name}: Expected hidden[${k}] to be ${input.ndim}D, got ${h.ndim}D (shape ${formatShape(h.shape)})`,
        );
      const hb = unbatched ? h.unsqueeze(0) : h;
      if (hb.shape[0] !== N || hb.shape[1] !== this.hiddenSize)
        throw new Error(
          `${name}: hidden[${k}] has shape ${formatShape(h.shape)}, expected ${formatShape(unbatched ? [this.hiddenSize] : [N, this.hiddenSize])}`,
        );
      return hb;
    });
    return [x, hs, unbatched];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}`;
  }
}

/** h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). forward(input, hx?) returns h'. */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(
    inputSize: number,
    hiddenSize: number,
    options: RNNCellOptions & { nonlinearity?: 'tanh' | 'relu' } = {},
  ) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new Error(`Unknown nonlinearity: ${String(nl)}`);
    super(inputSize, hiddenSize, 1, options);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return tidy(() => {
      const [x, [h], unbatched] = this.batched(input, [hx]);
      const pre = linear(x, this.weight_ih, this.bias_ih).add(linear(h!, this.weight_hh, this.bias_hh));
      const out = this.nonlinearity === 'tanh' ? pre.tanh() : pre.relu();
      return unbatched ? out.squeeze(0) : out;
    });
  }

  override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === 'tanh' ? '' : ", nonlinearity='relu'"}`;
  }
}

/** forward(input, [h, c]?) returns [h', c'] (gates i, f, g, o). */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  override forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    return tidy(() => {
      const [x, [h, c], unbatched] = this.batched(input, [hx?.[0] ?? null, hx?.[1] ?? null]);
      const gates = linear(x, this.weight_ih, this.bias_ih).add(linear(h!, this.weight_hh, this.bias_hh));
      const [i, f, g, o] = gates.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
      const c1 = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
      const h1 = o.sigmoid().mul(c1.tanh());
      return unbatched ? [h1.squeeze(0), c1.squeeze(0)] : [h1, c1];
    });
  }
}

/** forward(input, hx?) returns h' (gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn))). */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
  }

  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return tidy(() => {
      const [x, [h], unbatched] = this.batched(input, [hx]);
      const [xr, xz, xn] = linear(x, this.weight_ih, this.bias_ih).chunk(3, 1) as [Tensor, Tensor, Tensor];
      const [hr, hz, hn] = linear(h!, this.weight_hh, this.bias_hh).chunk(3, 1) as [Tensor, Tensor, Tensor];
      const r = xr.add(hr).sigmoid();
      const z = xz.add(hz).sigmoid();
      const n = xn.add(r.mul(hn)).tanh();
      const out = n.add(z.mul(h!.sub(n)));
      return unbatched ? out.squeeze(0) : out;
    });
  }
}
