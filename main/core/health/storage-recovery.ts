import type { LedgerEntry, LedgerSkip, LoadedSkill, RunTrigger } from '../../common/types.ts';
import type { Ledger } from '../runs/ledger.ts';
import type { Logger } from '../home/logger.ts';
import { planCatchUp } from '../scheduling/reconciler.ts';

/** A run that was not started because its start entry could not be written. */
export interface MissedStart {
  skill: string;
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
}

/** Kept in memory while storage fails: a host stuck for days must not grow without bound. */
const KEPT = 10_000;

/**
 * What the host could not write while storage failed, and what it does once it can again:
 * end and skip entries are written then (they were already applied to the ledger's index, so the
 * slot counts as taken meanwhile); slots that could not start follow the skill's `catchUp`, and
 * every one of them that does not run is recorded `storage-full`. A slot the ledger already has
 * (a later reconcile took it) is left alone: no slot twice.
 */
export class StorageBacklog {
  private entries: LedgerEntry[] = [];
  private missed: MissedStart[] = [];
  private lost = 0;

  keepEntry(ledger: Ledger, e: LedgerEntry): void {
    ledger.noteUnwritten(e);
    if (this.entries.length < KEPT) this.entries.push(e);
    else this.lost++;
  }

  keepMissed(m: MissedStart): void {
    if (m.slot === null) return; // a manual run that could not start was refused to its caller
    if (this.missed.some((x) => x.skill === m.skill && x.slot === m.slot)) return;
    if (this.missed.length < KEPT) this.missed.push(m);
    else this.lost++;
  }

  size(): number {
    return this.entries.length + this.missed.length;
  }

  /**
   * Writes what was kept and hands back the slots to run now. Stops at the first write that fails
   * again (the rest stays kept for the next time storage comes back).
   */
  flush(
    o: {
      ledger: Ledger; skills: LoadedSkill[]; isPaused: (n: string) => boolean; now: number; logger: Logger;
      onSkip: (e: LedgerSkip) => void;
    },
  ): MissedStart[] {
    while (this.entries.length > 0) {
      o.ledger.persistNoted(this.entries[0]!);
      this.entries.shift();
    }
    if (this.lost > 0) o.logger.warn(`${this.lost} ledger entries or missed slots could not be kept in memory while storage failed`);
    this.lost = 0;
    const toRun: MissedStart[] = [];
    const bySkill = new Map<string, MissedStart[]>();
    for (const m of this.missed) bySkill.set(m.skill, [...(bySkill.get(m.skill) ?? []), m]);
    for (const [name, list] of bySkill) {
      const skill = o.skills.find((s) => s.name === name);
      // A retry's slot already has its entries (the failed attempt): it is still owed.
      const retries = list.filter((m) => m.trigger === 'retry' && m.slot);
      if (skill?.manifest) toRun.push(...retries);
      const open = list.filter((m) => m.trigger !== 'retry' && !o.ledger.hasSlot(name, m.slot!));
      if (!skill?.manifest || open.length === 0) continue;
      const plan = planCatchUp(open.map((m) => Date.parse(m.slot!)), skill.manifest.catchUp, o.isPaused(name));
      for (const s of plan.skip) {
        const entry: LedgerSkip = {
          type: 'skip', skill: name, slot: new Date(s.slot).toISOString(), reason: 'storage-full',
          at: new Date(o.now).toISOString(),
          detail: `its start entry could not be written (storage full or failing); ${s.detail}`,
        };
        o.ledger.recordSkip(entry);
        o.onSkip(entry);
      }
      for (const t of plan.run) {
        const m = open.find((x) => Date.parse(x.slot!) === t)!;
        toRun.push({ ...m, trigger: m.trigger === 'retry' ? 'retry' : 'catch-up' });
      }
    }
    this.missed = [];
    return toRun;
  }
}
