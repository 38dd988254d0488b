/**
 * Child-process fixture for process-listeners.test.ts, run as `node --import tsx` (paths mapped to
 * the workspace sources by the tsconfig). It loads Flint with the cpu and tfjs backends, makes tfjs
 * initialise its wasm engine, then fails in the way named by argv[2] with a Flint shape error on the
 * cpu device, which must reach Node's default handling (exit code 1, Flint's message on stderr).
 */
import '@flint/backend-cpu';
import { matmul, ones, setBackend } from '@flint/core';
import { tfjsBackend } from './index.js';

type Failure = 'throw' | 'timer' | 'reject';
const failures: readonly Failure[] = ['throw', 'timer', 'reject'];

const failure = process.argv[2] as Failure;
if (!failures.includes(failure)) {
  console.error(`usage: test-uncaught-error.ts ${failures.join('|')} (got ${String(process.argv[2])})`);
  process.exit(2);
}

await tfjsBackend.init();
setBackend('cpu');
// Printed so the test can check that the wasm engine really was initialised in this process.
console.log(`tfjs engine: ${tfjsBackend.engine()}`);

const mismatched = (): unknown => matmul(ones([2, 3]), ones([4, 5]));

if (failure === 'throw') {
  mismatched();
} else if (failure === 'timer') {
  setTimeout(mismatched, 0);
} else {
  void (async () => mismatched())();
}
