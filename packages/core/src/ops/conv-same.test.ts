import '@flint/backend-cpu';
import { expect, it } from 'vitest';
import { arange, tensor } from '../index.js';
import { conv2d } from './conv.js';

it("conv2d padding 'same' with an even kernel pads the extra row/column at the bottom/right (torch values)", () => {
  const x = arange(16).reshape(1, 1, 4, 4).requiresGrad_();
  const w = tensor([
    [
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ]);
  const y = conv2d(x, w, null, { padding: 'same' });
  // F.conv2d(torch.arange(16.).reshape(1,1,4,4), [[[[1,2],[3,4]]]], padding='same')
  expect(Array.from(y.dataSync())).toEqual(TORCH);
  y.sum().backward();
  expect(Array.from(x.grad!.dataSync())).toEqual(TORCH_GRAD);
});
const TORCH = [34, 44, 54, 24, 74, 84, 94, 40, 114, 124, 134, 56, 38, 41, 44, 15];
// x.grad of y.sum() in torch
const TORCH_GRAD = [1, 3, 3, 3, 4, 10, 10, 10, 4, 10, 10, 10, 4, 10, 10, 10];
