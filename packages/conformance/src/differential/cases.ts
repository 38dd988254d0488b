/** Every differential case, in a fixed order (inputs are drawn from seeded generators, so runs repeat exactly). */
import { elementwiseCases } from './elementwise-cases.js';
import { imageCases } from './image-cases.js';
import { indexingCases } from './indexing-cases.js';
import { layoutCases } from './layout-cases.js';
import { linalgCases } from './linalg-cases.js';
import { lossCases } from './loss-cases.js';
import { memoryCases } from './memory-cases.js';
import { optimCases } from './optim-cases.js';
import { reduceCases } from './reduce-cases.js';
import { scatterCases } from './scatter-cases.js';
import { sortingCases } from './sorting-cases.js';
import { CaseList, type DifferentialCase } from './types.js';

export function buildDifferentialCases(): DifferentialCase[] {
  const list = new CaseList();
  memoryCases(list);
  elementwiseCases(list);
  reduceCases(list);
  linalgCases(list);
  layoutCases(list);
  indexingCases(list);
  scatterCases(list);
  imageCases(list);
  sortingCases(list);
  optimCases(list);
  lossCases(list);
  return list.cases;
}
