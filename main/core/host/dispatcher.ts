import type { LoadedSkill, RunTrigger } from '../../common/types.ts';
import { dayBudgetReached } from '../models/day-budget.ts';
import { recordSkip, type Dispatched, type DispatchRequest, type HostContext, type Pending, type RunRefusal } from './host-context.ts';
import { QUEUE_CAP, type RunsInFlight } from './runs-in-flight.ts';

const NONE: Dispatched = { runId: null, queued: false };

/**
 * Where every run begins. A slot passes the gates in order: already in the ledger or queued
 * (never run twice) → paused → a need is down (the slot waits, nothing written) → breaker → day token
 * budget → a run of the skill still running (overlap: skip, queue or replace) → launched.
 */
export class Dispatcher {
  private readonly ctx: HostContext;
  private readonly runs: RunsInFlight;

  constructor(ctx: HostContext, runs: RunsInFlight) {
    this.ctx = ctx;
    this.runs = runs;
  }

  /** The trigger's call at a slot: every skill due then. */
  onTrigger(names: string[], slot: number): void {
    const iso = new Date(slot).toISOString();
    for (const name of names) {
      // Last resort: nothing a dispatch throws may reach the trigger's timer (it would kill the host).
      try {
        this.dispatch({ skill: name, slot: iso, trigger: 'schedule' });
      } catch (err) {
        this.ctx.log.error(`could not dispatch "${name}" for ${iso}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Runs a skill now, outside its schedule. Null if it is unknown or invalid; refused (not
   * started) while a need is down, unless forced. A manual run closes a tripped breaker.
   */
  runNow(name: string, opts: { force?: boolean } = {}): Dispatched | RunRefusal | null {
    const skill = this.ctx.skills.get(name);
    if (!skill?.manifest) return null;
    const down = this.ctx.skills.downNeeds(name);
    if (down.length > 0 && !opts.force) {
      return {
        refused: {
          code: 'dependency-down',
          message: `${name} needs ${down.join(', ')}, which ${down.length === 1 ? 'is' : 'are'} down; run it anyway with --force (API: {"force": true})`,
        },
      };
    }
    this.closeBreaker(name, 'run by hand');
    return this.dispatch({ skill: name, slot: null, trigger: 'manual', queue: true });
  }

  closeBreaker(name: string, why: string): void {
    if (this.ctx.breakers.close(name)) {
      this.ctx.log.info(`breaker of "${name}" closed: ${why}`);
      this.ctx.events.emit('breaker', { skill: name, state: 'closed', until: null });
    }
  }

  /**
   * The one way a run begins. A scheduled slot already in the ledger is never started again;
   * `queue` makes catch-up and manual runs wait for a running one instead of being skipped.
   */
  dispatch(req: DispatchRequest): Dispatched {
    const { skill: name, slot, trigger, attempt = 1, queue: queueAnyway = false, probe = false } = req;
    const skill = this.ctx.skills.get(name);
    if (!skill?.manifest || this.ctx.stopping()) return NONE;
    // A backfill runs a slot that was only skipped (missed, paused…), never one that started.
    const taken = trigger === 'backfill'
      ? this.ctx.ledger.hasStart(name, slot ?? '')
      : slot !== null && this.ctx.ledger.hasSlot(name, slot);
    if (slot !== null && trigger !== 'retry' && (taken || this.runs.isQueued(name, Date.parse(slot)))) return NONE;
    const admitted = slot !== null && trigger !== 'manual' ? this.admitSlot(skill, slot, trigger, attempt, probe) : { probe };
    if (!admitted) return NONE;
    const pending: Pending = { slot, trigger, attempt, ...(admitted.probe ? { probe: true } : {}) };
    if (this.runs.running(name)) return this.overlap(skill, pending, queueAnyway);
    return { runId: this.runs.launch(skill, pending), queued: false };
  }

  /**
   * The gates of a scheduled, catch-up or retry slot before it may start. Null: it does not
   * start now (skipped and recorded, or waiting for a dependency). Otherwise whether it is the
   * breaker's probe.
   */
  private admitSlot(skill: LoadedSkill, slot: string, trigger: RunTrigger, attempt: number, probe: boolean): { probe: boolean } | null {
    const { ctx } = this;
    const name = skill.name;
    const m = skill.manifest!;
    const retry = trigger === 'retry';
    if (ctx.skills.isPaused(name)) {
      if (!retry) recordSkip(ctx, { skill: name, slot, reason: 'paused', detail: 'the skill is paused' });
      return null;
    }
    const down = ctx.skills.downNeeds(name);
    if (down.length > 0) {
      // The run that first met the outage: its retry waits for the dependency too.
      if (retry) ctx.waits.addRetry(name, { slot, trigger, attempt, ...(probe ? { probe } : {}) });
      ctx.waits.defer(name, Date.parse(slot), down);
      return null;
    }
    if (!retry) {
      const admit = ctx.breakers.admit(name, m.breaker, ctx.clock.now(), this.runs.probeUnderWay(name));
      if (admit.kind === 'skip') {
        recordSkip(ctx, { skill: name, slot, reason: 'breaker-open', detail: admit.detail });
        return null;
      }
      probe = admit.kind === 'probe';
    }
    // Day token budget (budget.tokensPerDay) reached: the slot is skipped with reason `budget`.
    const overBudget = dayBudgetReached(ctx.paths, m, ctx.clock.now());
    if (overBudget !== null) {
      if (!retry) recordSkip(ctx, { skill: name, slot, reason: 'budget', detail: overBudget });
      return null;
    }
    return { probe };
  }

  /** A run of the skill is still running: its overlap policy (catch-up, manual and retries queue). */
  private overlap(skill: LoadedSkill, p: Pending, queueAnyway: boolean): Dispatched {
    const running = this.runs.running(skill.name)!;
    const policy = queueAnyway || p.trigger === 'retry' ? 'queue' : skill.manifest!.overlap;
    if (policy === 'skip') {
      if (p.slot) recordSkip(this.ctx, {
        skill: skill.name, slot: p.slot, reason: 'skipped-overlap',
        detail: `run ${running.runId} was still running (overlap=skip)`,
      });
      return NONE;
    }
    if (!this.runs.enqueue(skill.name, p, policy === 'replace')) {
      if (p.slot) recordSkip(this.ctx, {
        skill: skill.name, slot: p.slot, reason: 'queue-full', detail: `${QUEUE_CAP} runs already waiting`,
      });
      return NONE;
    }
    return { runId: null, queued: true };
  }
}
