import { readFileSync } from 'node:fs';

/**
 * The pid in host.lock when that process is alive (another host holds the home folder), else
 * null. EPERM means alive under another user (a LaunchDaemon, a system unit).
 */
export function lockHolderPid(lockFile: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
