/**
 * Saving and loading: safetensors weights, full training checkpoints, atomic file writes.
 * @module
 */
export {
  saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors, readSafetensorsHeader, safetensorsChunks,
  type TensorMap, type SafetensorsData, type SafetensorsDType, type SafetensorsEntry, type SafetensorsHeader, type SafetensorsReadOptions,
} from './safetensors.js';
export {
  saveCheckpoint, loadCheckpoint, serializeCheckpoint, parseCheckpoint, packCheckpoint, unpackCheckpoint,
  type Checkpoint, type LoadedCheckpoint,
} from './checkpoint.js';
export { writeFileAtomic, type AtomicData } from './atomic.js';
export { flattenTree, unflattenTree, type JsonValue } from './state_tree.js';
