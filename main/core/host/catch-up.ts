import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEnd, LoadedSkill, SkipReason } from '../../common/types.ts';
import { nextSlotOf, skillSlots, slotsBetweenOf } from '../scheduling/slots.ts';
import { planCatchUp, type MissedReason } from '../scheduling/reconciler.ts';
import { retryDelaySeconds } from '../scheduling/retry-delay.ts';
import { writeStatusFile } from '../runs/status-file.ts';
import type { HostState } from '../home/host-state.ts';
import { recordSkip, type HostContext } from './host-context.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { RunsInFlight } from './runs-in-flight.ts';

/** Missed slots recorded one entry each; past this, one entry stands for the rest. */
const SKIP_ENTRIES_CAP = 200;

export interface Reconciled {
  ran: number;
  skipped: number;
  /** The instant looked up to: the trigger takes over from there. */
  now: number;
}

/**
 * Everything a host does about time it was not there for: runs cut off by a dead host, slots
 * missed while it was down or asleep or while a dependency was, and writes kept while the disk
 * was full. Each skill's `catchUp` policy decides which missed slots run and which are recorded.
 */
export class CatchUp {
  private readonly ctx: HostContext;
  private readonly dispatcher: Dispatcher;
  private readonly runs: RunsInFlight;
  private previous: HostState | null = null;
  private startedAt = 0;

  constructor(ctx: HostContext, dispatcher: Dispatcher, runs: RunsInFlight) {
    this.ctx = ctx;
    this.dispatcher = dispatcher;
    this.runs = runs;
  }

  /** What the previous host left (runs/_host.json) and when this one started. */
  begin(previous: HostState | null, startedAt: number): void {
    this.previous = previous;
    this.startedAt = startedAt;
  }

  /** Runs cut off by a dead host: recorded `interrupted`, then retried if the skill allows it. */
  recoverInterrupted(): void {
    const { ctx } = this;
    for (const open of ctx.ledger.openRuns()) {
      const now = ctx.clock.now();
      const entry: LedgerEnd = {
        type: 'end',
        run_id: open.run_id,
        skill: open.skill,
        slot: open.slot,
        trigger: open.trigger,
        attempt: open.attempt,
        started_at: open.started_at,
        ended_at: new Date(now).toISOString(),
        duration_ms: Math.max(0, now - Date.parse(open.started_at)),
        outcome: 'interrupted',
        exit_code: null,
        signal: null,
        error: `the host (pid ${open.host_pid}) stopped during this run; found on the next start`,
      };
      // What the run printed before the host died (the runner's logs/<skill>/<run_id>.log), so
      // `clawkeeper logs` shows it.
      const log = join(ctx.paths.logs, open.skill, `${open.run_id}.log`);
      if (existsSync(log)) entry.log = log;
      ctx.ledger.recordEnd(entry);
      writeStatusFile(
        ctx.paths.status, open.skill,
        { status: 'interrupted', timestamp: entry.ended_at, duration_ms: entry.duration_ms, run_id: open.run_id }, {},
      );
      ctx.log.warn(`run ${open.run_id} of "${open.skill}" was cut off by the previous host: recorded interrupted`);
      ctx.events.emit('run-end', { entry, fields: {} });
      const m = ctx.skills.get(open.skill)?.manifest;
      if (m && open.slot && open.attempt <= m.retries.max) {
        const due = new Date(ctx.clock.now() + retryDelaySeconds(m.retries.backoffSeconds, open.attempt) * 1000).toISOString();
        this.runs.scheduleRetry({ skill: open.skill, slot: open.slot, attempt: open.attempt + 1, due });
      } else ctx.events.emit('run-final', { entry, fields: {} });
    }
  }

  /** Compares the slots each skill should have had with the ledger and applies `catchUp`. */
  reconcile(reason: MissedReason | 'start', awakeAt?: number, only?: Set<string>): Reconciled {
    const now = this.ctx.clock.now();
    let ran = 0;
    let skipped = 0;
    for (const skill of this.ctx.skills.valid()) {
      if (!skill.manifest!.enabled || (only && !only.has(skill.name))) continue;
      const r = this.reconcileSkill(skill, reason, now, awakeAt);
      ran += r.ran;
      skipped += r.skipped;
    }
    if (ran + skipped > 0) this.ctx.log.info(`reconciled (${reason}): ${ran} catch-up runs, ${skipped} slots recorded as missed`);
    if (only) this.ctx.waits.release(only);
    this.ctx.events.emit('reconciled', { reason: reason === 'start' ? 'down' : reason, ran, skipped });
    return { ran, skipped, now };
  }

