// @flint/core public entry — filled in as the packages land.
export * from './backend/index.js';
