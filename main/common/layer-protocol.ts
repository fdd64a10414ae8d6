// Messages between the host and its layer processes (IPC). The host never waits on a layer:
// everything it sends is fire-and-forget; only the gateway's commands get a reply.
import type { DependencyHealth, Layers, Mode, Scenario, SkillState } from './health.js';
import type { RunOutcome } from './types.ts';
import type { AlertsView } from './alerts.ts';

export type LayerProcessName = 'gateway' | 'session';

export interface SkillView {
  name: string;
  source: 'bundled' | 'user';
  state: SkillState;
  reason: string;
  description: string;
  schedule: string | null;
  /** The schedule in words ("At 11:55 PM"). */
  scheduleText: string | null;
  timezone: string | null;
  enabled: boolean;
  paused: boolean;
  /** Why it was paused, as written with the pause (null: not paused, or no note). */
  pauseNote?: string | null;
  /** What the skill needs (skill.json `needs`). */
  needs: string[];
  /** The needs that are down now: its due slots wait (state `deferred`). */
  deferred: string[] | null;
  /** Null when the skill has `breaker: false`. */
  breaker: { state: 'closed' | 'open' | 'half-open'; until: string | null; failures: number } | null;
  /** Model skills: tokens per local day (7 days, oldest first), today's and the day budget. */
  tokens?: { days: { day: string; tokens: number }[]; today: number; tokensPerDay: number | null } | null;
  /** The next slot that will actually start (main/core/scheduling/slot-plan.ts), or null. */
  nextRun: string | null;
  /** Why the next run is not simply the next scheduled slot ("after cool-down", "paused"), or null. */
  nextRunReason?: string | null;
  lastRun: {
    runId: string; outcome: RunOutcome; endedAt: string; durationMs: number; error?: string;
    delivery?: { status: 'delivered' | 'failed'; error?: string };
  } | null;
  running: { runId: string; since: string } | null;
  /** The newest runs, oldest first, for the sparkline. */
  recent: { outcome: RunOutcome; endedAt: string; durationMs: number }[];
  successRate: number | null;
  runs: number;
  problems: string[];
}

export interface LayerStats {
  count: number;
  meanMs: number | null;
  p95Ms: number | null;
}

export interface Metrics {
  window: { from: string; to: string };
  uptime: Record<'session' | 'gateway' | 'runtime', number>;
  gatewayConnectionIssues: number;
  sessionConnectionIssues: number;
  skillSuccessRate: { overall: number | null; runs: number; duringLayerFailures: number | null; runsDuringLayerFailures: number };
  recovery: Record<'session' | 'gateway', LayerStats>;
  dropped: Record<'session' | 'gateway', number>;
}

/** Health, composed once (main/core/health/health-composer.ts); every view renders this value. */
export interface HealthReport {
  generatedAt: string;
  mode: Mode;
  scenario: Scenario | null;
  layers: Layers;
  dependencies: Record<string, DependencyHealth>;
  skills: SkillView[];
  host: { alive: boolean; pid: number | null; startedAt: string | null; lastAlive: string | null };
  /** The home folder's file system (a full disk): what cannot be written, where, since when. */
  storage?: { status: 'ok' | 'logs-failing' | 'runs-failing'; path: string | null; reason: string; since: string; free?: number | null };
}

/** What the host sends the gateway (and the Electron window): the health report and more. */
export interface Snapshot extends HealthReport {
  metrics: Metrics;
  host: HealthReport['host'] & { layerPids: Record<LayerProcessName, number | null> };
  ports: Record<LayerProcessName, number>;
  /** Layer transitions of the last 24 h, for the timeline. */
  transitions: { layer: string; status: string; at: string; reason: string }[];
  /** The host's alert stream (the native notifier shows each seq once) and each channel's and ping's last delivery. */
  alerts?: AlertsView;
}

export type HostToLayer =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'event'; session: string; kind: string; data: unknown }
  | { type: 'login-code'; code: string; expiresAt: number }
  | { type: 'reply'; id: number; ok: boolean; result?: unknown; error?: { code: string; message: string } }
  /** To a warm standby (main/core/layers/standby.ts): take over now, on these ports. */
  | { type: 'activate'; ports: Record<LayerProcessName, number> };

export type LayerToHost =
  | { type: 'ready'; port: number }
  | { type: 'fatal'; code: string; message: string }
  /** A standby has loaded its modules and waits for `activate`. */
  | { type: 'standby' }
  /**
   * Every 200 ms from an active layer: its event loop turns (a hang verdict needs silence), with
   * its CPU time so far and how late this tick came (main/core/supervision/liveness.ts).
   */
  | { type: 'alive'; cpuMs?: number; delayMs?: number }
  | {
    type: 'command'; id: number; op: 'run' | 'pause' | 'resume' | 'reset-breaker' | 'reload' | 'backfill';
    skill: string; force?: boolean; note?: string;
    args?: { from?: string; to?: string; dryRun?: boolean; max?: number };
  }
  /** The session layer cannot store history (a full disk), or can again (null). */
  | { type: 'storage'; problem: string | null };
