import { modeOf, type Layers, type Mode } from '../common/health.js';
import type { StorageHealth } from './storage-health.ts';

/**
 * Storage in the health model (until the health composer owns it): while run start entries cannot
 * be written the runtime is failed (mode down: skills really are not running), with the reason and
 * the path; while only logs, status files or history fail, the runtime stays ok with that reason
 * and the mode is at most degraded. Changes `layers` in place; returns the mode to use, or null
 * for modeOf's.
 */
export function withStorage(layers: Layers, storage: StorageHealth): Mode | null {
  if (storage.status === 'runs-failing') {
    layers.runtime = { status: 'failed', since: storage.since, reason: storage.reason };
    return null;
  }
  if (storage.status === 'logs-failing') {
    if (layers.runtime.status === 'ok') layers.runtime = { ...layers.runtime, reason: storage.reason };
    const mode = modeOf(layers);
    return mode === 'operational' ? 'degraded' : mode;
  }
  return null;
}
