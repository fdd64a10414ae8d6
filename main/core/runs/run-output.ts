// A run's output on its way to the log: kept up to the cap, dropped (and counted) past it or while
// storage is short, with the part the result reads kept aside. The runner (runner.ts) owns one per run.
import { constants, createWriteStream, lstatSync, mkdirSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { RunOutcome } from '../../common/types.ts';
import type { RunnerOptions } from './runner.ts';
import { isRealFolder } from '../home/no-follow.ts';

const TAIL_BYTES = 64 * 1024;

type OutputOptions = Pick<RunnerOptions, 'logCapBytes' | 'logsKept' | 'logsAllowed' | 'onLogError'>;

/** A run's output: its log file, and what the result reads (the stdout tail, the last stderr line). */
export class RunOutput {
  readonly logFile: string;
  private readonly logDir: string;
  private readonly opts: OutputOptions;
  private readonly cap: number;
  private readonly log: Writable;
  logged = 0;
  dropped = 0;
  private sinceCheck = 0;
  private logOff = false;
  stdoutTail = '';
  lastStderr = '';

  constructor(logDir: string, logFile: string, opts: OutputOptions) {
    this.logDir = logDir;
    this.logFile = logFile;
    this.opts = opts;
    this.cap = opts.logCapBytes ?? 1024 * 1024;
    this.log = openLog(logDir, logFile, opts);
  }

  capture(chunk: Buffer, isStdout: boolean): void {
    this.sinceCheck += chunk.length;
    if (this.sinceCheck >= 16 * 1024 && !this.logOff) {
      this.sinceCheck = 0;
      this.logOff = this.opts.logsAllowed?.() === false;
    }
    const room = this.logOff ? 0 : this.cap - this.logged;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.log.write(part);
      this.logged += part.length;
      this.dropped += chunk.length - part.length;
    } else {
      this.dropped += chunk.length;
    }
    const text = chunk.toString('utf8');
    if (isStdout) {
      this.stdoutTail = (this.stdoutTail + text).slice(-TAIL_BYTES);
    } else {
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) this.lastStderr = lines[lines.length - 1]!.slice(0, 500);
    }
  }

  /** Why output is missing from the log, if some is: the run's result warns of it. */
  lossWarning(): string | null {
    if (this.logOff) return `the disk is nearly full: ${this.dropped} bytes of output not kept in the log`;
    if (this.dropped > 0) return `output over ${this.cap} bytes: ${this.dropped} bytes not kept in the log`;
    return null;
  }

  /** Ends the log with the outcome, then prunes the skill's old logs. */
  close(outcome: RunOutcome, error: string | undefined): void {
    const dropped = this.dropped > 0 ? ` (${this.dropped} bytes of output dropped)` : '';
    const trailer = `\n[clawkeeper] ${outcome}${error ? `: ${error}` : ''}${dropped}\n`;
    this.log.end(trailer, () => {
      pruneLogs(this.logDir, this.opts.logsKept ?? 30);
    });
  }
}

/** The run's log file, or a sink that drops everything when logs are given up or cannot be opened. */
function openLog(logDir: string, logFile: string, opts: OutputOptions): Writable {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  if (opts.logsAllowed?.() === false) return sink();
  try {
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    // logs/<skill> is ours: a link someone put there instead is never written through.
    if (!isRealFolder(logDir)) throw new Error(
      `${logDir} is not a folder the host made (a link?); move it away and the next run's log is written`,
    );
  } catch (err) {
    opts.onLogError?.(logDir, err);
    return sink();
  }
  // Never through a link at its name (the run id is random, but be sure): O_NOFOLLOW fails on one.
  let fd: number;
  try {
    fd = openSync(logFile, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o600);
  } catch (err) {
    opts.onLogError?.(logFile, err);
    return sink();
  }
  const log = createWriteStream(logFile, { fd });
  let reported = false;
  log.on('error', (err) => {
    if (!reported) opts.onLogError?.(logFile, err);
    reported = true;
  });
  return log;
}

/** A log the host wrote: `<run id>.log` (runs-in-flight.ts newRunId: base-36 time, 8 hex digits). */
export const RUN_LOG_NAME = /^[0-9a-z]+-[0-9a-f]{8}\.log$/;

/**
 * Keeps the newest `keep` logs of a skill. Deletes only files the host made (named by run id,
 * regular files, seen with lstat) in a real folder: a link at logs/<skill>, or a file named
 * otherwise, is never followed or removed (issue #18: a link to another folder cost 5 files).
 */
export function pruneLogs(dir: string, keep: number): void {
  try {
    if (!isRealFolder(dir)) return;
    const files = readdirSync(dir)
      .filter((f) => RUN_LOG_NAME.test(f))
      .map((f) => ({ f, st: lstatSync(join(dir, f)) }))
      .filter(({ st }) => st.isFile())
      .sort((a, b) => b.st.mtimeMs - a.st.mtimeMs);
    for (const { f } of files.slice(keep)) unlinkSync(join(dir, f));
  } catch {
    // pruning is housekeeping; a failure here loses nothing
  }
}
