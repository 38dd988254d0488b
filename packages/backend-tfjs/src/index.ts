/**
 * @flint/backend-tfjs in Node (package.json's "node" condition): the Node half of the engine
 * selection (tfjs-node, the wasm binaries on disk, synchronous init) installed first, then the
 * same registration and exports as the browser entry.
 */
import './node.js';

export * from './index.browser.js';
