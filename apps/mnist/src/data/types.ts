/** The data sets the CLI can train on (`--dataset`). */
export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** One split of an image-classification data set as plain typed arrays (no tensor dependency). */
export interface ImageSet {
  /** count*rows*cols pixels, row-major, image after image, values in [0, 1] (byte / 255). */
  images: Float32Array;
  /** count class indices. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** Where this split came from (a file path pair, a package, a cache directory...). */
  source: string;
}

/** A train/test pair plus a human-readable account of how it was resolved. */
export interface Dataset {
  name: 'mnist' | 'fashion-mnist' | 'idx';
  train: ImageSet;
  test: ImageSet;
  /** Short machine-friendly tag of the resolution path taken, e.g. "data-dir", "cache", "embedded". */
  source: string;
  /** One or two sentences saying exactly which data is in train and test. */
  description: string;
  /** Non-fatal problems met while resolving (e.g. a failed download that fell back to embedded data). */
  warnings: string[];
}
