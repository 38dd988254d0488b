/**
 * Issue 11's convolution and pooling modules against PyTorch (fixtures/modules-convpool.json from
 * generate_convpool.py: state_dict keys and layouts, outputs, input and parameter gradients), plus
 * what the fixtures cannot show: output_size in the transposed convolutions, second-order
 * gradients, reprs, and the errors for bad arguments. The functional forms run on every backend
 * through @flint/conformance (ops-convpool.json).
 */
import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import * as api from '../index.js';
import { nn, randn, manualSeed, type Tensor, autograd, tensor, enableGrad } from '../index.js';
import { loadModuleFixtures, runModuleFixture } from '@flint/conformance';
import { expectClose, gradcheck } from './test-helpers.js';

const F = nn.functional;

// The cases, their module builders and the runner live in @flint/conformance (src/modules/), which
// every backend's test files also run; here on cpu, through core's source.
describe('conv and pooling modules against PyTorch (modules-convpool.json)', () => {
  for (const c of loadModuleFixtures('modules-convpool.json')) {
    it(c.name, () => runModuleFixture(api, c));
  }
});

describe('conv and pooling by hand', () => {
  it('ConvTranspose2d: forward(x, outputSize) picks the output padding; out-of-range sizes name the range', () => {
    manualSeed(3);
    const up = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 });
    const x = randn(1, 2, 4, 5);
    expect([...up.forward(x).shape]).toEqual([1, 3, 7, 9]);
    const y = up.forward(x, [8, 10]);
    expect([...y.shape]).toEqual([1, 3, 8, 10]);
    const explicit = F.convTranspose2d(x, up.weight, up.bias, { stride: 2, padding: 1, outputPadding: 1 });
    expectClose(y, explicit, 0, 0);
    expect(() => up.forward(x, [9, 10])).toThrow(/valid sizes range from \[7\] to \[8\] in dim 0/);
    const up1 = new nn.ConvTranspose1d(2, 2, 2, { stride: 3 });
    expect([...up1.forward(randn(2, 4), [1, 2, 12]).shape]).toEqual([2, 12]);
  });

  it('transposed convolution is the adjoint of conv2d, and differentiates twice (gradcheck of a gradient)', () => {
    manualSeed(4);
    const w = randn(3, 2, 3, 2, { requiresGrad: true });
    const u = randn(1, 2, 7, 6);
    const g = randn(1, 3, 4, 6);
    const opts = { stride: [2, 1] as const, padding: 1, dilation: [1, 2] as const };
    // <conv2d(u, w), g> = <u, conv_transpose2d(g, w)>
    const lhs = F.conv2d(u, w, null, opts).mul(g).sum().item();
    const rhs = u
      .mul(F.convTranspose2d(g, w, null, { ...opts, outputPadding: [0, 0] }))
      .sum()
      .item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    const x = randn(1, 3, 3, 4, { requiresGrad: true });
    const cot = randn(1, 2, 5, 6);
    // gradcheck evaluates its function under noGrad too: the inner gradient needs grad mode.
    gradcheck(
      () =>
        enableGrad(() => {
          const out = F.convTranspose2d(x, w, null, { stride: 2, padding: 1 });
          const [gx, gw] = autograd.grad(out.mul(cot).sum().square(), [x, w], { createGraph: true });
          return gx!.square().sum().add(gw!.square().sum());
        }),
      [x, w],
    );
  });

  it('padding modes: Conv2d reflect equals F.pad then a valid convolution; reprs as PyTorch', () => {
    manualSeed(5);
    const conv = new nn.Conv2d(2, 3, [3, 2], { padding: [1, 2], paddingMode: 'circular', bias: false });
    const x = randn(1, 2, 4, 5);
    const padded = F.pad(x, [2, 2, 1, 1], 'circular');
    expectClose(conv(x) as Tensor, F.conv2d(padded, conv.weight), 1e-6, 1e-6);
    expect(conv.toString()).toBe(
      'Conv2d(2, 3, kernel_size=(3, 2), stride=(1, 1), padding=(1, 2), bias=False, padding_mode=circular)',
    );
    expect(new nn.Conv1d(2, 4, 3, { groups: 2, dilation: 2 }).toString()).toBe(
      'Conv1d(2, 4, kernel_size=(3,), stride=(1,), dilation=(2,), groups=2)',
    );
    expect(new nn.ConvTranspose2d(2, 4, 3, { stride: 2, outputPadding: 1 }).toString()).toBe(
      'ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))',
    );
    expect(new nn.ReflectionPad2d([1, 2, 0, 1]).toString()).toBe('ReflectionPad2d((1, 2, 0, 1))');
    expect(new nn.ConstantPad1d(2, 0.5).toString()).toBe('ConstantPad1d(padding=(2, 2), value=0.5)');
    expect(new nn.PixelShuffle(3).toString()).toBe('PixelShuffle(upscale_factor=3)');
    expect(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).toString()).toBe(
      'Upsample(scale_factor=2.0, mode=bilinear)',
    );
    expect(new nn.Upsample({ size: [4, 5] }).toString()).toBe('Upsample(size=(4, 5), mode=nearest)');
    expect(new nn.AdaptiveMaxPool2d([3, null]).toString()).toBe('AdaptiveMaxPool2d(output_size=(3, None))');
    expect(new nn.Unfold(2, { stride: 2 }).toString()).toBe('Unfold(kernel_size=2, dilation=1, padding=0, stride=2)');
    expect(() => new nn.Conv2d(2, 2, 3, { paddingMode: 'mirror' as 'reflect' })).toThrow(/padding_mode must be one of/);
    expect(() => new nn.ConvTranspose2d(2, 2, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow(
      /Only "zeros" padding mode/,
    );
  });

  it('CircularPad2d wraps around; reflect and circular reject pads the input cannot supply', () => {
    const x = tensor([[[[1, 2, 3]]]]);
    expectClose(new nn.CircularPad2d([2, 1, 0, 0])(x) as Tensor, [2, 3, 1, 2, 3, 1]);
    expectClose(new nn.ReflectionPad1d(2)(tensor([[[1, 2, 3]]])) as Tensor, [3, 2, 1, 2, 3, 2, 1]);
    expectClose(new nn.ReplicationPad1d([1, 2])(tensor([[[1, 2, 3]]])) as Tensor, [1, 1, 2, 3, 3, 3]);
    expect(() => F.pad(randn(1, 1, 3), [3, 0], 'reflect')).toThrow(
      /should be less than the corresponding input dimension in mode 'reflect', but got padding \(3, 0\) at dimension 2 of input \[1, 1, 3\]/,
    );
    expect(() => F.pad(randn(1, 1, 3), [4, 0], 'circular')).toThrow(/at most the corresponding input dimension/);
    expect(() => F.pad(randn(3), [1, 1], 'replicate')).toThrow(/pads the last 1 to 3 dims of a 2-D to 5-D input/);
    expect(() => F.pad(randn(1, 3), [1, 1], 'reflect', 2)).toThrow(/doesn't take in value argument/);
    expect(() => F.pad(randn(1, 3), [1, 1], 'wrap' as 'reflect')).toThrow(/Unrecognised padding mode 'wrap'/);
  });

  it('errors name the shapes and options', () => {
    expect(() => F.conv1d(randn(2, 3, 4, 5), randn(2, 3, 3))).toThrow(
      /Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d, but got input of size: \[2, 3, 4, 5\]/,
    );
    expect(() => F.convTranspose2d(randn(1, 3, 4, 4), randn(2, 3, 3, 3))).toThrow(
      /weight of size \[2, 3, 3, 3\], expected input\[1, 3, 4, 4\] to have 2 channels, but got 3 channels instead/,
    );
    expect(() =>
      F.convTranspose2d(randn(1, 2, 4, 4), randn(2, 3, 3, 3), null, { stride: 2, outputPadding: 2 }),
    ).toThrow(/output padding must be smaller than either stride or dilation/);
    expect(() => F.interpolate(randn(1, 2, 3, 3), { size: 4, scaleFactor: 2 })).toThrow(
      /only one of size or scale_factor/,
    );
    expect(() => F.interpolate(randn(1, 2, 3, 3), { size: 4, alignCorners: true })).toThrow(
      /align_corners option can only be set with the interpolating modes/,
    );
    expect(() => F.interpolate(randn(1, 2, 3), { size: 4, mode: 'bilinear' })).toThrow(/bilinear mode needs 4D input/);
    expect(() => F.pixelShuffle(randn(1, 6, 2, 2), 2)).toThrow(/input.size\(-3\)=6 is not divisible by 4/);
    expect(() => F.fold(randn(1, 8, 10), [4, 5], 2)).toThrow(/sliding blocks 3 \* 4 = 12, but got input.size\(2\)=10/);
    expect(() => F.unfold(randn(1, 1, 2, 2), 3)).toThrow(/calculated shape of the array of sliding blocks as \(0, 0\)/);
    expect(() => F.adaptiveAvgPool2d(randn(2, 3), 2)).toThrow(/Expected 3D or 4D tensor for input/);
  });

  it('unfold and fold are adjoint, and fold(unfold(x)) counts each pixel once per covering block', () => {
    manualSeed(6);
    const x = randn(2, 3, 6, 5);
    const opts = { stride: [2, 1] as const, padding: 1, dilation: [1, 2] as const };
    const cols = F.unfold(x, [3, 2], opts);
    const c = randn(...cols.shape);
    const lhs = cols.mul(c).sum().item();
    const rhs = x
      .mul(F.fold(c, [6, 5], [3, 2], opts))
      .sum()
      .item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    const ones = x.mul(0).add(1);
    const counts = F.fold(F.unfold(ones, 2), [6, 5], 2);
    expectClose(counts.select(0, 0).select(0, 0).select(0, 0), [1, 2, 2, 2, 1]);
    // a NaN stays in its own columns
    const withNan = tensor([
      [
        [
          [1, 2],
          [Number.NaN, 4],
        ],
      ],
    ]);
    expect(Array.from(F.unfold(withNan, 1).dataSync())).toEqual([1, 2, Number.NaN, 4]);
  });

  it('adaptive max pooling returns PyTorch-style flat indices and routes the gradient to them', () => {
    const x = tensor(
      [
        [
          [
            [1, 9, 2],
            [4, 3, 8],
            [7, 5, 6],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    const r = F.adaptiveMaxPool2dWithIndices(x, 2);
    expectClose(r.values, [9, 9, 7, 8]);
    expect(Array.from(r.indices.dataSync())).toEqual([1, 1, 6, 5]);
    r.values.sum().backward();
    expectClose(x.grad!, [0, 2, 0, 0, 0, 1, 1, 0, 0]);
  });
});
