import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

/**
 * Conformance cases that call core's synchronous readbacks (dataSync/item): WebGPU maps buffers
 * asynchronously, so on this backend they can only throw (src/sync-reads.test.ts checks that they
 * do, with the message naming `await t.data()`). `serialize` reads with dataSync (serializeAsync is
 * swept and passes), `deserialize`'s sweep builds its bytes with serialize, F.oneHot without
 * numClasses reads the largest index with item(), allclose/equal return a JavaScript boolean, and
 * repeatInterleave with a tensor of repeats reads the repeats (as PyTorch does).
 */
const SYNC_READ_CASES =
  /^conformance (leak sweep \(every public op outside tidy, src\/ops\/leaks\.ts\) (serialize|deserialize|F\.oneHot|(Tensor\.)?(allclose|equal|repeatInterleave))|ops \(PyTorch fixtures via the public API\) repeat_interleave \[[^\]]*\] \[.*)$/;

export default defineConfig({
  ...sharedConfig,
  test: {
    ...sharedConfig.test,
    testNamePattern: new RegExp(`^(?!${SYNC_READ_CASES.source.slice(1, -1)}$)`),
  },
});
