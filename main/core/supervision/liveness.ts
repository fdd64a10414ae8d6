import type { Activity } from './process-activity.ts';

/**
 * Is a layer that stopped saying `alive` hung, or only slowed down by load? Judged from its IPC
 * channel and what the OS says of its process, never from its listening socket: a socket cap
 * filled by a slowloris, or a flood, refused the old TCP probe and got healthy layers killed as
 * `hung` (issue #18). The layer's `alive` message carries its own CPU time, so the CPU it used
 * since then is known:
 * - stopped (SIGSTOP): hung, once silent for `silentMs`;
 * - silent while it used `wedgedCpuMs` of CPU: its event loop is blocked (a busy loop): hung;
 * - silent while runnable but given little CPU (other processes take the cores), or waiting for a
 *   busy disk: starved, i.e. busy, not hung; only after `overloadedMs` is it replaced, and the
 *   reason says load;
 * - silent while asleep in a system call (a starved loop would be runnable): blocked, hung after
 *   `unknownSilentMs`; so is one the OS cannot tell us about (no /proc, no ps).
 */
export interface LivenessOptions {
  silentMs: number;
  wedgedCpuMs: number;
  overloadedMs: number;
  unknownSilentMs: number;
}

export const DEFAULT_LIVENESS: LivenessOptions = { silentMs: 1000, wedgedCpuMs: 800, overloadedMs: 30_000, unknownSilentMs: 5000 };

export type Verdict = { kind: 'hung' | 'overloaded'; why: string } | null;

/** `silentMs`: since its last `alive`; `cpuAtAlive`: the CPU time that message reported (ms). */
export function judgeSilence(silentMs: number, activity: Activity, cpuAtAlive: number | null, o: LivenessOptions): Verdict {
  const silent = Math.round(silentMs);
  if (silentMs < o.silentMs || activity.state === 'gone') return null;
  if (activity.state === 'stopped') return { kind: 'hung', why: `stopped (SIGSTOP or a debugger) and silent for ${silent} ms` };
  const used = activity.cpuMs !== null && cpuAtAlive !== null ? Math.max(0, Math.round(activity.cpuMs - cpuAtAlive)) : null;
  if (used === null || activity.state === 'unknown') {
    return silentMs >= o.unknownSilentMs ? { kind: 'hung', why: `silent for ${silent} ms (its CPU use cannot be read here)` } : null;
  }
  if (used >= o.wedgedCpuMs) return {
    kind: 'hung', why: `its event loop is blocked: silent for ${silent} ms while it used ${used} ms of CPU`,
  };
  if (activity.state === 'sleeping') return silentMs >= o.unknownSilentMs ? {
    kind: 'hung', why: `blocked in a system call: silent for ${silent} ms, asleep, ${used} ms of CPU`,
  } : null;
  if (silentMs >= o.overloadedMs) return {
    kind: 'overloaded',
    why: `silent for ${silent} ms while it got only ${used} ms of CPU (${activity.state === 'running' ? 'waiting for a core' : 'waiting for the disk'}): the machine is overloaded`,
  };
  return null;
}
