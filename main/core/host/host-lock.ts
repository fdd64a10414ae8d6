import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { ClawError } from '../../common/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One host per home folder: two schedulers on one ledger would run slots twice. The lock holds the
 * pid; a lock whose process is gone (kill -9, power loss) is taken over.
 */
const heldHere = new Set<string>();

export function acquireHostLock(file: string): () => void {
  if (heldHere.has(file)) {
    throw new ClawError(
      'CK_HOME_LOCKED', 'host',
      `another ClawKeeper host (pid ${process.pid}) is already running with ${file.replace(/\/host\.lock$/, '')}; stop it first or use another CLAWKEEPER_HOME`,
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = NaN;
      try {
        pid = Number(readFileSync(file, 'utf8').trim());
      } catch {
        // unreadable lock: treat as stale
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new ClawError(
          'CK_HOME_LOCKED', 'host',
          `another ClawKeeper host (pid ${pid}) is already running with ${file.replace(/\/host\.lock$/, '')}; stop it first or use another CLAWKEEPER_HOME`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new ClawError('CK_HOME_LOCKED', 'host', `could not take the lock ${file}; remove it if no host is running`);
}

/**
 * The pid of a live process holding the lock, or null when nobody does (no file, or its process
 * is gone). How the CLI decides between asking the host and running a skill itself.
 */
export function liveLockHolder(file: string): number | null {
  let pid = NaN;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}
