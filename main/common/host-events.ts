// The events a running host emits, as types only. They live in main/common because what listens
// to them sits on both sides of the host in the order of folders (docs/design.md): the alert
// source below it (alerts/), the front doors and the composition above it.
import type { LedgerEnd, LedgerSkip, LoadedSkill, RunTrigger } from './types.ts';

/** Why slots passed without running: the host was down, the machine asleep, or a dependency down. */
export type MissedReason = 'down' | 'asleep' | 'dependency';

/** One line of health/dependencies.jsonl (the shape of layers.jsonl, keyed by dependency). */
export interface DependencyTransition {
  dependency: string;
  status: 'ok' | 'down';
  at: string;
  reason: string;
  latency_ms?: number | null;
}

export interface RunEndEvent {
  entry: LedgerEnd;
  fields: Record<string, string>;
}

export type HostEvents = {
  'run-start': [{ skill: string; runId: string; slot: string | null; trigger: RunTrigger; attempt: number; startedAt: string }];
  'run-end': [RunEndEvent];
  /** A run's final outcome: no retry follows (alerts and pings wait for this, not for each attempt). */
  'run-final': [RunEndEvent];
  skip: [LedgerSkip];
  'skills-changed': [LoadedSkill[]];
  reconciled: [{ reason: MissedReason; ran: number; skipped: number }];
  dependency: [DependencyTransition & { caughtUp?: number }];
  breaker: [{ skill: string; state: string; until: string | null }];
};
