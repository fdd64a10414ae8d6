import type { Snapshot, SkillView } from '../../main/common/layer-protocol.ts';
import { summarize, type DependencyHealth, type Layers, type LayerStatus } from '../../main/common/health.js';

export function skill(name: string, extra: Partial<SkillView> = {}): SkillView {
  return {
    name, source: 'user', state: 'ok', reason: '', description: '', schedule: '* * * * *', scheduleText: 'Every minute',
    timezone: null, enabled: true, paused: false, needs: [], deferred: null,
    breaker: { state: 'closed', until: null, failures: 0 },
    nextRun: null, lastRun: {
      runId: 'r1', outcome: 'success', endedAt: '2026-01-01T00:00:00.000Z', durationMs: 5,
    }, running: null, recent: [], successRate: 1, runs: 1, problems: [], ...extra,
  };
}

export function snapshot(
  status: { session?: LayerStatus; gateway?: LayerStatus; runtime?: LayerStatus } = {},
  skills: SkillView[] = [skill('daily-memory'), skill('heartbeat')],
  dependencies: Record<string, DependencyHealth> = {},
): Snapshot {
  const l = (s: LayerStatus = 'ok') => ({ status: s, since: '2026-01-01T00:00:00.000Z', reason: s === 'ok' ? '' : 'killed by SIGKILL' });
  const layers: Layers = { session: l(status.session), gateway: l(status.gateway), runtime: l(status.runtime) };
  return {
    generatedAt: '2026-01-01T00:00:00.000Z', ...summarize(layers, dependencies, skills), layers, dependencies, skills,
    metrics: {
      window: { from: '', to: '' }, uptime: { session: 1, gateway: 1, runtime: 1 }, gatewayConnectionIssues: 0,
      sessionConnectionIssues: 0,
      skillSuccessRate: { overall: 1, runs: 1, duringLayerFailures: null, runsDuringLayerFailures: 0 },
      recovery: { session: { count: 0, meanMs: null, p95Ms: null }, gateway: { count: 0, meanMs: null, p95Ms: null } },
      dropped: { session: 0, gateway: 0 },
    },
    host: {
      alive: true, pid: 1, startedAt: '', lastAlive: '2026-01-01T00:00:00.000Z', layerPids: { gateway: 2, session: 3 },
    }, ports: { gateway: 3019, session: 3020 }, transitions: [],
  };
}

export function dependency(status: 'ok' | 'down', neededBy: string[] = ['poster']): DependencyHealth {
  return {
    status, since: '2026-01-01T00:00:00.000Z', reason: status === 'ok' ? 'answered in 12 ms' : 'connection refused',
    latencyMs: status === 'ok' ? 12 : null, neededBy,
  };
}
