/** nn.utils: gradient clipping and parameter <-> vector helpers; `rnn` (packed sequences) and `parametrizations`. */
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { zeros } from '../tensor/create.js';
import { cat, stack } from '../ops/layout.js';

type Params = Tensor | Iterable<Tensor>;

function gradsOf(parameters: Params): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  return list.flatMap((p) => (p.grad !== null ? [p.grad] : []));
}

/**
 * Scale the gradients in place so that their joint norm (of type normType, Infinity allowed) is at
 * most maxNorm; returns the total norm before clipping (a 0-d tensor, no readback). With
 * errorIfNonfinite the norm is read back to the host to check it.
 */
export function clipGradNorm_(parameters: Params, maxNorm: number, normType = 2, errorIfNonfinite = false): Tensor {
  const grads = gradsOf(parameters);
  if (grads.length === 0) return zeros([]);
  return noGrad(() => {
    // Not kept: the norm belongs to the caller's scope, so a tidy() around the step frees it.
    const total = tidy(() => {
      const norms = grads.map((g) => g.norm(normType));
      const stacked = stack(norms);
      return normType === Infinity ? stacked.amax() : stacked.norm(normType);
    });
    if (errorIfNonfinite && !Number.isFinite(total.item())) {
      total.dispose();
      throw new Error(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite=false\``,
      );
    }
    tidy(() => {
      const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
      for (const g of grads) g.mul_(coef);
    });
    return total;
  });
}

/** Clamp every gradient in place to [-clipValue, clipValue]. */
export function clipGradValue_(parameters: Params, clipValue: number): void {
  noGrad(() => {
    for (const g of gradsOf(parameters)) g.clamp_(-clipValue, clipValue);
  });
}

/** Flatten and concatenate parameters into one vector. */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return tidy(() => cat([...parameters].map((p) => p.reshape([p.numel]))));
}

/** Copy consecutive slices of `vec` into the parameters (in place). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const params = [...parameters];
  const total = params.reduce((n, p) => n + p.numel, 0);
  if (vec.ndim !== 1 || vec.numel !== total)
    throw new Error(`vectorToParameters: expected a vector of ${total} elements, got shape [${vec.shape.join(', ')}]`);
  noGrad(() =>
    tidy(() => {
      let offset = 0;
      for (const p of params) {
        p.copy_(vec.slice(0, offset, offset + p.numel).reshape(p.shape));
        offset += p.numel;
      }
    }),
  );
}

export * as rnn from './rnn-utils.js';
/** torch.nn.utils.weight_norm (weight_g / weight_v); the parametrization form is parametrizations.weightNorm. */
export { legacyWeightNorm as weightNorm } from './parametrizations.js';
export * as parametrizations from './parametrizations.js';
