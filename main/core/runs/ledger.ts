import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEnd, LedgerEntry, LedgerSkip, LedgerStart, RunOutcome } from '../../common/types.ts';
import { appendJsonl, readJsonl, rotatedName, rotateIfLarge } from '../home/jsonl.ts';
import type { Logger } from '../home/logger.ts';

/** What the ledger knows about one scheduled slot of one skill. */
export interface SlotState {
  attempts: number;
  lastOutcome: RunOutcome | 'running' | null;
  skipped: boolean;
}

interface SkillIndex {
  slots: Map<string, SlotState>;
  lastSlot: number | null;
  open: Map<string, LedgerStart>;
  recent: LedgerEnd[];
}

const RECENT_KEPT = 200;

export function isLedgerEntry(v: unknown): v is LedgerEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (typeof e.skill !== 'string') return false;
  if (e.type === 'start') return typeof e.run_id === 'string' && typeof e.started_at === 'string';
  if (e.type === 'end') return typeof e.run_id === 'string' && typeof e.outcome === 'string';
  if (e.type === 'skip') return typeof e.slot === 'string' && typeof e.reason === 'string';
  return false;
}

/**
 * The run ledger (runs/<skill>.jsonl): the truth about which slots ran. An entry is appended
 * before a run's process starts and when it ends, so a host killed mid-run leaves a start without
 * an end, which the next host records as `interrupted`.
 */
export class Ledger {
  private readonly index = new Map<string, SkillIndex>();
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly maxBytes: number;

  constructor(runsDir: string, logger: Logger, maxBytes = 2 * 1024 * 1024) {
    this.dir = runsDir;
    this.logger = logger.child('ledger');
    this.maxBytes = maxBytes;
  }

  fileFor(skill: string): string {
    return join(this.dir, `${skill}.jsonl`);
  }

  /** Reads every ledger file (the rotated generation first). */
  load(): void {
    this.index.clear();
    let files: string[] = [];
    try {
      files = readdirSync(this.dir).filter((f) => /^[a-z0-9][a-z0-9-]*\.jsonl$/.test(f));
    } catch {
      return;
    }
    for (const f of files) {
      const skill = f.replace(/\.jsonl$/, '');
      const file = this.fileFor(skill);
      for (const path of [rotatedName(file), file]) {
        for (const e of readJsonl(path, this.logger, isLedgerEntry)) {
          if (e.skill === skill) this.apply(e);
        }
      }
    }
  }

  private skillIndex(skill: string): SkillIndex {
    let idx = this.index.get(skill);
    if (!idx) {
      idx = { slots: new Map(), lastSlot: null, open: new Map(), recent: [] };
      this.index.set(skill, idx);
    }
    return idx;
  }

  private apply(e: LedgerEntry): void {
    const idx = this.skillIndex(e.skill);
    const slot = e.slot;
    if (slot) {
      const t = Date.parse(e.type === 'skip' && e.last_slot ? e.last_slot : slot);
      if (!Number.isNaN(t) && (idx.lastSlot === null || t > idx.lastSlot)) idx.lastSlot = t;
    }
    if (e.type === 'start') {
      idx.open.set(e.run_id, e);
      if (slot) {
        const s = idx.slots.get(slot) ?? { attempts: 0, lastOutcome: null, skipped: false };
        s.attempts = Math.max(s.attempts, e.attempt);
        s.lastOutcome = 'running';
        idx.slots.set(slot, s);
      }
    } else if (e.type === 'end') {
      idx.open.delete(e.run_id);
      if (slot) {
        const s = idx.slots.get(slot) ?? { attempts: e.attempt, lastOutcome: null, skipped: false };
        s.lastOutcome = e.outcome;
        idx.slots.set(slot, s);
      }
      idx.recent.push(e);
      if (idx.recent.length > RECENT_KEPT) idx.recent.shift();
    } else {
      const s = idx.slots.get(e.slot) ?? { attempts: 0, lastOutcome: null, skipped: true };
      s.skipped = true;
      idx.slots.set(e.slot, s);
    }
  }

  private write(e: LedgerEntry): void {
    const file = this.fileFor(e.skill);
    rotateIfLarge(file, this.maxBytes);
    appendJsonl(file, e);
    this.apply(e);
  }

  /**
   * An entry that could not be written (storage full): known in memory, so its slot counts as taken,
   * until `persistNoted` writes it (StorageBacklog).
   */
  noteUnwritten(e: LedgerEntry): void {
    this.apply(e);
  }

  /** Writes an entry already known through `noteUnwritten`. */
  persistNoted(e: LedgerEntry): void {
    const file = this.fileFor(e.skill);
    rotateIfLarge(file, this.maxBytes);
    appendJsonl(file, e);
  }

  recordStart(e: LedgerStart): void {
    this.write(e);
  }
  recordEnd(e: LedgerEnd): void {
    this.write(e);
  }
  recordSkip(e: LedgerSkip): void {
    this.write(e);
  }

  slot(skill: string, slotIso: string): SlotState | undefined {
    return this.index.get(skill)?.slots.get(slotIso);
  }

  /** True once a slot has a start or a skip: it must never be started again by the schedule. */
  hasSlot(skill: string, slotIso: string): boolean {
    return this.index.get(skill)?.slots.has(slotIso) ?? false;
  }

  /** True once a slot has a start entry: not even a backfill runs it again. */
  hasStart(skill: string, slotIso: string): boolean {
    const s = this.index.get(skill)?.slots.get(slotIso);
    return s !== undefined && s.lastOutcome !== null;
  }

  lastSlot(skill: string): number | null {
    return this.index.get(skill)?.lastSlot ?? null;
  }

  openRuns(): LedgerStart[] {
    const out: LedgerStart[] = [];
    for (const idx of this.index.values()) out.push(...idx.open.values());
    return out;
  }

  recentRuns(skill: string): readonly LedgerEnd[] {
    return this.index.get(skill)?.recent ?? [];
  }

  lastRun(skill: string): LedgerEnd | undefined {
    const r = this.index.get(skill)?.recent;
    return r?.[r.length - 1];
  }

  skills(): string[] {
    return [...this.index.keys()];
  }

  /** The whole history of a skill as written (for the API and `clawkeeper logs`). */
  readEntries(skill: string): LedgerEntry[] {
    const file = this.fileFor(skill);
    return [rotatedName(file), file].flatMap((p) => readJsonl(p, this.logger, isLedgerEntry)).filter((e) => e.skill === skill);
  }
}
