// A backfill in a live host: the planned slots run one after another (oldest first), each as
// trigger `backfill` through the dispatcher's gates (paused, breaker, budget, overlap), the next
// starting when the skill has no run in flight. Nothing waits on it: the command answers with
// the plan at once, and the ledger shows the runs.
import { ClawError } from '../../common/errors.ts';
import { planBackfill, type BackfillPlan } from '../scheduling/backfill-plan.ts';
import type { Host } from './host.ts';

const C = 'host';

export interface BackfillRequest {
  from: string;
  to: string;
  dryRun?: boolean;
  max?: number;
}

export class Backfills {
  private readonly host: Host;
  private readonly now: () => number;
  /** Per skill, the slots still to start. */
  private readonly queues = new Map<string, string[]>();

  constructor(host: Host, now: () => number) {
    this.host = host;
    this.now = now;
    // After the run has fully ended (its follow-ups done): then the next slot may start.
    host.on('run-end', (e) => setImmediate(() => this.next(e.entry.skill)));
  }

  /** Plans, and unless dryRun starts, a backfill; throws a ClawError a front-end can show. */
  start(name: string, r: BackfillRequest): BackfillPlan & { queued: number } {
    const skill = this.host.listSkills().find((s) => s.name === name);
    if (!skill?.manifest) throw new ClawError(
      'CK_SKILL_INVALID', C, `skill "${name}" is invalid and cannot run; \`clawkeeper skills\` shows why`,
    );
    const ledger = this.host.ledger;
    const skips = new Map<string, string>();
    for (const e of ledger.readEntries(name)) if (e.type === 'skip') skips.set(e.slot, e.reason);
    const plan = planBackfill(skill.manifest, {
      started: (slot) => (ledger.hasStart(name, slot)
        ? (ledger.slot(name, slot)?.lastOutcome ?? 'started')
        : ledger.hasSlot(name, slot) ? null : undefined),
      skipReason: (slot) => skips.get(slot),
    }, { from: Date.parse(r.from), to: Date.parse(r.to), now: this.now(), max: r.max });
    if ('error' in plan) throw new ClawError('CK_BAD_REQUEST', C, plan.error);
    if (r.dryRun || plan.toRun.length === 0) return { ...plan, queued: 0 };
    if (this.host.isPaused(name)) throw new ClawError(
      'CK_CONFLICT', C, `${name} is paused: resume it before a backfill (its slots would only be recorded as paused)`,
    );
    const down = this.host.deferredOn(name);
    if (down.length > 0) throw new ClawError(
      'CK_CONFLICT', C,
      `${name} needs ${down.join(', ')}, which ${down.length === 1 ? 'is' : 'are'} down: backfill when it is back`,
    );
    const queue = this.queues.get(name) ?? [];
    for (const s of plan.toRun) if (!queue.includes(s)) queue.push(s);
    this.queues.set(name, queue);
    this.next(name);
    return { ...plan, queued: plan.toRun.length };
  }

  /** Slots still waiting to start, per skill (for status). */
  pending(name: string): number {
    return this.queues.get(name)?.length ?? 0;
  }

  /** Starts the next waiting slot of the skill if none of its runs is in flight. */
  next(name: string): void {
    const queue = this.queues.get(name);
    while (queue && queue.length > 0 && !this.host.isRunning(name)) {
      const slot = queue.shift()!;
      // Not started (its gate recorded why, or it started meanwhile): on to the next one.
      const d = this.host.dispatch({ skill: name, slot, trigger: 'backfill', attempt: 1, queue: false });
      if (d.runId !== null || d.queued) break;
    }
    if (queue && queue.length === 0) this.queues.delete(name);
  }
}
