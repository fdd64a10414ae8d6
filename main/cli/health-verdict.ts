import { MODE_EXIT_CODES, type Mode } from '../common/health.js';
import type { RunEvidence } from '../core/health/run-evidence.ts';

export interface HealthInputs extends RunEvidence {
  /** What the gateway's /health said, or null when it did not answer with a 2xx (curl -f). */
  gateway: 'ok' | 'degraded' | 'down' | null;
  /** The host's liveness file is fresh and its process exists (or it answered on host.sock). */
  hostAlive: boolean;
  /** Formats a time for people (time-words.js). */
  time: (iso: string) => string;
}

/**
 * `clawkeeper health`'s verdict. The article's lines stay word for word where they are true.
 * With the gateway silent, skills are "running" only when a live host holds the home or a
 * `run-once` start is recent (core/health/run-evidence.ts); otherwise down, with the last run's
 * time. Exit codes as `clawkeeper status`: 0 operational, 1 degraded, 2 down.
 */
export function healthVerdict(i: HealthInputs): { mode: Mode; line: string; why?: string } {
  if (i.gateway === 'ok') return { mode: 'operational', line: 'All systems operational' };
  if (i.gateway === 'degraded') return { mode: 'degraded', line: 'Gateway up but degraded - `clawkeeper status` says which part' };
  if (i.gateway === 'down') return { mode: 'down', line: 'Gateway up but skills are not running - `clawkeeper status` says why' };
  const degradation = 'Gateway down but skills running - Graceful degradation mode';
  if (i.hostAlive) return { mode: 'degraded', line: degradation, why: 'a live host holds the home folder and runs the skills' };
  if (i.runOnce) return {
    mode: 'degraded', line: degradation,
    why: `no host, but run-once started ${i.runOnce.skill} at ${i.time(i.runOnce.at)}, within its period`,
  };
  const last = i.lastRun ? `the last run started ${i.lastRun.skill} at ${i.time(i.lastRun.at)}` : 'no run was ever recorded';
  return { mode: 'down', line: `Gateway down and no host or run-once is running skills - skills are not running (${last})` };
}

export function exitCodeOf(mode: Mode): number {
  return MODE_EXIT_CODES[mode];
}
