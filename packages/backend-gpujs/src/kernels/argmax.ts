/** argmax along one axis: int32 index of the first maximum (a NaN counts as the maximum, as in torch). */
import { argReduceKernel } from '../argreduce.js';

export const argmax = argReduceKernel('argmax');
