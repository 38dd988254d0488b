export * from './types.js';
export * from './idx.js';
export * from './download.js';
export * from './sources.js';
export * from './png.js';
export * from './samples.js';
