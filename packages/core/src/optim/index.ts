// Filled in by the optim module.
export {};
