import { randomBytes } from 'node:crypto';
import type { LedgerEnd, LoadedSkill } from '../../common/types.ts';
import type { Logger } from '../home/logger.ts';
import type { ProcessLauncher } from '../runs/launcher.ts';
import { startRun, type RunHandle, type RunResult } from '../runs/runner.ts';
import { writeStatusFile } from '../runs/status-file.ts';
import { retryDelaySeconds } from '../scheduling/retry-delay.ts';
import { startTimer } from '../scheduling/clock.ts';
import { dayTokensLeft, recordAgentEnd } from '../models/day-budget.ts';
import { NETWORK_ERROR_CODES } from '../dependencies/probe-target.ts';
import type { HostContext, Pending, RunEndEvent } from './host-context.ts';

/** Runs waiting behind a running one of the same skill, at most. */
export const QUEUE_CAP = 100;

export interface RunsInFlightOptions {
  launcher: ProcessLauncher;
  killGraceMs?: number;
  logCapBytes?: number;
  /** A retry's timer fired: it goes through the dispatcher's gates again. */
  retry: (name: string, slot: string, attempt: number, probe: boolean) => void;
}

export function newRunId(now: number): string {
  return `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * The runs of the host from their start to their end: the one running per skill, the queue
 * behind it, retry timers. `launch` writes the ledger's start before the process exists;
 * `finish` writes its end, the skill's status file, then tells the views and decides on a retry
 * or the breaker.
 */
export class RunsInFlight {
  private readonly ctx: HostContext;
  private readonly o: RunsInFlightOptions;
  private readonly active = new Map<string, RunHandle>();
  private readonly queues = new Map<string, Pending[]>();
  /** Cancels of the retry timers pending (on the host's clock: a fake one in tests). */
  private readonly retryTimers = new Set<() => void>();
  /** Run ids of breaker probes running now. */
  private readonly probeRuns = new Set<string>();
  /** Skills with a breaker probe's retry timer pending. */
  private readonly probeRetries = new Set<string>();

  constructor(ctx: HostContext, o: RunsInFlightOptions) {
    this.ctx = ctx;
    this.o = o;
  }

  running(name: string): RunHandle | undefined {
    return this.active.get(name);
  }

  isQueued(name: string, t: number): boolean {
    const iso = new Date(t).toISOString();
    return (this.queues.get(name) ?? []).some((p) => p.slot === iso);
  }

  /** Nothing running, queued or waiting for a retry timer. */
  get quiet(): boolean {
    return this.active.size === 0 && this.queues.size === 0 && this.retryTimers.size === 0;
  }

  /**
   * Puts a run behind the running one: `replace` puts it first and stops the running one.
   * False when the queue is full.
   */
  enqueue(name: string, p: Pending, replace: boolean): boolean {
    const q = this.queues.get(name) ?? [];
    if (q.length >= QUEUE_CAP) return false;
    if (replace) {
      q.unshift(p);
      this.active.get(name)?.stop('replaced');
    } else q.push(p);
    this.queues.set(name, q);
    return true;
  }

  /**
   * Starts a run: the ledger's start entry first (a host killed from here on leaves a start
   * without an end, which the next host records as interrupted; the slot is taken either way),
   * then the process. A start that cannot be written is not started (exactly once needs it):
   * the slot is kept for when storage is back. Returns the run id, or null.
   */
  launch(skill: LoadedSkill, p: Pending): string | null {
    const { ctx } = this;
    const m = skill.manifest!;
    const { slot, trigger, attempt } = p;
    const now = ctx.clock.now();
    const runId = newRunId(now);
    const startedAt = new Date(now).toISOString();
    try {
      ctx.ledger.recordStart({ type: 'start', run_id: runId, skill: skill.name, slot, trigger, attempt, started_at: startedAt, host_pid: process.pid, ...(p.probe ? { breaker_probe: true } : {}) });
    } catch (err) {
      if (!ctx.storage.writeFailed('runs', ctx.ledger.fileFor(skill.name), err)) throw err;
      ctx.backlog.keepMissed({ skill: skill.name, slot, trigger, attempt });
      return null;
    }
    const handle = startRun(
      { manifest: m, dir: skill.dir, runId, slot, trigger, attempt, home: ctx.paths.home, dayTokensLeft: dayTokensLeft(ctx.paths, m, now) },
      { launcher: this.o.launcher, clock: ctx.clock, logsDir: ctx.paths.logs, killGraceMs: this.o.killGraceMs, logCapBytes: this.o.logCapBytes, logsAllowed: () => ctx.storage.logsAllowed(), onLogError: (path, err) => ctx.storage.writeFailed('logs', path, err) },
    );
    this.active.set(skill.name, handle);
    if (p.probe) this.probeRuns.add(runId);
    ctx.events.emit('run-start', { skill: skill.name, runId, slot, trigger, attempt, startedAt });
    void handle.done.then((result) => this.finish(skill, handle, p, result));
    return runId;
  }

  private finish(skill: LoadedSkill, handle: RunHandle, p: Pending, r: RunResult): void {
    if (this.active.get(skill.name) === handle) this.active.delete(skill.name);
    const log = this.ctx.log.child(`skill=${skill.name} run=${handle.runId}`);
    const end = this.recordEnd(skill, handle, p, r, log);
    this.probeRuns.delete(handle.runId);
    if (!this.followUp(skill, p, r, log)) this.ctx.events.emit('run-final', end);
    this.drain(skill.name);
  }

  /** The run's end: token use, the ledger's end entry, the status file, the log, the views. */
  private recordEnd(skill: LoadedSkill, handle: RunHandle, p: Pending, r: RunResult, log: Logger): RunEndEvent {
    const { ctx } = this;
    const entry: LedgerEnd = {
      type: 'end',
      run_id: handle.runId,
      skill: skill.name,
      slot: p.slot,
      trigger: p.trigger,
      attempt: p.attempt,
      started_at: new Date(r.startedAt).toISOString(),
      ended_at: new Date(r.endedAt).toISOString(),
      duration_ms: r.endedAt - r.startedAt,
      outcome: r.outcome,
      exit_code: r.exitCode,
      signal: r.signal,
      log: r.logFile,
    };
    if (r.error) entry.error = r.error;
    if (r.warnings.length > 0) entry.warnings = r.warnings;
    if (p.probe) entry.breaker_probe = true;
    recordAgentEnd(ctx.paths, skill.manifest!, entry, r, ctx.clock.now());
    try {
      ctx.ledger.recordEnd(entry);
    } catch (err) {
      if (ctx.storage.writeFailed('runs', ctx.ledger.fileFor(skill.name), err)) ctx.backlog.keepEntry(ctx.ledger, entry);
      else log.error(`cannot record the end of run ${handle.runId}: ${(err as Error).message}`);
    }
    try {
      writeStatusFile(ctx.paths.status, skill.name, { status: r.outcome, timestamp: entry.ended_at, duration_ms: entry.duration_ms, run_id: handle.runId }, r.fields);
    } catch (err) {
      if (!ctx.storage.writeFailed('logs', ctx.paths.status, err)) log.error(`cannot write the status file of ${skill.name}: ${(err as Error).message}`);
    }
    if (r.outcome === 'success') log.info(`success in ${entry.duration_ms} ms`);
    else log.warn(`${r.outcome}: ${r.error ?? ''}`);
    for (const w of r.warnings) log.warn(w);
    const end = { entry, fields: r.fields };
    ctx.events.emit('run-end', end);
    return end;
  }

  /** After the end: a retry (true), or the breaker's count; and probes of the needs a failure points at. */
  private followUp(skill: LoadedSkill, p: Pending, r: RunResult, log: Logger): boolean {
    const { ctx } = this;
    const m = skill.manifest!;
    // A JS run that failed because the network or a server was unreachable says nothing about
    // the skill: its needs are probed now, so the next slots wait instead of failing too.
    const networkClass = r.outcome === 'failure' && r.errorCode !== undefined && NETWORK_ERROR_CODES.has(r.errorCode) && m.needs.length > 0;
    // A provider that kept failing: probe the model server now (the breaker ignores this outcome).
    if (r.outcome === 'upstream-failure') for (const n of m.needs) if (n.startsWith('model:')) ctx.dependencies.probeNow(n);
    // A budget refusal would only be refused again: not retried.
    const retryable = r.outcome !== 'success' && r.outcome !== 'budget-exceeded' && !(r.outcome === 'interrupted' && ctx.stopping());
    const retrying = retryable && p.slot !== null && !ctx.stopping() && p.attempt <= m.retries.max && r.error?.startsWith('stopped: a newer run') !== true;
    if (retrying) {
      this.scheduleRetry(skill.name, p.slot!, p.attempt + 1, retryDelaySeconds(m.retries.backoffSeconds, p.attempt), p.probe === true);
      if (networkClass) for (const n of m.needs) ctx.dependencies.probeNow(n);
      return true;
    }
    const record = () => this.recordBreaker(skill, r.outcome, p.probe === true, log);
    // If every need is up after all, the fault is the skill's (its own API refused it): then it
    // counts toward the breaker.
    if (networkClass) ctx.dependencies.probeThen(m.needs, (down) => down.length === 0 && !ctx.stopping() && record());
    else record();
    return false;
  }

  private recordBreaker(skill: LoadedSkill, outcome: RunResult['outcome'], probe: boolean, log: Logger): void {
    const changed = this.ctx.breakers.record(skill.name, skill.manifest!.breaker, outcome, probe, this.ctx.clock.now());
    if (!changed) return;
    const words = `breaker ${changed.state}${changed.until ? ` until ${changed.until}` : ''}`;
    if (changed.state === 'open') log.warn(words);
    else log.info(words);
    this.ctx.events.emit('breaker', { skill: skill.name, state: changed.state, until: changed.until });
  }

  scheduleRetry(name: string, slot: string, attempt: number, delaySeconds: number, probe = false): void {
    if (probe) this.probeRetries.add(name);
    const cancel = startTimer(this.ctx.clock, () => {
      this.retryTimers.delete(cancel);
      if (probe) this.probeRetries.delete(name);
      this.o.retry(name, slot, attempt, probe);
    }, delaySeconds * 1000);
    this.retryTimers.add(cancel);
  }

  /**
   * A breaker probe of this skill is still under way: running, queued, or waiting for its retry
   * (timer or dependency). Read from what exists, so a probe dropped on any path (budget, disk,
   * reload) never leaves the skill skipped "probe under way" for good.
   */
  probeUnderWay(name: string): boolean {
    const run = this.active.get(name);
    if (run && this.probeRuns.has(run.runId)) return true;
    if ((this.queues.get(name) ?? []).some((q) => q.probe)) return true;
    if (this.probeRetries.has(name)) return true;
    return this.ctx.waits.hasProbeRetry(name);
  }

  /** The next queued run of a skill whose run ended; a slot the ledger has meanwhile is dropped. */
  private drain(name: string): void {
    const { ctx } = this;
    if (ctx.stopping() || this.active.has(name)) return;
    const q = this.queues.get(name);
    const next = q?.shift();
    if (q && q.length === 0) this.queues.delete(name);
    if (!next) return;
    const skill = ctx.skills.get(name);
    if (!skill?.manifest) return;
    if (next.slot && next.trigger !== 'retry' && ctx.ledger.hasSlot(name, next.slot)) return this.drain(name);
    this.launch(skill, next);
  }

  /**
   * Stops retries and queues (queued slots stay unrecorded: the next start sees them missed and
   * applies catchUp); `force` stops the running processes too (recorded `interrupted`).
   * Resolves when every run has ended and its end is written.
   */
  async stop(force: boolean): Promise<void> {
    for (const cancel of this.retryTimers) cancel();
    this.retryTimers.clear();
    this.queues.clear();
    if (force) this.interruptAll();
    await Promise.all([...this.active.values()].map((r) => r.done));
    // let the 'done' handlers write their ledger entries
    await new Promise((r) => setImmediate(r));
  }

  interruptAll(): void {
    for (const run of this.active.values()) run.stop('shutdown');
  }

  /** Resolves when no run is active, queued or waiting for a retry. */
  async idle(): Promise<void> {
    while (!this.quiet) {
      await Promise.all([...this.active.values()].map((r) => r.done));
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
