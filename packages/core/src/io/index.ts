/** Serialisation: safetensors state dicts (torch.save / torch.load's role, PyTorch-compatible files). */
export {
  serialize,
  serializeAsync,
  deserialize,
  deserializeMetadata,
  SafetensorsError,
  type LoadOptions,
  type Metadata,
  type StateDictInput,
} from './safetensors.js';
export {
  save,
  saveSync,
  load,
  loadAsync,
  loadMetadata,
  type SafetensorsBytes,
  type SafetensorsSource,
} from './file.js';
export {
  saveCheckpoint,
  saveCheckpointSync,
  loadCheckpoint,
  disposeCheckpoint,
  CHECKPOINT_METADATA_KEY,
  type Checkpoint,
} from './checkpoint.js';
