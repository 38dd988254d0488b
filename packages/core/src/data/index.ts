// Filled in by the data module.
export {};
