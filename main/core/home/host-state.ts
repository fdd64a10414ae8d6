// runs/_host.json: the host's liveness (its pid, when it started, when it was last awake),
// rewritten every second. Its one owner: the host writes it, `status` and the reconciler read it.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';

export interface HostState {
  pid: number;
  started_at: string;
  last_alive: string;
}

/** The last state written, or null (none yet, or unreadable). */
export function readHostState(file: string): HostState | null {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as HostState;
    return typeof s.last_alive === 'string' && typeof s.pid === 'number' ? s : null;
  } catch {
    return null;
  }
}

/** Throws what the file system throws (the host decides what a full disk means). */
export function writeHostState(file: string, state: HostState): void {
  writeFileAtomic.sync(file, JSON.stringify(state) + '\n', { mode: 0o600, fsync: false });
}
