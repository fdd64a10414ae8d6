import type { ForkOptions, UtilityProcess } from 'electron';
import type { Readable } from 'node:stream';
import { enterCgroup, nodeLauncher, type ChildHandle, type ExitInfo, type ProcessLauncher } from '../core/runs/launcher.ts';

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
      const proc = utility.fork(modulePath, args, { cwd: options.cwd, env: options.env, stdio: 'pipe', serviceName: options.name });
      // Into the run's cgroup as soon as it has a pid: it is still booting then, before the skill's
      // code can start anything. What it starts is followed by the runner either way (run-processes.ts).
      if (proc.pid !== undefined) enterCgroup(options.cgroupProcs, proc.pid);
      else proc.once('spawn', () => enterCgroup(options.cgroupProcs, proc.pid));
      return wrapUtilityProcess(proc);
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