  private reconcileSkill(
    skill: LoadedSkill, reason: MissedReason | 'start', now: number, awakeAt: number | undefined,
  ): { ran: number; skipped: number } {
    const { ctx } = this;
    const m = skill.manifest!;
    const lastAlive = this.previous ? Date.parse(this.previous.last_alive) : null;
    const waitingFor = ctx.dependencies.downOf(m.needs);
    const wait = ctx.waits.of(skill.name);
    // From the skill's last slot; with none, from when the host was last known awake (the
    // previous host's last tick, or this one's before the sleep). With no history at all (a
    // first start) nothing was missed: nothing was due yet.
    const ss = skillSlots(skill.name, m);
    let fromLedger = ctx.ledger.lastSlot(skill.name) ?? (reason === 'start' ? lastAlive : awakeAt) ?? now;
    // A one-shot `at` that passed with nothing recorded is never lost silently, even on a first
    // start: it follows catchUp (skip records it missed; otherwise it runs once as catch-up).
    if (ss.spec.kind === 'at' && !ctx.ledger.hasSlot(
      skill.name, new Date(ss.spec.at).toISOString(),
    )) fromLedger = Math.min(fromLedger, ss.spec.at - 1);
    if (waitingFor.length > 0) {
      // Nothing final is written while a need is down: the slots wait for it to come back.
      const next = nextSlotOf(ss.spec, fromLedger);
      if (next !== null && ss.startOf(next) <= now) ctx.waits.defer(skill.name, next, waitingFor);
      return { ran: 0, skipped: 0 };
    }
    // Its wait (if any, also one saved by a previous host) is over: its slots are handled now.
    ctx.waits.release([skill.name]);
    // After a wait for a dependency, from the first slot that waited: slots recorded meanwhile
    // (paused, say) are filtered out by the ledger below, none is lost.
    const since = wait?.since !== undefined ? Math.min(wait.since - 1, fromLedger) : fromLedger;
    if (since >= now) return { ran: 0, skipped: 0 };
    const { slots, total, first } = slotsBetweenOf(ss.spec, since, now, Math.max(SKIP_ENTRIES_CAP, m.catchUp.max));
    // A slot still inside its jitter delay has not been missed: the trigger starts it.
    const missed = slots.filter(
      (t) => ss.startOf(t) <= now && !ctx.ledger.hasSlot(skill.name, new Date(t).toISOString()) && !this.runs.isQueued(skill.name, t),
    );
    if (missed.length === 0) return { ran: 0, skipped: 0 };
    const why: MissedReason = reason === 'start' ? 'down' : reason;
    const reasonOf = (slot: number) => skipReason(why, lastAlive, slot, m.needs.length > 0, this.startedAt);
    const detailOf = (d: string) => (why === 'dependency' ? `${d}; it waited for ${wait?.deps.join(', ') ?? 'a dependency'}` : d);
    const plan = planCatchUp(missed, m.catchUp, ctx.skills.isPaused(skill.name));
    let skipped = 0;
    const omitted = total - slots.length;
    if (omitted > 0 && first !== null) {
      // A long outage of a frequent skill: one entry stands for the slots not listed one by one.
      recordSkip(ctx, {
        skill: skill.name, slot: first, reason: reasonOf(first),
        detail: detailOf(`catchUp=${m.catchUp.mode}: ${omitted} older slots not listed one by one`), count: omitted,
        lastSlot: slots[0]! - 1,
      });
      skipped += omitted;
    }
    for (const s of plan.skip) {
      recordSkip(ctx, { skill: skill.name, slot: s.slot, reason: s.paused ? 'paused' : reasonOf(s.slot), detail: detailOf(s.detail) });
      skipped++;
    }
    for (const t of plan.run) this.dispatcher.dispatch({
      skill: skill.name, slot: new Date(t).toISOString(), trigger: 'catch-up', queue: true,
    });
    return { ran: plan.run.length, skipped };
  }

  /** Skills that waited and need nothing down any more: their retries, then their slots by catchUp. */
  releaseDeferred(): number {
    const { ctx } = this;
    const ready = ctx.waits.skills().filter((n) => ctx.skills.downNeeds(n).length === 0);
    for (const name of ready) for (const r of ctx.waits.takeRetries(name)) if (r.slot) this.dispatcher.dispatch({
      skill: name, slot: r.slot, trigger: 'retry', attempt: r.attempt, queue: true, probe: r.probe === true,
    });
    return ready.length > 0 ? this.reconcile('dependency', undefined, new Set(ready)).ran : 0;
  }

  /** Storage is writable again: write what was kept, then the missed slots follow `catchUp`. */
  afterStorageBack(): void {
    const { ctx } = this;
    if (ctx.stopping()) return;
    try {
      const toRun = ctx.backlog.flush({
        ledger: ctx.ledger, skills: ctx.skills.valid(), isPaused: (n) => ctx.skills.isPaused(n), now: ctx.clock.now(),
        logger: ctx.log, onSkip: (e) => ctx.events.emit('skip', e),
      });
      for (const m of toRun) this.dispatcher.dispatch({
        skill: m.skill, slot: m.slot, trigger: m.trigger, attempt: m.attempt, queue: true,
      });
    } catch (err) {
      // Never thrown from the storage probe's timer (it would take the host down).
      if (!ctx.storage.writeFailed('runs', ctx.paths.runs, err)) ctx.log.error(`after storage came back: ${(err as Error).message}`);
    }
  }
}

function skipReason(why: MissedReason, lastAlive: number | null, slot: number, hasNeeds: boolean, startedAt: number): SkipReason {
  if (why === 'asleep') return 'missed-while-asleep';
  // Slots that fell while no host ran are missed-while-down, even if a dependency was down too.
  if (why === 'dependency') return lastAlive !== null && slot > lastAlive && slot < startedAt ? 'missed-while-down' : 'dependency-down';
  if (lastAlive === null || slot > lastAlive) return 'missed-while-down';
  // A slot the previous host was alive for and never recorded: it waited for a dependency.
  return hasNeeds ? 'dependency-down' : 'missed';
}
