import { join } from 'node:path';
import { formatStatusLine, type StatusFields } from '../../common/status-line.ts';
import type { RunOutcome } from '../../common/types.ts';
import { writeFileNoFollow } from '../home/no-follow.ts';

/**
 * Writes skills/status/<name>.txt, the file the article's health check counts. Atomic (temp file
 * + rename) so a reader never sees half a line, and rewritten on every run so its mtime is fresh.
 * A link planted at that name is replaced by the file, never written through (no-follow.ts).
 */
export function writeStatusFile(
  statusDir: string, skill: string,
  base: { status: RunOutcome; timestamp: string; duration_ms: number; run_id: string }, fields: StatusFields,
): string {
  const line = formatStatusLine({
    status: base.status,
    timestamp: base.timestamp,
    duration_ms: String(base.duration_ms),
    run_id: base.run_id,
    ...fields,
  });
  const file = join(statusDir, `${skill}.txt`);
  // fsync off: the rename is what makes it atomic against a crashed host; power loss is out of scope.
  writeFileNoFollow(file, line + '\n', 0o600);
  return file;
}
