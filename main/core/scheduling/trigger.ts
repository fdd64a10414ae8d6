import schedule from 'node-schedule';
import { nextSlotOf, nextStartingSlot, type SkillSlots } from './slots.ts';

export interface TriggerTarget {
  name: string;
  slots: SkillSlots;
}

/**
 * node-schedule as the trigger. Skills due at the same instant share one node-schedule job keyed
 * by that instant, and we compute the next slot ourselves after firing, outside the hot path.
 * Why: with one cron job per skill, node-schedule re-parses each job's cron (cron-parser over
 * luxon, ~1 ms) synchronously between invocations, so the 100th of 100 skills due on the same
 * second started ~100 ms late. Here the fan-out happens first, then the rescheduling.
 * A job is keyed by the instant it fires, which is a slot plus its skill's jitter: one job may
 * serve several nominal slots, and each skill is told its own.
 */
export class Trigger {
  private readonly jobs = new Map<number, { job: schedule.Job | null; slotOf: Map<string, number> }>();
  private readonly targets = new Map<string, TriggerTarget>();
  /** Per skill, the slot armed and the instant it starts. */
  private readonly nextOf = new Map<string, { slot: number; start: number }>();
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
    for (const t of targets) this.arm(t, nextStartingSlot(t.slots, Math.min(from, (pending?.get(t.name)?.slot ?? Infinity) - 1)));
  }

  /** Recomputes every next slot from `from`: after a clock jump or a resume. */
  rearm(from = this.now()): void {
    const targets = [...this.targets.values()];
    this.set(targets, from);
  }

  /** When the skill's next run starts (its slot plus its jitter). */
  nextRun(name: string): number | undefined {
    return this.nextOf.get(name)?.start;
  }

  clear(): void {
    for (const { job } of this.jobs.values()) job?.cancel();
    this.jobs.clear();
    this.targets.clear();
    this.nextOf.clear();
  }

  private arm(t: TriggerTarget, slot: number | null): void {
    if (slot === null) {
      // No slot left (a one-shot that fired): no next run to show.
      this.nextOf.delete(t.name);
      return;
    }
    const at = t.slots.startOf(slot);
    this.nextOf.set(t.name, { slot, start: at });
    let group = this.jobs.get(at);
    if (!group) {
      // node-schedule refuses a date already past (a blocked event loop can get there): fire now.
      const job = schedule.scheduleJob(new Date(at), () => this.onFire(at));
      if (!job) setImmediate(() => this.onFire(at));
      group = { job, slotOf: new Map() };
      this.jobs.set(at, group);
    }
    group.slotOf.set(t.name, slot);
  }

  private onFire(at: number): void {
    const group = this.jobs.get(at);
    if (!group) return;
    this.jobs.delete(at);
    const bySlot = new Map<number, string[]>();
    for (const [name, slot] of group.slotOf) bySlot.set(slot, [...(bySlot.get(slot) ?? []), name]);
    for (const [slot, names] of bySlot) this.fire(names, slot);
    for (const [name, slot] of group.slotOf) {
      const t = this.targets.get(name);
      // The next slot in order, even if its jittered start is already past (it fires at once).
      if (t && this.nextOf.get(name)?.slot === slot) this.arm(t, nextSlotOf(t.slots.spec, slot));
    }
  }
}
