import { fork, spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

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
  // 'close' waits for stdio to end too, so every byte of output is captured before we finish.
  child.once('close', (code, signal) => {
    exited = true;
    for (const cb of exitCbs) cb({ code, signal });
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
    return wrapChildProcess(
      fork(modulePath, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
        // The child runs under the same Node as the host (which strips TypeScript types).
        execArgv: [],
      }),
    );
  },
  spawn(command, args, options) {
    return wrapChildProcess(
      spawn(command, args, {
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
