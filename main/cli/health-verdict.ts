import type { Mode } from '../common/health.js';

export interface HealthInputs {
  /** What the gateway's /health said, or null when it did not answer with a 2xx (curl -f). */
  gateway: 'ok' | 'degraded' | 'down' | null;
  /** Status files rewritten in the last 60 minutes. */
  fresh: number;
  /** The host's liveness file is fresh and its process exists. */
  hostAlive: boolean;
}

/**
 * `clawkeeper health`'s verdict. The article's two lines stay word for word where they are true;
 * a dead gateway with no fresh status file and no live host is no longer "operational".
 * Exit codes as `clawkeeper status`: 0 operational, 1 degraded, 2 down.
 */
export function healthVerdict(i: HealthInputs): { mode: Mode; line: string } {
  if (i.gateway === 'ok') return { mode: 'operational', line: 'All systems operational' };
  if (i.gateway === 'degraded') return { mode: 'degraded', line: 'Gateway up but degraded - `clawkeeper status` says which part' };
  if (i.gateway === 'down') return { mode: 'down', line: 'Gateway up but skills are not running - `clawkeeper status` says why' };
  // A live host whose skills run daily may have no status file from the last hour: still running.
  if (i.fresh > 0 || i.hostAlive) return { mode: 'degraded', line: 'Gateway down but skills running - Graceful degradation mode' };
  return { mode: 'down', line: 'Gateway down and no skill status updated in the last 60 minutes - skills are not running' };
}

export function exitCodeOf(mode: Mode): number {
  return mode === 'operational' ? 0 : mode === 'degraded' ? 1 : 2;
}
