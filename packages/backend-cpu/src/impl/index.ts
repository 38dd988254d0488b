/**
 * The pure implementations: functions on typed arrays and shapes, no storage wrapper. Other
 * backends may use them as a host fallback; faster implementations can replace them one by one.
 */
export * as unary from './unary.js';
export * as binary from './binary.js';
export * as reduce from './reduce.js';
export * as layout from './layout.js';
export * as indexing from './indexing.js';
export * as conv from './conv.js';
export * as pool from './pool.js';
export * as nn from './nn.js';
export { matmul, batchOffsets } from './matmul.js';
export { gemm, gemmImpl, setGemmImpl, type GemmImpl, type MatrixView } from './gemm.js';
export { gemmJs } from './gemm-js.js';
export { gemmWasm, wasmSimdAvailable, detectWasmSimd } from './gemm-wasm.js';
export { erf64, erfc64, gelu64 } from './erf.js';
export { collapseDims, forEachRun, stridedCopy, dtypeOf, alloc, allocLike } from './util.js';
