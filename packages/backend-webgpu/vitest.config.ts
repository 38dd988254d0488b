import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

/**
 * Conformance cases that call core's synchronous readbacks (dataSync/item): WebGPU maps buffers
 * asynchronously, so on this backend they can only throw (src/sync-reads.test.ts checks that they
 * do, with the message naming `await t.data()`). `serialize` reads with dataSync (serializeAsync is
 * swept and passes), `deserialize`'s sweep builds its bytes with serialize, F.oneHot without
 * numClasses reads the largest index with item(), allclose/equal return a JavaScript boolean,
 * repeatInterleave with a tensor of repeats reads the repeats (as PyTorch does), and so do the ops
 * whose output shape depends on the values: nonzero/argwhere, unique/uniqueConsecutive, bincount
 * without a minlength, multinomial (its checks and draws need the probabilities on the host), and
 * indexing with a bool mask (x.index(mask), maskedSelect, writes through a mask other than a masked
 * fill: the ops-indexing.json cases named *_mask, and indexPut's mask variant in the leak sweep).
 */
const SYNC_READ_CASES =
  /^conformance (leak sweep \(every public op outside tidy, src\/ops\/leaks\.ts\) (serialize|deserialize|F\.oneHot|indexPut|(Tensor\.)?(allclose|equal|repeatInterleave|nonzero|argwhere|unique|uniqueConsecutive|bincount|multinomial|maskedSelect))|ops \(PyTorch fixtures via the public API\) (repeat_interleave \[[^\]]*\] \[.*|(Tensor\.)?(nonzero|argwhere|unique|unique_consecutive) .*|(Tensor\.)?bincount (\[[^\]]*\] ?)+(\{"minlength": 0\})?|(index_mask|setitem_mask|index_put_mask|(Tensor\.)?masked_select) .*))$/;

export default defineConfig({
  ...sharedConfig,
  test: {
    ...sharedConfig.test,
    testNamePattern: new RegExp(`^(?!${SYNC_READ_CASES.source.slice(1, -1)}$)`),
  },
});
