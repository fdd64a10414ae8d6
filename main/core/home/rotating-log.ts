// The host's own log when it runs as a service (CLAWKEEPER_LOG_FILE): launchd and a plain
// redirect never rotate, so a host up for months would fill the disk. Past `maxBytes` the file
// becomes `<file>.1` (one generation kept): at most 2 × maxBytes on disk.
import { appendFileSync, mkdirSync, renameSync, statSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { createFileLogger, type Logger } from './logger.ts';

export const LOG_MAX_BYTES = 5 * 1024 * 1024;

export function rotateIfOver(file: string, maxBytes: number): void {
  try {
    if (statSync(file).size > maxBytes) renameSync(file, `${file}.1`);
  } catch {
    // no file yet
  }
}

/** A file logger that rotates itself; checks the size every 100 lines (a stat per line costs more than the line). */
export function createRotatingLogger(file: string, maxBytes = LOG_MAX_BYTES): Logger {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  rotateIfOver(file, maxBytes);
  let lines = 0;
  const inner = createFileLogger(file);
  const wrap = (l: Logger): Logger => ({
    info: (m) => tick(() => l.info(m)),
    warn: (m) => tick(() => l.warn(m)),
    error: (m) => tick(() => l.error(m)),
    child: (c) => wrap(l.child(c)),
  });
  const tick = (write: () => void) => {
    write();
    if (++lines % 100 === 0) rotateIfOver(file, maxBytes);
  };
  return wrap(inner);
}

/** launchd's StandardErrorPath only ever gets a crash trace; keep it small at each start. */
export function trimFile(file: string, maxBytes: number): void {
  try {
    if (statSync(file).size > maxBytes) {
      truncateSync(file, 0);
      appendFileSync(file, `${new Date().toISOString()} (trimmed at start: it was over ${maxBytes} bytes)\n`);
    }
  } catch {
    // none
  }
}

/** The logger of a host run as a service: CLAWKEEPER_LOG_FILE, rotated, and launchd's stderr file kept small. */
export function createServiceLogger(file: string): Logger {
  trimFile(`${dirname(file)}/host.stderr.log`, 1024 * 1024);
  return createRotatingLogger(file);
}
