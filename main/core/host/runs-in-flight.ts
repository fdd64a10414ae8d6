import type { LoadedSkill } from '../../common/types.ts';
import type { Logger } from '../home/logger.ts';
import type { ProcessLauncher } from '../runs/launcher.ts';
import type { FinishedRun, RunHandle } from '../runs/runner.ts';
import { retryDecision, startPlannedRun, type EndedRun, type RunSite } from '../runs/run-lifecycle.ts';
import type { OwedRetries, OwedRetry } from '../runs/owed-retries.ts';
import { NETWORK_ERROR_CODES } from '../dependencies/probe-target.ts';
import type { DispatchRequest, Dispatched, HostContext, Pending, RunEndEvent } from './host-context.ts';
import { startTimer } from '../scheduling/clock.ts';

/** Runs waiting behind a running one of the same skill, at most. */
export const QUEUE_CAP = 100;

export interface RunsInFlightOptions {
  launcher: ProcessLauncher;
  killGraceMs?: number;
  logCapBytes?: number;
  /** Retries owed, on disk until each starts (runs/_retries.json). */
  owed: OwedRetries;
  /** A retry's timer fired: it goes through the dispatcher's gates again. */
  retry: (req: DispatchRequest) => Dispatched;
}

export { newRunId } from '../runs/run-lifecycle.ts';

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
    let started;
    try {
      started = startPlannedRun(this.site, {
        manifest: m, dir: skill.dir, slot: p.slot, trigger: p.trigger, attempt: p.attempt, probe: p.probe,
      });
    } catch (err) {
      if (!ctx.storage.writeFailed('runs', ctx.ledger.fileFor(skill.name), err)) throw err;
      ctx.backlog.keepMissed({ skill: skill.name, slot: p.slot, trigger: p.trigger, attempt: p.attempt });
      return null;
    }
    const { runId, handle, startedAt } = started;
    // A retry owed is settled once its start entry is written: from here the ledger has it.
    if (p.trigger === 'retry' && p.slot) this.o.owed.settle({ skill: skill.name, slot: p.slot, attempt: p.attempt });
    this.active.set(skill.name, handle);
    if (p.probe) this.probeRuns.add(runId);
    ctx.events.emit('run-start', { skill: skill.name, runId, slot: p.slot, trigger: p.trigger, attempt: p.attempt, startedAt });
    void started.ended.then((ended) => this.finish(skill, handle, p, ended));
    return runId;
  }

  /** Where the host's runs write (runs/run-lifecycle.ts); a full disk keeps the end for later. */
  private get site(): RunSite {
    const { ctx } = this;
    return {
      paths: ctx.paths,
      ledger: ctx.ledger,
      clock: ctx.clock,
      runner: {
        launcher: this.o.launcher, killGraceMs: this.o.killGraceMs, logCapBytes: this.o.logCapBytes,
        logsAllowed: () => ctx.storage.logsAllowed(),
        onLogError: (path, err) => ctx.storage.writeFailed('logs', path, err),
      },
      onEndWriteError: (what, err, entry) => {
        if (what === 'ledger') {
          if (ctx.storage.writeFailed('runs', ctx.ledger.fileFor(entry.skill), err)) ctx.backlog.keepEntry(ctx.ledger, entry);
          else ctx.log.error(`cannot record the end of run ${entry.run_id}: ${(err as Error).message}`);
        } else if (!ctx.storage.writeFailed('logs', ctx.paths.status, err)) ctx.log.error(
          `cannot write the status file of ${entry.skill}: ${(err as Error).message}`,
        );
      },
    };
  }

  private finish(skill: LoadedSkill, handle: RunHandle, p: Pending, ended: EndedRun): void {
    if (this.active.get(skill.name) === handle) this.active.delete(skill.name);
    const log = this.ctx.log.child(`skill=${skill.name} run=${handle.runId}`);
    const { entry, run: r } = ended;
    if (r.outcome === 'success') log.info(`success in ${entry.duration_ms} ms`);
    else log.warn(`${r.outcome}: ${r.error ?? ''}`);
    for (const w of r.warnings) log.warn(w);
    const end: RunEndEvent = { entry, fields: r.fields };
    this.ctx.events.emit('run-end', end);
    this.probeRuns.delete(handle.runId);
    if (!this.followUp(skill, p, r, log)) this.ctx.events.emit('run-final', end);
    this.drain(skill.name);
  }

  /** After the end: a retry (true), or the breaker's count; and probes of the needs a failure points at. */
  private followUp(skill: LoadedSkill, p: Pending, r: FinishedRun, log: Logger): boolean {
    const { ctx } = this;
    const m = skill.manifest!;
    // A JS run that failed because the network or a server was unreachable says nothing about
    // the skill: its needs are probed now, so the next slots wait instead of failing too.
    const networkClass = r.outcome === 'failure' && r.errorCode !== undefined && NETWORK_ERROR_CODES.has(r.errorCode) && m.needs.length > 0;
    // A provider that kept failing: probe the model server now (the breaker ignores this outcome).
    if (r.outcome === 'upstream-failure') for (const n of m.needs) if (n.startsWith('model:')) ctx.dependencies.probeNow(n);
    const decision = retryDecision(
      { outcome: r.outcome, stopReason: r.stopReason, attempt: p.attempt, slot: p.slot, stopping: ctx.stopping() },
      m.retries,
    );
    if (decision.retry) {
      this.scheduleRetry({
        skill: skill.name, slot: p.slot!, attempt: decision.attempt,
        due: new Date(ctx.clock.now() + decision.delaySeconds * 1000).toISOString(),
        ...(p.probe ? { probe: true } : {}),
      });
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

  private recordBreaker(skill: LoadedSkill, outcome: FinishedRun['outcome'], probe: boolean, log: Logger): void {
    const changed = this.ctx.breakers.record(skill.name, skill.manifest!.breaker, outcome, probe, this.ctx.clock.now());
    if (!changed) return;
    const words = `breaker ${changed.state}${changed.until ? ` until ${changed.until}` : ''}`;
    if (changed.state === 'open') log.warn(words);
    else log.info(words);
    this.ctx.events.emit('breaker', { skill: skill.name, state: changed.state, until: changed.until });
  }

  /**
   * A retry owed: written to runs/_retries.json first (a host killed during the backoff leaves it
   * to the next one), then its timer. Settled when its run starts (`launch`) or the dispatcher drops it.
   */
  scheduleRetry(r: OwedRetry, persist = true): void {
    if (persist) this.o.owed.add(r);
    if (r.probe) this.probeRetries.add(r.skill);
    const cancel = startTimer(this.ctx.clock, () => {
      this.retryTimers.delete(cancel);
      if (r.probe) this.probeRetries.delete(r.skill);
      if (this.ctx.stopping()) return;
      const d = this.o.retry({ skill: r.skill, slot: r.slot, trigger: 'retry', attempt: r.attempt, queue: true, probe: r.probe === true });
      // Not started, not queued, and not waiting for a dependency (which keeps it): dropped
      // (paused, budget, the skill gone), so no longer owed.
      if (d.runId === null && !d.queued && this.ctx.skills.downNeeds(r.skill).length === 0 && !this.ctx.stopping()) {
        this.ctx.log.warn(
          `retry ${r.attempt} of "${r.skill}" for ${r.slot} not started (the skill is paused, over its day budget, or gone)`,
        );
        this.o.owed.settle(r);
      }
    }, Math.max(0, Date.parse(r.due) - this.ctx.clock.now()));
    this.retryTimers.add(cancel);
  }

  /**
   * The retries a previous host (or run-once) owed when it stopped: each runs at its due time, or
   * at once if that is past, as the attempt it was to be. One whose skill is gone, or whose attempt
   * the ledger already has, is settled with a line in the log.
   */
  resumeOwed(): number {
    let n = 0;
    for (const r of this.o.owed.load()) {
      const m = this.ctx.skills.get(r.skill)?.manifest;
      const already = this.ctx.ledger.slot(r.skill, r.slot);
      if (!m || (already?.attempts ?? 0) >= r.attempt) {
        this.ctx.log.warn(
          `retry ${r.attempt} of "${r.skill}" for ${r.slot} not run: ${m ? 'the ledger already has it' : 'the skill is gone or invalid'}`,
        );
        this.o.owed.settle(r);
        continue;
      }
      this.scheduleRetry(r, false);
      n++;
    }
    return n;
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
