/**
 * Adapters for fixtures/ops-convpool.json (generate_convpool.py, issue 11 item 1): conv1d, the
 * transposed convolutions, F.pad's non-constant modes (through adapters.ts's F.pad), 1-D and
 * adaptive pooling, F.interpolate, pixel (un)shuffle and unfold/fold.
 */
import type { TorchArgs } from '../fixtures/load.js';
import type { AdapterContext, AdapterResult, OpAdapter, Tensor } from './adapters.js';

/**
 * snake_case keyword arguments -> camelCase options, dropping `omit` (adapters.ts's camelOptions;
 * restated because importing a value from adapters.ts, which spreads this table, would make an
 * import cycle).
 */
function camelOptions(args: TorchArgs, omit: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args)
      .filter(([k]) => !omit.includes(k))
      .map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]),
  );
}

/** F.<name>(x, first, options) or, with return_indices, F.<name>WithIndices -> [values, indices]. */
function withIndices(name: string, first: string): OpAdapter {
  return (c: AdapterContext, [x], a): AdapterResult => {
    const opts = camelOptions(a, [first, 'return_indices']);
    const args = Object.keys(opts).length === 0 ? [x, a[first]] : [x, a[first], opts];
    if (!a.return_indices) return c.F(name)(...args);
    const r = c.F(`${name}WithIndices`)(...args) as unknown as { values: Tensor; indices: Tensor };
    return [r.values, r.indices];
  };
}

export const CONVPOOL_ADAPTERS: Record<string, OpAdapter> = {
  'F.conv1d': (c, [x, w, b], a) => c.F('conv1d')(x, w, b ?? null, camelOptions(a)),
  'F.conv_transpose1d': (c, [x, w, b], a) => c.F('convTranspose1d')(x, w, b ?? null, camelOptions(a)),
  'F.conv_transpose2d': (c, [x, w, b], a) => c.F('convTranspose2d')(x, w, b ?? null, camelOptions(a)),
  'F.max_pool1d': withIndices('maxPool1d', 'kernel_size'),
  'F.avg_pool1d': (c, [x], a) => c.F('avgPool1d')(x, a.kernel_size, camelOptions(a, ['kernel_size'])),
  'F.adaptive_avg_pool1d': (c, [x], a) => c.F('adaptiveAvgPool1d')(x, a.output_size),
  'F.adaptive_avg_pool2d': (c, [x], a) => c.F('adaptiveAvgPool2d')(x, a.output_size),
  'F.adaptive_max_pool1d': withIndices('adaptiveMaxPool1d', 'output_size'),
  'F.adaptive_max_pool2d': withIndices('adaptiveMaxPool2d', 'output_size'),
  'F.interpolate': (c, [x], a) => c.F('interpolate')(x, camelOptions(a)),
  'F.pixel_shuffle': (c, [x], a) => c.F('pixelShuffle')(x, a.upscale_factor),
  'F.pixel_unshuffle': (c, [x], a) => c.F('pixelUnshuffle')(x, a.downscale_factor),
  'F.unfold': (c, [x], a) => c.F('unfold')(x, a.kernel_size, camelOptions(a, ['kernel_size'])),
  'F.fold': (c, [x], a) =>
    c.F('fold')(x, a.output_size, a.kernel_size, camelOptions(a, ['output_size', 'kernel_size'])),
};

/** Max pooling (1-D and adaptive) switches its argmax between elements: only PyTorch's gradient is compared. */
export const CONVPOOL_NON_SMOOTH_OPS: readonly string[] = [
  'F.max_pool1d',
  'F.adaptive_max_pool1d',
  'F.adaptive_max_pool2d',
];
