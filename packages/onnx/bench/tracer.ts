/**
 * The op tracer's cost on core's op boundary: ns per op for small adds with no tracer installed
 * (the normal case: one comparison per op) and with a tracer that does nothing.
 * Run: pnpm --filter @flint/onnx exec tsx bench/tracer.ts
 */
import '@flint/backend-cpu';
import { type OpTracer, ones, setOpTracer } from '@flint/core';

const a = ones([4]);
const b = ones([4]);

function nsPerOp(n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) a.add(b).dispose();
  return Number(process.hrtime.bigint() - start) / n;
}

const noop: OpTracer = { enter() {}, exit() {} };
const rounds = 7;
const n = 200_000;
nsPerOp(n); // warm up
const without: number[] = [];
const withNoop: number[] = [];
for (let r = 0; r < rounds; r++) {
  without.push(nsPerOp(n));
  setOpTracer(noop);
  withNoop.push(nsPerOp(n));
  setOpTracer(undefined);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`add on [4] (cpu), median of ${rounds} x ${n} ops:`);
console.log(`  no tracer installed: ${median(without).toFixed(0)} ns/op`);
console.log(`  a no-op tracer:      ${median(withNoop).toFixed(0)} ns/op`);
