import { fork, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { findExecutable } from './run-launcher/warm-shells.js';

/** How a child ended, as a typed union (as VS Code's utility-process wrapper does). */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** The process was lost with the run launcher (not the skill's doing): recorded interrupted. */
  lost?: string;
}

/** The part of a child process the core uses; Node's ChildProcess and Electron's UtilityProcess both fit. */
export interface ChildHandle {
  readonly pid: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  /** Fire and forget; `done` runs once the message is handed to the OS (or dropped). */
  send(message: unknown, done?: () => void): void;
  onMessage(cb: (message: unknown) => void): void;
  onExit(cb: (info: ExitInfo) => void): void;
  onError(cb: (err: Error) => void): void;
}

export interface LaunchOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A name for the process list (Electron shows it as the service name). */
  name: string;
  /**
   * The run's cgroup (its `cgroup.procs` file, runs/processes/run-cgroup.ts): the process is
   * moved in before it can start anything, so all it starts is inside too. Absent: no cgroup.
   */
  cgroupProcs?: string;
}

/**
 * After the run's own process exits, how long its output pipes may stay open (a process it left
 * behind holds them) before they are closed: the end is not held up by what the run left running.
 */
export const PIPE_GRACE_MS = 1000;

/** Moves a process into a cgroup; a refusal is not fatal (the run is followed by the tree walk then). */
export function enterCgroup(procsFile: string | undefined, pid: number | undefined): void {
  if (!procsFile || pid === undefined) return;
  try {
    writeFileSync(procsFile, String(pid));
  } catch {
    // not allowed here: runs/processes/run-processes.ts falls back to walking the tree
  }
}

/**
 * A command started inside its cgroup with no window for escape: a shell moves itself in, then
 * `exec`s the command in place (same pid). Only when the program exists: otherwise the direct
 * spawn reports ENOENT as it always did.
 */
export function cgroupArgv(
  procsFile: string | undefined, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv,
): { file: string; args: string[] } {
  const file = procsFile ? findExecutable(command, cwd, env) : null;
  if (!procsFile || !file) return { file: command, args };
  return { file: '/bin/sh', args: ['-c', 'echo $$ > "$0" 2>/dev/null; exec "$@"', procsFile, file, ...args] };
}

/**
 * The one seam between the core and process creation: `child_process` headless and in tests,
 * Electron's `utilityProcess` in the app (main/electron/utility-launcher.ts).
 */
export interface ProcessLauncher {
  /** Runs a JS module in a new process with a message channel. */
  fork(modulePath: string, args: string[], options: LaunchOptions): ChildHandle;
  /** Runs a command (an argv array) in a new process. */
  spawn(command: string, args: string[], options: LaunchOptions): ChildHandle;
}

export function wrapChildProcess(child: ChildProcess, processGroup = false): ChildHandle {
  let exited = false;
  const exitCbs: ((i: ExitInfo) => void)[] = [];
  let reported = false;
  const report = (code: number | null, signal: string | null) => {
    if (reported) return;
    reported = true;
    for (const cb of exitCbs) cb({ code, signal });
  };
  // The end is the process's exit. Its output is read until the pipes close, for at most
  // PIPE_GRACE_MS: a process it left behind may hold them open (for ever, with `sleep infinity`).
  child.once('exit', (code, signal) => {
    exited = true;
    const grace = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      report(code, signal);
    }, PIPE_GRACE_MS);
    child.once('close', () => {
      clearTimeout(grace);
      report(code, signal);
    });
  });
  return {
    get pid() {
      return child.pid;
    },
    stdout: child.stdout,
    stderr: child.stderr,
    kill: (signal) => {
      if (exited) return false;
      if (processGroup && child.pid) {
        try {
          process.kill(-child.pid, signal);
          return true;
        } catch {
          // the group is gone already; fall back to the child itself
        }
      }
      return child.kill(signal);
    },
    send: (message, done) => {
      if (!child.connected) return done?.();
      child.send(message as object, () => done?.());
    },
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => exitCbs.push(cb),
    onError: (cb) => child.on('error', cb),
  };
}

export const nodeLauncher: ProcessLauncher = {
  fork(modulePath, args, options) {
    const child = wrapChildProcess(
      fork(modulePath, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
        // The child runs under the same Node as the host (which strips TypeScript types).
        execArgv: [],
        // Its own process group: a Ctrl-C in the host's terminal (SIGINT to the foreground group)
        // must not end a run the host lets finish; the host stops runs itself.
        detached: true,
      }),
    );
    // A Node child needs tens of milliseconds to boot before the skill's code can start anything.
    enterCgroup(options.cgroupProcs, child.pid);
    return child;
  },
  spawn(command, args, options) {
    const argv = cgroupArgv(options.cgroupProcs, command, args, options.cwd, options.env);
    return wrapChildProcess(
      spawn(argv.file, argv.args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group, so a deadline kill also reaches what the command started.
        detached: true,
      }),
      true,
    );
  },
};
