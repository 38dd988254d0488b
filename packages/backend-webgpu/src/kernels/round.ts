/** round: round half to even, as torch.round (WGSL round() is round-half-to-even). */
import { unaryKernel } from '../elementwise.js';

export const round = unaryKernel('round', () => `return round(x);`);
