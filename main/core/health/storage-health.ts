import { EventEmitter } from 'node:events';
import { statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock } from '../scheduling/clock.ts';
import type { Logger } from '../home/logger.ts';

// A full (or read-only, or failing) disk must never kill the host: every write the host makes goes
// through a try, and its failure becomes this state instead of an exception. What fails decides
// what it means: run start entries (runs/) failing means skills really are not running (down);
// only logs, status files or session history failing means degraded. Logs are given up first: run
// output is not kept once free space falls under a reserve, so the ledger keeps room to write.

export type StorageStatus = 'ok' | 'logs-failing' | 'runs-failing';

export interface StorageHealth {
  status: StorageStatus;
  /** The folder that cannot be written (or is nearly full), null when ok. */
  path: string | null;
  reason: string;
  since: string;
}

/** The file-system errors that mean "cannot write here now", as opposed to a bug. */
const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'EFBIG', 'EMFILE', 'ENFILE']);

export function isStorageError(err: unknown): err is NodeJS.ErrnoException {
  return typeof err === 'object' && err !== null && STORAGE_CODES.has((err as NodeJS.ErrnoException).code ?? '');
}

/** Free bytes for us on the file system holding `dir`, and its size; null when unknown. */
export function freeSpace(dir: string): { free: number; size: number } | null {
  try {
    const s = statfsSync(dir);
    return { free: s.bavail * s.bsize, size: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

/** Run output stops being kept under this much free space: min(16 MiB, 10 % of the file system). */
export function logReserveBytes(size: number): number {
  return Math.min(16 * 1024 * 1024, Math.floor(size / 10));
}

/** "0 bytes", "12 KiB", "3.4 MiB". */
export function bytesWords(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Why runs cannot start, in the words every view shows: the folder, the free space on its file
 * system and what it means ("disk full: /h/runs — 0 bytes free on the file system of /h; runs
 * cannot be recorded, so none start").
 */
export function runsFailingWords(code: string | undefined, runsDir: string): string {
  const space = freeSpace(runsDir);
  const free = space ? ` — ${bytesWords(space.free)} free on the file system of ${dirname(runsDir)}` : '';
  return `${storageWords(code)}: ${runsDir}${free}; runs cannot be recorded, so none start`;
}

/** Can a small file be written in `dir` right now? The error message when not. */
export function writeProbe(dir: string): string | null {
  const f = join(dir, `.write-probe-${process.pid}`);
  try {
    writeFileSync(f, 'probe\n', { mode: 0o600 });
    unlinkSync(f);
    return null;
  } catch (err) {
    try {
      unlinkSync(f);
    } catch {
      // never written
    }
    const code = (err as NodeJS.ErrnoException).code;
    // A folder that does not exist yet (a home where no host ran) is nothing to report here.
    return code === 'ENOENT' ? null : (code ?? (err as Error).message);
  }
}

/** A write error in words: "disk full", "read-only file system", ... */
export function storageWords(code: string | undefined): string {
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return 'disk full';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'EACCES' || code === 'EPERM') return 'no permission to write';
  return `cannot write (${code ?? 'error'})`;
}

/**
 * What the file system looks like from files alone (`clawkeeper status` uses it while the host may
 * be unable to write anything): a write probe in runs/ and logs/, and the free space.
 */
export function checkStorage(runsDir: string, logsDir: string, now = Date.now()): StorageHealth {
  const since = new Date(now).toISOString();
  const runs = writeProbe(runsDir);
  if (runs) return { status: 'runs-failing', path: runsDir, reason: runsFailingWords(runs, runsDir), since };
  const logs = writeProbe(logsDir);
  if (logs) return { status: 'logs-failing', path: logsDir, reason: `${storageWords(logs)}: ${logsDir}; run output is not kept`, since };
  const space = freeSpace(logsDir);
  if (space && space.free < logReserveBytes(space.size)) {
    return {
      status: 'logs-failing', path: logsDir,
      reason: `disk nearly full: ${logsDir} (${Math.round(space.free / 1024)} KiB free); run output is not kept`, since,
    };
  }
  return { status: 'ok', path: null, reason: '', since };
}

export type StorageEvents = { change: [StorageHealth]; 'runs-writable': [] };

/**
 * The host's view of its storage. Write failures are reported here; while not ok it probes every
 * `probeMs` and, once run entries can be written again, says so ('runs-writable') so the host can
 * write what it kept in memory and deal with the slots it could not start.
 */
export class StorageMonitor extends EventEmitter<StorageEvents> {
  private state: StorageHealth;
  private timer: NodeJS.Timeout | undefined;
  private readonly runsDir: string;
  private readonly logsDir: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly probeMs: number;

  constructor(o: { runsDir: string; logsDir: string; logger: Logger; clock: Clock; probeMs?: number }) {
    super();
    this.runsDir = o.runsDir;
    this.logsDir = o.logsDir;
    this.log = o.logger.child('storage');
    this.clock = o.clock;
    this.probeMs = o.probeMs ?? 1000;
    this.state = { status: 'ok', path: null, reason: '', since: new Date(o.clock.now()).toISOString() };
  }

  /** Layers that cannot write (session history): degraded, like logs, while the host's own writes work. */
  private readonly layerProblems = new Map<string, StorageHealth>();

  health(): StorageHealth {
    if (this.state.status === 'ok') for (const p of this.layerProblems.values()) return p;
    return this.state;
  }

  /** A layer reports that it cannot write (a reason), or that it can again (null). */
  layerWrites(layer: string, problem: string | null): void {
    if (problem === null) {
      if (this.layerProblems.delete(layer)) this.log.info(`the ${layer} layer can write again`);
    } else if (!this.layerProblems.has(layer)) {
      this.log.error(`the ${layer} layer cannot write: ${problem}`);
      this.layerProblems.set(layer, {
        status: 'logs-failing', path: /^[^:]+: (\S+);/.exec(problem)?.[1] ?? null, reason: problem, since: this.now(),
      });
    }
    this.emit('change', this.health());
  }

  /**
   * A write failed. Returns false for an error that is not about storage (the caller rethrows it).
   * `kind` runs: ledger and host state; logs: run output, status files, anything else.
   */
  writeFailed(kind: 'runs' | 'logs', path: string, err: unknown): boolean {
    if (!isStorageError(err)) return false;
    const dir = kind === 'runs' ? this.runsDir : this.logsDir;
    if (kind === 'runs') {
      this.set({ status: 'runs-failing', path: dir, reason: `${runsFailingWords(err.code, dir)} (${path})`, since: this.now() });
    } else if (this.state.status === 'ok') {
      this.set({
        status: 'logs-failing', path: dir,
        reason: `${storageWords(err.code)}: ${dir}; run output and status files are not kept (${path})`,
        since: this.now(),
      });
    }
    return true;
  }

  /** Whether a run starting now keeps its output: no while anything fails or space is under the reserve. */
  logsAllowed(): boolean {
    if (this.state.status !== 'ok') return false;
    const space = freeSpace(this.logsDir);
    if (space && space.free < logReserveBytes(space.size)) {
      this.set({
        status: 'logs-failing', path: this.logsDir,
        reason: `disk nearly full: ${this.logsDir} (${Math.round(space.free / 1024)} KiB free); run output is not kept`,
        since: this.now(),
      });
      return false;
    }
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private set(next: StorageHealth): void {
    const prev = this.state;
    if (prev.status === next.status && prev.path === next.path) return;
    this.state = next.status === prev.status ? { ...next, since: prev.since } : next;
    if (next.status === 'ok') this.log.info(`storage is writable again (was: ${prev.reason})`);
    else this.log.error(next.reason);
    this.emit('change', this.state);
    if (prev.status === 'runs-failing' && next.status !== 'runs-failing') this.emit('runs-writable');
    // What 'runs-writable' wrote may have failed again (a new state, with its own probe timer):
    // stop probing only if the disk is still fine.
    if (this.state.status === 'ok') this.stop();
    else if (!this.timer) {
      this.timer = setInterval(() => this.probe(), this.probeMs);
      this.timer.unref();
    }
  }

  /** While not ok: is it still so? Recovery is noticed here, by itself. */
  probe(): void {
    const seen = checkStorage(this.runsDir, this.logsDir, this.clock.now());
    this.set(seen);
  }
}
