// One run's lifecycle, the same for the host (host/runs-in-flight.ts) and `clawkeeper run-once`
// (runs/run-once.ts): the ledger's start entry before the process exists, the process (runner.ts,
// with what is left of the day's token budget), then the end entry with the model usage, the
// status file, and the retry decision as a pure function. What differs between the two callers
// (queues, breaker, events, a full disk's backlog) stays with the caller.
import { randomBytes } from 'node:crypto';
import type { LedgerEnd, RunOutcome, RunTrigger, SkillManifest } from '../../common/types.ts';
import type { Clock } from '../scheduling/clock.ts';
import type { HomePaths } from '../home/paths.ts';
import { dayTokensLeft, recordAgentEnd } from '../models/day-budget.ts';
import { retryDelaySeconds } from '../scheduling/retry-delay.ts';
import type { Ledger } from './ledger.ts';
import { startRun, type FinishedRun, type RunHandle, type RunnerOptions, type StopReason } from './runner.ts';
import { writeStatusFile } from './status-file.ts';

export function newRunId(now: number): string {
  return `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Where a run's files go and how its process is made. */
export interface RunSite {
  paths: HomePaths;
  ledger: Ledger;
  clock: Clock;
  runner: Omit<RunnerOptions, 'clock' | 'logsDir'>;
  /**
   * The end entry or the status file could not be written. Absent: the error is thrown from
   * `ended` (run-once: the caller reports it). The host keeps the entry for when the disk is back.
   */
  onEndWriteError?: (what: 'ledger' | 'status', err: unknown, entry: LedgerEnd) => void;
  /** Who starts runs here, when not a host: marked on the start entry (`clawkeeper health` reads it). */
  startedBy?: 'run-once';
}

/** One run asked for: which skill, which slot it serves, and how it came to run. */
export interface RunPlan {
  manifest: SkillManifest;
  dir: string;
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
  /** The breaker's probe run (a tripped skill's one try after its cool-down). */
  probe?: boolean;
}

export interface StartedRun {
  runId: string;
  /** The one start time, written once: the start and end entries both carry it. */
  startedAt: string;
  handle: RunHandle;
  /** Resolves once the end entry and the status file are written (never rejects without `onEndWriteError`… see RunSite). */
  ended: Promise<EndedRun>;
}

export interface EndedRun {
  entry: LedgerEnd;
  run: FinishedRun;
}

/**
 * Starts a run: the start entry first (a process killed from here on leaves a start without an
 * end, which the next host records `interrupted`; the slot is taken either way), then the process.
 * Throws when the start entry cannot be written: then nothing was started.
 */
export function startPlannedRun(site: RunSite, plan: RunPlan): StartedRun {
  const m = plan.manifest;
  const now = site.clock.now();
  const runId = newRunId(now);
  const startedAt = new Date(now).toISOString();
  site.ledger.recordStart({
    type: 'start', run_id: runId, skill: m.name, slot: plan.slot, trigger: plan.trigger, attempt: plan.attempt,
    started_at: startedAt, host_pid: process.pid, ...(site.startedBy ? { by: site.startedBy } : {}),
    ...(plan.probe ? { breaker_probe: true } : {}),
  });
  const handle = startRun(
    {
      manifest: m, dir: plan.dir, runId, slot: plan.slot, trigger: plan.trigger, attempt: plan.attempt,
      home: site.paths.home, dayTokensLeft: dayTokensLeft(site.paths, m, now),
    },
    { ...site.runner, clock: site.clock, logsDir: site.paths.logs },
  );
  const ended = handle.done.then((run) => recordRunEnd(site, plan, runId, now, run));
  return { runId, startedAt, handle, ended };
}

/** The end entry (with the model usage), then the status file. */
function recordRunEnd(site: RunSite, plan: RunPlan, runId: string, startMs: number, r: FinishedRun): EndedRun {
  const m = plan.manifest;
  const entry: LedgerEnd = {
    type: 'end',
    run_id: runId,
    skill: m.name,
    slot: plan.slot,
    trigger: plan.trigger,
    attempt: plan.attempt,
    started_at: new Date(startMs).toISOString(),
    ended_at: new Date(r.endedAt).toISOString(),
    duration_ms: Math.max(0, r.endedAt - startMs),
    outcome: r.outcome,
    exit_code: r.exitCode,
    signal: r.signal,
    log: r.logFile,
  };
  if (r.error) entry.error = r.error;
  if (r.warnings.length > 0) entry.warnings = r.warnings;
  if (r.unstoppable) entry.unstoppable = r.unstoppable;
  if (plan.probe) entry.breaker_probe = true;
  recordAgentEnd(site.paths, m, entry, r, site.clock.now());
  try {
    site.ledger.recordEnd(entry);
  } catch (err) {
    if (!site.onEndWriteError) throw err;
    site.onEndWriteError('ledger', err, entry);
  }
  try {
    writeStatusFile(
      site.paths.status, m.name,
      { status: r.outcome, timestamp: entry.ended_at, duration_ms: entry.duration_ms, run_id: runId }, r.fields,
    );
  } catch (err) {
    if (!site.onEndWriteError) throw err;
    site.onEndWriteError('status', err, entry);
  }
  return { entry, run: r };
}

export type RetryDecision =
  | { retry: true; attempt: number; delaySeconds: number }
  | { retry: false; why: 'succeeded' | 'budget' | 'replaced' | 'no-slot' | 'attempts-used' | 'stopping' };

/** What decides a retry: how the attempt ended, and whether the host (or run-once) is stopping. */
export interface AttemptEnd {
  outcome: RunOutcome;
  stopReason: StopReason | null;
  attempt: number;
  slot: string | null;
  stopping: boolean;
}

/**
 * Whether an attempt is retried, and when: a pure function of how it ended and the skill's
 * `retries` policy. Never retried: a success; a budget refusal (it would only be refused again);
 * a run a newer one replaced (overlap=replace); a manual run (no slot); a run stopped because
 * the host is stopping. Otherwise up to `retries.max` more attempts, the backoff doubling each time.
 */
export function retryDecision(end: AttemptEnd, policy: SkillManifest['retries']): RetryDecision {
  if (end.outcome === 'success') return { retry: false, why: 'succeeded' };
  if (end.outcome === 'budget-exceeded') return { retry: false, why: 'budget' };
  if (end.stopReason === 'replaced') return { retry: false, why: 'replaced' };
  if (end.stopping || end.stopReason === 'shutdown') return { retry: false, why: 'stopping' };
  if (end.slot === null) return { retry: false, why: 'no-slot' };
  if (end.attempt > policy.max) return { retry: false, why: 'attempts-used' };
  return { retry: true, attempt: end.attempt + 1, delaySeconds: retryDelaySeconds(policy.backoffSeconds, end.attempt) };
}
