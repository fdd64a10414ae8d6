import type { EventEmitter } from 'node:events';
import type { HostEvents } from '../../common/host-events.ts';
import type { AlertsView } from '../../common/alerts.ts';
import type { HealthReport } from '../../common/layer-protocol.ts';
import type { LedgerSkip, RunTrigger, SkipReason } from '../../common/types.ts';
import type { Clock } from '../scheduling/clock.ts';
import type { Logger } from '../home/logger.ts';
import type { HomePaths } from '../home/paths.ts';
import type { Ledger } from '../runs/ledger.ts';
import type { Breakers } from '../runs/breaker.ts';
import type { StorageMonitor } from '../health/storage-health.ts';
import type { StorageBacklog } from '../health/storage-recovery.ts';
import type { DependencyMonitor } from '../dependencies/monitor.ts';
import type { DependencyWaits } from '../dependencies/waits.ts';
import type { SkillRegistry } from './skill-registry.ts';

/** A run asked for and not started yet: waiting behind a running one, or for its retry. */
export interface Pending {
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
  /** The breaker's probe run (a tripped skill's one try after its cool-down). */
  probe?: boolean;
}

/** A manual run refused (a dependency is down and the run was not forced). */
export interface RunRefusal {
  refused: { code: 'dependency-down'; message: string };
}

/** A run asked of the dispatcher (host/dispatcher.ts `dispatch`). */
export interface DispatchRequest {
  skill: string;
  /** The scheduled time it serves; null for a manual run. */
  slot: string | null;
  trigger: RunTrigger;
  /** 1 for a first attempt; a retry carries the attempt it will be. */
  attempt?: number;
  /** Wait behind a running run of the skill instead of following its `overlap` policy (catch-up, manual). */
  queue?: boolean;
  /** The breaker's probe run. */
  probe?: boolean;
}

export interface Dispatched {
  runId: string | null;
  queued: boolean;
}

export type { HostEvents, RunEndEvent } from '../../common/host-events.ts';

/**
 * A host's alerts and pings as its front doors use them (the snapshot feeds them, host.sock's
 * `alerts test` and the dashboard read them). `app/host-alerts.ts` implements it; the host only
 * holds it, so the engine does not import the composition that wires it.
 */
export interface HostAlertsPort {
  onReport(report: HealthReport): void;
  view(): AlertsView;
  test(channel?: string): Promise<{ channel: string; ok: boolean; answer: string }[]>;
}

/**
 * What the parts of the host share: its home, clock and log, the ledger, the state of storage,
 * dependencies and breakers, the skills, and the host's events. Each part owns one job
 * (docs/design.md); none holds another's state.
 */
export interface HostContext {
  readonly paths: HomePaths;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly log: Logger;
  readonly storage: StorageMonitor;
  readonly backlog: StorageBacklog;
  readonly dependencies: DependencyMonitor;
  readonly breakers: Breakers;
  readonly waits: DependencyWaits;
  readonly skills: SkillRegistry;
  readonly events: EventEmitter<HostEvents>;
  /** True once the host began to stop: nothing new starts. */
  stopping(): boolean;
}

/** A slot that will not run, and why (host-context.ts `recordSkip`). */
export interface SkipRecord {
  skill: string;
  slot: number | string;
  reason: SkipReason;
  detail?: string;
  /** One entry standing for this many missed slots (a long outage of a frequent skill)… */
  count?: number;
  /** …up to this one. */
  lastSlot?: number;
}

/**
 * Writes a slot that will not run (paused, missed, breaker open…) to the ledger and tells the
 * views. On a full disk the entry waits in the storage backlog and is written when space is back.
 */
export function recordSkip(ctx: HostContext, s: SkipRecord): void {
  const entry: LedgerSkip = {
    type: 'skip',
    skill: s.skill,
    slot: typeof s.slot === 'number' ? new Date(s.slot).toISOString() : s.slot,
    reason: s.reason,
    at: new Date(ctx.clock.now()).toISOString(),
  };
  if (s.detail) entry.detail = s.detail;
  if (s.count !== undefined) entry.count = s.count;
  if (s.lastSlot !== undefined) entry.last_slot = new Date(s.lastSlot).toISOString();
  try {
    ctx.ledger.recordSkip(entry);
  } catch (err) {
    if (!ctx.storage.writeFailed('runs', ctx.ledger.fileFor(s.skill), err)) throw err;
    ctx.backlog.keepEntry(ctx.ledger, entry);
  }
  ctx.events.emit('skip', entry);
}
