// Pure types shared by the core, the servers and the renderer.

export type RunOutcome = 'success' | 'failure' | 'timeout' | 'crashed' | 'interrupted';
export type RunTrigger = 'schedule' | 'catch-up' | 'manual' | 'retry';
export type OverlapPolicy = 'skip' | 'queue' | 'replace';
export type CatchUpMode = 'skip' | 'once' | 'all';
/** Why a scheduled slot did not run. */
export type SkipReason =
  | 'skipped-overlap'
  | 'missed-while-down'
  | 'missed-while-asleep'
  | 'missed'
  | 'paused'
  | 'queue-full';

export interface SkillManifest {
  name: string;
  description: string;
  schedule: string;
  timezone?: string;
  entry?: string;
  command?: string[];
  timeoutSeconds: number;
  retries: { max: number; backoffSeconds: number };
  overlap: OverlapPolicy;
  catchUp: { mode: CatchUpMode; max: number };
  staleAfterMinutes?: number;
  env: Record<string, string>;
  enabled: boolean;
}

export interface SkillProblem {
  file: string;
  field: string;
  message: string;
}

export type SkillSource = 'bundled' | 'user';

export interface LoadedSkill {
  name: string;
  dir: string;
  file: string;
  source: SkillSource;
  manifest: SkillManifest | null;
  problems: SkillProblem[];
}

/** What identifies a run in every ledger entry about it. */
export interface RunKey {
  run_id: string;
  skill: string;
  /** The scheduled time the run serves (null for a manual run). */
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
  started_at: string;
}

export interface LedgerStart extends RunKey {
  type: 'start';
  pid?: number;
  host_pid: number;
}

export interface LedgerEnd extends RunKey {
  type: 'end';
  ended_at: string;
  duration_ms: number;
  outcome: RunOutcome;
  exit_code: number | null;
  signal: string | null;
  error?: string;
  warnings?: string[];
  log?: string;
}

export interface LedgerSkip {
  type: 'skip';
  skill: string;
  slot: string;
  reason: SkipReason;
  at: string;
  /** What the policy did about it, e.g. "catchUp=once: a newer slot ran instead". */
  detail?: string;
  /** Set when one entry stands for many missed slots (a long outage of a frequent skill). */
  count?: number;
  last_slot?: string;
}

export type LedgerEntry = LedgerStart | LedgerEnd | LedgerSkip;
