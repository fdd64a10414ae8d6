// Pure types shared by the core, the servers and the renderer.

/**
 * How a run ended. `upstream-failure`: a model or other provider kept failing (not the skill's
 * fault, so it never counts toward the circuit breaker); `budget-exceeded`: a token budget refusal
 * escaped the skill.
 */
export type RunOutcome = 'success' | 'failure' | 'timeout' | 'crashed' | 'interrupted' | 'upstream-failure' | 'budget-exceeded';
/** `backfill`: a past slot run on request (`clawkeeper backfill`), one that never started. */
export type RunTrigger = 'schedule' | 'catch-up' | 'manual' | 'retry' | 'backfill';
export type OverlapPolicy = 'skip' | 'queue' | 'replace';
export type CatchUpMode = 'skip' | 'once' | 'all';
/** Why a scheduled slot did not run. */
export type SkipReason =
  | 'skipped-overlap'
  | 'missed-while-down'
  | 'missed-while-asleep'
  | 'missed'
  | 'paused'
  | 'queue-full'
  | 'dependency-down'
  | 'breaker-open'
  | 'budget'
  | 'storage-full';

/** Token usage of a run's model calls (summed), as the ledger's end entry carries it. */
export interface TokenUsage {
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  model: string;
  /** Some counts came from the tokenizer (a stream without usage), not from the provider. */
  estimated?: boolean;
}

/** `breaker` in skill.json; `false` turns the circuit breaker off. */
export type BreakerPolicy = { failures: number; coolDownSeconds: number } | false;

export interface SkillManifest {
  name: string;
  description: string;
  /** Exactly one of schedule | every | at names the slots (core/scheduling/slots.ts). A cron expression. */
  schedule?: string;
  /** For `schedule` only: the IANA zone its fields are read in. */
  timezone?: string;
  /** An interval ("7m": a number and s|m|h|d, at least 1 s): slots are anchor + k × every. */
  every?: string;
  /** ISO time with offset the `every` slots count from. @default the Unix epoch */
  anchor?: string;
  /** One slot, ever (ISO time with offset); afterwards the skill is `done`. */
  at?: string;
  /** Each slot starts after a delay in [0, N) s, fixed per skill and slot; the ledger's slot stays nominal. */
  jitterSeconds?: number;
  entry?: string;
  command?: string[];
  timeoutSeconds: number;
  retries: { max: number; backoffSeconds: number };
  overlap: OverlapPolicy;
  catchUp: { mode: CatchUpMode; max: number };
  staleAfterMinutes?: number;
  env: Record<string, string>;
  enabled: boolean;
  /** Dependencies (config.json `dependencies`, the built-in `network`, `model:<name>`): while one is down, slots wait. */
  needs: string[];
  breaker: BreakerPolicy;
  /** Environment variables of the host a run inherits beyond the default allowlist. */
  inheritEnv?: string[];
  /** A model from config.json `models` (true = `default`). */
  model?: { name: string; optional: boolean };
  budget?: { tokensPerRun?: number; tokensPerDay?: number };
  /** Prompt skill: the runner sends this (or promptFile's text) to the model. */
  prompt?: string;
  promptFile?: string;
  deliver?: { webhook: string };
  /** Alert channels (config.json `alerts.channels`) for this skill's events; false: none; absent: `alerts.default`. */
  alerts?: string[] | false;
  /** Dead man's switch (healthchecks.io convention): `<ping>/start`, `<ping>` on success, `POST <ping>/fail` otherwise. */
  ping?: string;
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
  /** The run after a breaker's cool-down that decides whether it closes. */
  breaker_probe?: boolean;
  pid?: number;
  host_pid: number;
  /** `run-once`: started by `clawkeeper run-once` (an external scheduler), not by a host. */
  by?: 'run-once';
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
  breaker_probe?: boolean;
  usage?: TokenUsage;
  /** A prompt skill's delivery, recorded apart: it never fails the run. */
  delivery?: { status: 'delivered' | 'failed'; error?: string };
  /** A prompt skill's saved reply, relative to the home (`outputs/<skill>/<label>.md`): the dashboard shows it on the run's row. */
  output?: string;
  /** Processes the run started that were still alive after SIGKILL (left to the OS; docs/runs.md). */
  unstoppable?: { pid: number; name: string }[];
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
