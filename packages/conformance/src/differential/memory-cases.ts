/** Differential cases for the memory kernels that compute (fill, copy); write/read/readSync/dispose run in every case. */
import { host } from '../reference/index.js';
import { type CaseList, f32, i32 } from './types.js';

export function memoryCases(list: CaseList): void {
  list.add('fill', 'fill [2,3] with 2.5', [], (k) => [k.fill([2, 3], 'float32', 2.5)], [f32([2, 3])]);
  list.add('copy', 'copy int32', [host([3], 'int32', [7, -8, 9])], (k, [a]) => [k.copy(a!)], [i32([3])]);
}
