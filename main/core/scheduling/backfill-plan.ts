// `clawkeeper backfill <skill> --from --to`: which slots of a range run, and why each does or
// does not. Pure: the ledger is passed in. A slot with a start entry never runs again (not even
// a failed one: that is a retry's business, and a second identical backfill must run nothing);
// a slot that was only skipped (missed, paused, deferred…) or never recorded runs, oldest first.
import { slotSpecOf, slotsBetweenOf, type Timing } from './slots.ts';

/** Past this many runs a backfill needs --max (a typo in --from must not start a thousand runs). */
export const BACKFILL_UNCAPPED = 100;
/**
 * A range holding more slots than this is refused outright: narrow it. Counting a cron range
 * steps through it (~40 µs a slot) on the host's event loop, so this also bounds that to ~0.4 s.
 */
const RANGE_CAP = 10_000;

export interface BackfillSlot {
  slot: string;
  run: boolean;
  why: string;
}

export interface BackfillPlan {
  slots: BackfillSlot[];
  /** The slots that run, oldest first. */
  toRun: string[];
}

export interface LedgerView {
  /** The outcome of the slot's last start ('running' while it runs), or null when it never started; undefined: no entry at all. */
  started(slot: string): string | null | undefined;
  /** The reason of a skip entry for the slot, if any. */
  skipReason(slot: string): string | undefined;
}

export function planBackfill(
  m: Timing, ledger: LedgerView, o: { from: number; to: number; now: number; max?: number },
): BackfillPlan | { error: string } {
  if (!Number.isFinite(o.from) || !Number.isFinite(o.to)) return {
    error: '--from and --to must be ISO times, e.g. --from 2026-03-01T00:00:00Z --to 2026-03-02T00:00:00Z',
  };
  if (o.from > o.to) return { error: `--from ${new Date(o.from).toISOString()} is after --to ${new Date(o.to).toISOString()}` };
  if (o.max !== undefined && (!Number.isInteger(o.max) || o.max < 1)) return { error: '--max must be a whole number of at least 1' };
  // [from, to], both ends included: a slot exactly at --from is in the range.
  const { total } = slotsBetweenOf(slotSpecOf(m), o.from - 1, o.to, 0, RANGE_CAP + 1);
  if (total > RANGE_CAP) return { error: `the range holds more than ${RANGE_CAP} slots; narrow --from and --to` };
  const { slots } = slotsBetweenOf(slotSpecOf(m), o.from - 1, o.to, total);
  const out: BackfillSlot[] = [];
  const runnable: string[] = [];
  for (const t of slots) {
    const slot = new Date(t).toISOString();
    const started = ledger.started(slot);
    if (t > o.now) out.push({ slot, run: false, why: 'not due yet: the schedule runs it' });
    else if (started !== undefined && started !== null) out.push({
      slot, run: false, why: `started before (${started}): a slot with a start entry never runs again`,
    });
    else {
      const skip = ledger.skipReason(slot);
      out.push({ slot, run: true, why: skip ? `recorded as not run (${skip})` : 'never recorded' });
      runnable.push(slot);
    }
  }
  const cap = o.max ?? BACKFILL_UNCAPPED;
  if (o.max === undefined && runnable.length > BACKFILL_UNCAPPED) {
    return {
      error: `${runnable.length} slots would run (more than ${BACKFILL_UNCAPPED}); give --max N to allow that many (the oldest N run)`,
    };
  }
  const toRun = runnable.slice(0, cap);
  const running = new Set(toRun);
  for (const s of out) if (s.run && !running.has(s.slot)) Object.assign(s, {
    run: false, why: `${s.why}; over --max ${cap}: run the backfill again for it`,
  });
  return { slots: out, toRun };
}
