/**
 * The data model metadata of GET /v1/apps/{appId}/data/metadata. Scenarios store what an app's
 * last reload produced; the hardware part always describes the machine the double runs on, as a
 * real engine reports its own host.
 */
import os from 'node:os';
import type { DataModelMetadata, HardwareMeta } from '../spec/types';
import { cloneJson } from './clone';

export function hostHardware(): HardwareMeta {
  return { logical_cores: os.cpus().length, total_memory: os.totalmem() };
}

/** What the engine answers for an app without metadata ("an empty metadata structure"). */
export function emptyDataModel(): DataModelMetadata {
  return { reload_meta: { cpu_time_spent_ms: 0, hardware: hostHardware() }, static_byte_size: 0, fields: [], tables: [] };
}

/** A copy of the stored metadata as reported: the host's hardware, the stored figures otherwise. */
export function reportedDataModel(stored: DataModelMetadata | undefined): DataModelMetadata {
  if (stored === undefined) return emptyDataModel();
  const copy = cloneJson(stored);
  return { ...copy, reload_meta: { cpu_time_spent_ms: 0, ...copy.reload_meta, hardware: hostHardware() } };
}
