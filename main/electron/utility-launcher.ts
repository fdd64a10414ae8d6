import type { ForkOptions, UtilityProcess } from 'electron';
import type { Readable } from 'node:stream';
import { nodeLauncher, type ChildHandle, type ExitInfo, type ProcessLauncher } from '../core/runs/launcher.ts';

/** The part of Electron's `utilityProcess` we use (passed in, so tests need no Electron). */
export interface UtilityForker {
  fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess;
}

/**
 * ProcessLauncher on Electron's utilityProcess: JS skills and the layers run as utility
 * processes (the process model Electron recommends for Node work). Commands stay on
 * child_process.spawn, which utilityProcess cannot run.
 */
export function createUtilityLauncher(utility: UtilityForker): ProcessLauncher {
  return {
    fork(modulePath, args, options) {
      return wrapUtilityProcess(utility.fork(modulePath, args, { cwd: options.cwd, env: options.env, stdio: 'pipe', serviceName: options.name }));
    },
    spawn: (command, args, options) => nodeLauncher.spawn(command, args, options),
  };
}

export function wrapUtilityProcess(child: UtilityProcess): ChildHandle {
  let exited = false;
  let sentSignal: string | null = null;
  const exitCbs: ((i: ExitInfo) => void)[] = [];
  child.on('exit', (code) => {
    exited = true;
    // utilityProcess reports only a code; the signal is known when we sent it.
    for (const cb of exitCbs) cb({ code: sentSignal ? null : code, signal: sentSignal });
  });
  return {
    get pid() {
      return child.pid;
    },
    stdout: child.stdout as Readable | null,
    stderr: child.stderr as Readable | null,
    kill(signal = 'SIGTERM') {
      if (exited) return false;
      sentSignal = signal;
      // utilityProcess.kill() only sends SIGTERM; a hung child needs SIGKILL by pid.
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, signal);
          return true;
        } catch {
          return false;
        }
      }
      return child.kill();
    },
    send(message, done) {
      if (!exited) child.postMessage(message);
      done?.();
    },
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => exitCbs.push(cb),
    onError: (cb) => child.on('error', (type, location) => cb(new Error(`${type} at ${location}`))),
  };
}
