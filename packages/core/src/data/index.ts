/** torch.utils.data: datasets and the DataLoader. */
export { Dataset, TensorDataset, Subset, randomSplit, type DatasetLike } from './dataset.js';
export { DataLoader, defaultCollate, type Collated, type DataLoaderOptions } from './dataloader.js';
