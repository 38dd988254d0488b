/**
 * The second GEMM thread's program and its hand-off protocol (see gemm-threads.ts).
 *
 * The worker is started from this source text (`new Worker(source, { eval: true })`), so the
 * package needs no separate worker file that bundlers would have to find. It instantiates the
 * compiled shared-memory GEMM modules it is sent on the caller's shared WebAssembly.Memory, then
 * serves one job at a time through `ctrl`, an Int32Array over a SharedArrayBuffer:
 *
 *   ctrl[STATE]: STARTING -> IDLE (ready); the caller writes a job's arguments and sets POSTED;
 *   the worker claims it (POSTED -> TAKEN, compare-exchange), runs it and sets DONE or FAILED; the
 *   caller reads the result and sets IDLE. A caller that finds its job still POSTED takes it back
 *   (POSTED -> IDLE) and runs it itself.
 */

export const STARTING = 0;
export const IDLE = 1;
export const POSTED = 2;
export const TAKEN = 3;
export const DONE = 4;
export const FAILED = 5;

/** Index of the state word. */
export const STATE = 0;
/** ctrl[ARGS .. ARGS + 18]: the gemm export's 19 arguments. */
export const ARGS = 1;
/** 1: run the micro-tiles on the FMA kernel (the caller's current setting). */
export const FMA = 20;
/**
 * Fault injection for the recovery tests: 1 exits the worker right after it claims a job (it dies
 * mid-call); 2 sleeps ctrl[FAULT_MS] ms after claiming, then runs the job (a stalled, late worker).
 */
export const FAULT = 21;
export const FAULT_MS = 22;
/** 1: poll for the next job a while (spinMs) before sleeping; 0: sleep at once. */
export const SPIN = 23;
/** Int32 words in ctrl. */
export const CTRL_WORDS = 32;

/**
 * The worker's source (a script: `eval: true`). It loads worker_threads through
 * process.getBuiltinModule, as gemm-threads.ts does, so no `require('node:…')` appears in browser
 * bundles (apps/web's packaging test checks).
 */
export const WORKER_SOURCE = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { memory, gemmModule, fmaModule, ctrlBuffer, spinMs } = workerData;
const ctrl = new Int32Array(ctrlBuffer);
let kernel_fma = () => { throw new Error('the relaxed-SIMD GEMM kernel is not loaded'); };
if (fmaModule) kernel_fma = new WebAssembly.Instance(fmaModule, { env: { memory } }).exports.kernel;
const ex = new WebAssembly.Instance(gemmModule, { env: { memory, kernel_fma } }).exports;
const gemm = ex.gemm;
const a = ${ARGS};
Atomics.store(ctrl, ${STATE}, ${IDLE});
Atomics.notify(ctrl, ${STATE});
for (;;) {
  const s = Atomics.load(ctrl, ${STATE});
  if (s === ${POSTED} && Atomics.compareExchange(ctrl, ${STATE}, ${POSTED}, ${TAKEN}) === ${POSTED}) {
    const fault = ctrl[${FAULT}];
    if (fault === 1) process.exit(0);
    if (fault === 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ctrl[${FAULT_MS}]);
    let ok = true;
    try {
      ex.fma.value = ctrl[${FMA}];
      gemm(ctrl[a], ctrl[a + 1], ctrl[a + 2], ctrl[a + 3], ctrl[a + 4], ctrl[a + 5], ctrl[a + 6], ctrl[a + 7],
        ctrl[a + 8], ctrl[a + 9], ctrl[a + 10], ctrl[a + 11], ctrl[a + 12], ctrl[a + 13], ctrl[a + 14],
        ctrl[a + 15], ctrl[a + 16], ctrl[a + 17], ctrl[a + 18]);
    } catch {
      ok = false;
    }
    Atomics.store(ctrl, ${STATE}, ok ? ${DONE} : ${FAILED});
    Atomics.notify(ctrl, ${STATE});
    // a training step's GEMMs come back to back: poll a while before sleeping (a futex wake-up
    // costs tens of microseconds)
    const t0 = performance.now();
    const spin = ctrl[${SPIN}] === 1 ? spinMs : 0;
    while (Atomics.load(ctrl, ${STATE}) !== ${POSTED} && performance.now() - t0 < spin);
  } else if (s !== ${POSTED}) Atomics.wait(ctrl, ${STATE}, s);
}
`;
