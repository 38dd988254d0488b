/**
 * @flint/onnx: export a Flint model to ONNX (traced in eval mode) and import an ONNX model as a
 * Flint module for inference.
 */
export { exportModel, type ExportOptions } from './export.js';
export { exportModelToFile } from './file.js';
export { importModel, OnnxModule, type ImportOptions } from './import.js';
