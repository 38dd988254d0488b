// CommonJS consumers: require() of the ESM-only packages works on Node >= 20.19 / 22.12
// (require(esm)), because no entry uses top-level await. Prints one JSON line for require.test.ts.
const flint = require('@flint/core');
const { cpuBackend } = require('@flint/backend-cpu');
const doubled = flint.tensor([1, 2, 3]).mul(2);
flint.ready().then((report) => {
  process.stdout.write(
    `${JSON.stringify({
      values: Array.from(doubled.dataSync()),
      device: doubled.device,
      cpuRegistered: flint.getBackend('cpu') === cpuBackend,
      backends: flint.listBackends(),
      failed: report.failed,
    })}\n`,
  );
});
