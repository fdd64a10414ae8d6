import schedule from 'node-schedule';
import { nextSlot } from './cron.ts';

export interface TriggerTarget {
  name: string;
  schedule: string;
  timezone: string | undefined;
}

/**
 * node-schedule as the trigger. Skills due at the same instant share one node-schedule job keyed
 * by that instant, and we compute the next slot ourselves after firing, outside the hot path.
 * Why: with one cron job per skill, node-schedule re-parses each job's cron (cron-parser over
 * luxon, ~1 ms) synchronously between invocations, so the 100th of 100 skills due on the same
 * second started ~100 ms late. Here the fan-out happens first, then the rescheduling.
 */
export class Trigger {
  private readonly jobs = new Map<number, { job: schedule.Job | null; names: Set<string> }>();
  private readonly targets = new Map<string, TriggerTarget>();
  private readonly nextOf = new Map<string, number>();
  private readonly fire: (names: string[], slot: number) => void;
  private readonly now: () => number;

  constructor(fire: (names: string[], slot: number) => void, now: () => number) {
    this.fire = fire;
    this.now = now;
  }

  /**
   * Arms every target for its first slot after `from` (a slot already past fires at once, and the
   * ones after it in turn). `keepPending`: a target armed before keeps the slot it was waiting for
   * when that is older than `from` (a reload re-arms from the last slot that fired, so a slot due
   * while the skills were loading still fires).
   */
  set(targets: TriggerTarget[], from = this.now(), keepPending = false): void {
    const pending = keepPending ? new Map(this.nextOf) : null;
    this.clear();
    for (const t of targets) this.targets.set(t.name, t);
    for (const t of targets) this.arm(t, Math.min(from, (pending?.get(t.name) ?? Infinity) - 1));
  }

  /** Recomputes every next slot from `from`: after a clock jump or a resume. */
  rearm(from = this.now()): void {
    const targets = [...this.targets.values()];
    this.set(targets, from);
  }

  nextRun(name: string): number | undefined {
    return this.nextOf.get(name);
  }

  clear(): void {
    for (const { job } of this.jobs.values()) job?.cancel();
    this.jobs.clear();
    this.targets.clear();
    this.nextOf.clear();
  }

  private arm(t: TriggerTarget, after: number): void {
    const at = nextSlot(t.schedule, t.timezone, after);
    if (at === null) return;
    this.nextOf.set(t.name, at);
    let group = this.jobs.get(at);
    if (!group) {
      // node-schedule refuses a date already past (a blocked event loop can get there): fire now.
      const job = schedule.scheduleJob(new Date(at), () => this.onFire(at));
      if (!job) setImmediate(() => this.onFire(at));
      group = { job, names: new Set() };
      this.jobs.set(at, group);
    }
    group.names.add(t.name);
  }

  private onFire(at: number): void {
    const group = this.jobs.get(at);
    if (!group) return;
    this.jobs.delete(at);
    const names = [...group.names];
    this.fire(names, at);
    for (const name of names) {
      const t = this.targets.get(name);
      if (t && this.nextOf.get(name) === at) this.arm(t, at);
    }
  }
}
