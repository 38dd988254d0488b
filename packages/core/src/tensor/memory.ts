import { getBackend, listBackends } from '../backend/registry.js';
import { storageStats, type MemoryInfo } from './storage.js';

/** Live storages and bytes, overall and per backend (what core holds and what the backend reports). */
export function memory(): MemoryInfo {
  const info: MemoryInfo = { handles: 0, bytes: 0, backends: {} };
  const stats = storageStats();
  for (const name of new Set([...listBackends(), ...stats.keys()])) {
    const s = stats.get(name) ?? { handles: 0, bytes: 0 };
    let backendHandles = 0;
    let backendBytes = 0;
    try {
      const m = getBackend(name).memory();
      backendHandles = m.handles;
      backendBytes = m.bytes;
    } catch {
      // a removed backend: core's own counts still apply
    }
    info.handles += s.handles;
    info.bytes += s.bytes;
    info.backends[name] = { handles: s.handles, bytes: s.bytes, backendHandles, backendBytes };
  }
  return info;
}
