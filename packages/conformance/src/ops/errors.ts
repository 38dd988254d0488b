/**
 * The same bad input raises the same error on every backend: core validates shapes and dtypes
 * before any kernel runs, so each case below must throw a message matching `expected` (which names
 * what was wrong — both shapes on a mismatch) and must leave no backend handle behind.
 */
import type { FlintApi, Tensor } from './adapters.js';

export interface ErrorCase {
  readonly name: string;
  readonly expected: RegExp;
  /** Builds inputs on `device` and performs the bad call. */
  readonly run: (api: FlintApi, device: string) => unknown;
}

/** nn.functional looked up by name, as the adapters do (a missing function fails its case, not the build). */
const F = (api: FlintApi): Record<string, (...args: unknown[]) => unknown> =>
  (api.nn as unknown as { functional: Record<string, (...args: unknown[]) => unknown> }).functional;

export const ERROR_CASES: readonly ErrorCase[] = [
  {
    name: 'matmul of mismatched inner dims names both shapes',
    expected: /\[2, 3\].*\[4, 5\]|2x3 and 4x5/,
    run: (api, device) => api.zeros([2, 3], { device }).matmul(api.zeros([4, 5], { device })),
  },
  {
    name: 'batched matmul with non-broadcastable batch dims names both shapes',
    expected: /\[2\].*\[3\]|\[2, 4, 4\].*\[3, 4, 4\]|size of tensor a \(2\) must match the size of tensor b \(3\)/,
    run: (api, device) => api.zeros([2, 4, 4], { device }).matmul(api.zeros([3, 4, 4], { device })),
  },
  {
    name: 'broadcasting mismatch in add names both shapes',
    expected:
      /\[2, 3\] and \[4\].*size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1/,
    run: (api, device) => api.zeros([2, 3], { device }).add(api.zeros([4], { device })),
  },
  {
    name: 'broadcasting mismatch in where names the shapes',
    expected: /\[3\].*\[2\]/,
    run: (api, device) =>
      api.where(api.zeros([3], { device, dtype: 'bool' }), api.zeros([3], { device }), api.zeros([2], { device })),
  },
  {
    name: 'mseLoss with mismatched shapes names both shapes',
    expected: /\[4, 3\].*\[4, 2\]|\[4, 2\].*\[4, 3\]/,
    run: (api, device) => F(api).mseLoss!(api.zeros([4, 3], { device }), api.zeros([4, 2], { device })),
  },
  {
    name: 'crossEntropy with float targets where class indices are expected',
    expected: /int32|class ind/i,
    run: (api, device) => F(api).crossEntropy!(api.zeros([4, 3], { device }), api.zeros([4], { device })),
  },
  {
    name: 'crossEntropy with a target batch that does not match the input names both shapes',
    expected: /\[4, 3\].*\[5\]|\[5\].*\[4, 3\]/,
    run: (api, device) =>
      F(api).crossEntropy!(api.zeros([4, 3], { device }), api.zeros([5], { device, dtype: 'int32' })),
  },
  {
    name: 'backward() of a non-scalar without a gradient',
    expected: /implicitly created only for scalar outputs.*\[2, 2\]/,
    run: (api, device) => api.ones([2, 2], { device, requiresGrad: true }).mul(2).backward(),
  },
  {
    name: 'reshape to an incompatible shape',
    expected: /shape '\[4, 4\]' is invalid for input of size 6/,
    run: (api, device) => api.zeros([2, 3], { device }).reshape(4, 4),
  },
  {
    name: 'cat of tensors that differ outside the cat dim names both shapes',
    expected: /Sizes of tensors must match except in dimension 0.*\[2, 3\] and \[2, 4\]/,
    run: (api, device) => api.cat([api.zeros([2, 3], { device }), api.zeros([2, 4], { device })], 0),
  },
  {
    name: 'conv2d with the wrong number of input channels',
    expected: /expected input\[1, 2, 8, 8\] to have 3 channels, but got 2 channels/,
    run: (api, device) => F(api).conv2d!(api.zeros([1, 2, 8, 8], { device }), api.zeros([4, 3, 3, 3], { device })),
  },
  {
    name: 'linear with the wrong number of features',
    expected: /\[8, 5\].*4x3|shapes cannot be multiplied/,
    run: (api, device) => F(api).linear!(api.zeros([8, 5], { device }), api.zeros([3, 4], { device })),
  },
  {
    name: 'gather with a float index',
    expected: /Expected dtype int32 for index, got float32/,
    run: (api, device) => api.zeros([3, 3], { device }).gather(1, api.zeros([3, 1], { device })),
  },
  {
    name: 'dim out of range',
    expected: /Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/,
    run: (api, device) => api.zeros([2, 3], { device }).sum(2),
  },
  {
    name: 'item() of a multi-element tensor',
    expected: /a Tensor with 6 elements cannot be converted to Scalar/,
    run: (api, device) => api.zeros([2, 3], { device }).item(),
  },
  {
    name: 'in-place op on a leaf that requires grad',
    expected: /leaf Variable that requires grad is being used in an in-place operation/,
    run: (api, device) => api.zeros([2], { device, requiresGrad: true }).add_(1),
  },
  {
    name: 'index tensors that do not broadcast name both shapes',
    expected: /indexing tensors could not be broadcast together with shapes \[2\], \[3\]/,
    run: (api, device) =>
      api
        .zeros([3, 4], { device })
        .index(api.zeros([2], { device, dtype: 'int32' }), api.zeros([3], { device, dtype: 'int32' })),
  },
  {
    name: "a number index out of range (PyTorch's message)",
    expected: /index 5 is out of bounds for dimension 1 with size 4/,
    run: (api, device) => api.zeros([3, 4], { device }).index(0, 5),
  },
];

/** Runs `fn` inside tidy so that the inputs a failed call created are freed either way. */
export function expectError(api: FlintApi, device: string, c: ErrorCase): Error {
  try {
    api.tidy(() => {
      c.run(api, device);
    });
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${c.name}: expected an error matching ${c.expected}, but the call succeeded`);
}

export type { Tensor };
