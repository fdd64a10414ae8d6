// Health as the live host knows it (every second into the gateway's snapshot, and over host.sock
// for `clawkeeper status` when runs/_host.json is stale because the disk is full): the same
// composer as the file-only view, from what the host holds in memory, so it needs no write.
import type { LayerHealth } from '../../common/health.js';
import type { HealthReport } from '../../common/layer-protocol.ts';
import type { Host } from './host.ts';
import { tokenHistory } from '../models/usage-view.ts';
import { composeHealth, skillView } from '../health/health-composer.ts';

export function liveHealth(
  host: Host, layers: { session: LayerHealth; gateway: LayerHealth }, startedAt: number, now: number,
): HealthReport {
  const skills = host.listSkills().map((s) => {
    const since = host.runningSince(s.name);
    const running = since !== undefined ? { runId: host.runningId(s.name) ?? '', since } : null;
    const m = s.manifest;
    const tokens = m && (m.model || m.budget) ? tokenHistory(host.paths, m, now) : null;
    const facts = {
      paused: host.isPaused(s.name), pauseNote: host.pauseNote(s.name), hostAlive: true,
      deferredOn: host.deferredOn(s.name), breaker: host.breakerView(s.name), tokens,
    };
    return skillView(s, host.ledger, now, facts, host.nextRun(s.name) ?? null, running);
  });
  return composeHealth({
    now,
    host: { alive: true, pid: process.pid, startedAt: new Date(startedAt).toISOString(), lastAlive: new Date(now).toISOString() },
    layers,
    dependencies: host.dependencyHealth(),
    skills,
    storage: host.storageHealth(),
  });
}

/** What a host without its layers (`--no-layers`, tests) says of them: it cannot know. */
export function noLayers(at: string): { session: LayerHealth; gateway: LayerHealth } {
  const l: LayerHealth = { status: 'unknown', since: at, reason: 'this host runs without its gateway and session layers' };
  return { session: l, gateway: l };
}
