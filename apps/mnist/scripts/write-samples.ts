// Usage: pnpm --filter @flint/mnist samples [index...]   (default: test-set digits 0-4)
// Writes apps/mnist/samples/digit-<label>-idx<index>.png from the real MNIST test set.
import { fileURLToPath } from 'node:url';
import { writeSamplePngs } from '../src/data/samples.js';

const outDir = fileURLToPath(new URL('../samples/', import.meta.url));
const indices = process.argv.slice(2).map(Number);
for (const s of writeSamplePngs(outDir, indices.length > 0 ? indices : undefined)) {
  console.log(`${s.path}  (test-set index ${s.index}, label ${s.label})`);
}
