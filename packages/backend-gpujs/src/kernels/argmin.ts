/** argmin along one axis: int32 index of the first minimum (a NaN counts as the minimum, as in torch). */
import { argReduceKernel } from '../argreduce.js';

export const argmin = argReduceKernel('argmin');
