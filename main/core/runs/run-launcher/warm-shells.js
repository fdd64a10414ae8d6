// @ts-check
// A pool of idle shells (`sh -s`, ~1 MB each) that the run launcher keeps ready, so a run due now
// costs one pipe write instead of a fork+exec: the launcher writes the run's command line to an
// idle shell's stdin, and the shell `exec`s it in place (same pid, same pipes, own process group).
// The shell is generic until then: it belongs to no skill and no slot, so nothing is written and
// nothing needs undoing when it is not used. When the launcher goes away its stdin closes and
// every idle shell exits by itself (sh reads end-of-file): no orphan.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

/** POSIX single quotes: the one quoting that needs no other escapes. */
export function shQuote(/** @type {string} */ s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The file `command` runs, as execvp would find it; null if there is none (a direct spawn then reports ENOENT as before). */
export function findExecutable(/** @type {string} */ command, /** @type {string} */ cwd, /** @type {NodeJS.ProcessEnv} */ env) {
  const candidates = command.includes('/') ? [
    isAbsolute(command) ? command : resolve(cwd, command),
  ] : (env.PATH ?? '/usr/bin:/bin').split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}

/**
 * The line a warm shell runs: go to the run's folder, set exactly the run's environment (the
 * shell itself was started with nothing but PATH), then replace itself with the run's program.
 * `ipc`: the run keeps the launcher's message channel (fd 3, as `fork` sets it up); otherwise fd 3
 * is closed for it. `file` is already resolved, so no PATH lookup happens here.
 * `cgroupProcs`: the shell moves itself into the run's cgroup first, so all the run starts is in it.
 * @param {{ file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, ipc: boolean, cgroupProcs?: string }} r
 */
export function execLine(r) {
  const env = Object.entries(r.env)
    .filter(
      ([k, v]) => v !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && k !== 'NODE_CHANNEL_FD'
        && k !== 'NODE_CHANNEL_SERIALIZATION_MODE',
    )
    .map(([k, v]) => shQuote(`${k}=${v}`));
  if (r.ipc) env.push(`NODE_CHANNEL_FD=3`, `NODE_CHANNEL_SERIALIZATION_MODE=json`);
  const argv = [r.file, ...r.args].map(shQuote).join(' ');
  const unset = r.ipc ? 'unset PATH' : 'unset PATH NODE_CHANNEL_FD NODE_CHANNEL_SERIALIZATION_MODE';
  const enter = r.cgroupProcs ? `echo $$ > ${shQuote(r.cgroupProcs)} 2>/dev/null\n` : '';
  return `${enter}cd ${shQuote(r.cwd)} || exit 127\n${unset}\n${env.length ? `export ${env.join(' ')}\n` : ''}exec ${argv} </dev/null${r.ipc ? '' : ' 3>&-'}\n`;
}

export class WarmShells {
  /** @type {ChildProcess[]} */
  idle = [];
  target;
  max;
  stopped = false;
  filling = false;
  /** Runs asked for in the current second, to size the pool for the next burst. */
  burst = 0;
  burstAt = 0;

  constructor(min = 4, max = 128) {
    this.target = min;
    this.max = max;
  }

  /** At least `n` shells warm from now on (the host's hint: how many skills it schedules), within max. */
  reserve(/** @type {number} */ n) {
    this.target = Math.min(this.max, Math.max(this.target, n));
    this.refill();
  }

  /** An idle shell, or null (none warm: the caller starts the run the ordinary way). */
  take() {
    const now = Date.now();
    if (now - this.burstAt > 1000) {
      this.burst = 0;
      this.burstAt = now;
    }
    // The pool grows to the largest burst seen (up to max), so a schedule with 100 skills due on
    // the same second finds 100 shells from its second occurrence on.
    this.target = Math.min(this.max, Math.max(this.target, ++this.burst));
    let shell;
    while ((shell = this.idle.shift())) {
      if (shell.exitCode === null && shell.signalCode === null && shell.stdin?.writable) break;
    }
    this.refill();
    return shell ?? null;
  }

  /**
   * Starts shells one at a time in the background, each in its own turn of the event loop, so a run
   * asked for meanwhile is never held up.
   */
  refill() {
    if (this.filling || this.stopped) return;
    this.filling = true;
    const step = () => {
      if (this.stopped || this.idle.length >= this.target) {
        this.filling = false;
        return;
      }
      try {
        const sh = spawn('/bin/sh', ['-s'], {
          stdio: ['pipe', 'pipe', 'pipe', 'ipc'], detached: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        });
        sh.on('error', () => undefined);
        this.idle.push(sh);
      } catch {
        this.filling = false;
        return;
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  stop() {
    this.stopped = true;
    for (const sh of this.idle) sh.stdin?.end();
    this.idle = [];
  }
}
