// What will become of a skill's coming slots, by the same gates the dispatcher applies
// (host/dispatcher.ts admitSlot): paused, a need down, the breaker's cool-down, the day budget.
// "Next run" in every view is the first slot here that will actually start, with the reason
// when that is not simply the next scheduled one; the skill page marks each skipped slot.
// Computed once (the composer and the skill page call this); views only render it.
import type { SkipReason } from '../../common/types.ts';
import { localDay } from './local-day.ts';
import { nextSlotOf, type SlotSpec } from './slots.ts';

export interface SlotGates {
  /** A cron schedule (with `timezone`), or `spec` for any kind of schedule (slots.ts); spec wins. */
  schedule?: string | null;
  spec?: SlotSpec | null;
  timezone?: string | null;
  enabled: boolean;
  paused: boolean;
  /** Needs that are down now: due slots wait for them. */
  deferred?: string[] | null;
  breaker?: { state: 'closed' | 'open' | 'half-open'; until: string | null } | null;
  /** Tokens used on the skill's local day, and its day budget. */
  tokens?: { today: number; tokensPerDay: number | null } | null;
}

export interface PlannedSlot {
  at: string;
  /** Why this slot will not start (null: it starts). `dependency-down`: it waits, and catchUp decides. */
  skip: Extract<SkipReason, 'paused' | 'breaker-open' | 'budget' | 'dependency-down'> | null;
  why: string | null;
}

export interface NextRun {
  /** The next slot that will start, or null when none is known to. */
  at: string | null;
  /** Why that is not simply the next scheduled slot; null when it is. */
  reason: string | null;
}

/** The first instant of the local day after the one holding `t` (DST-proof: found, not computed). */
export function nextLocalMidnight(t: number, tz: string | undefined): number {
  const day = localDay(t, tz);
  let hi = t + 3600_000;
  while (localDay(hi, tz) === day) hi += 3600_000;
  let lo = hi - 3600_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(mid, tz) === day) lo = mid;
    else hi = mid;
  }
  return Math.floor(hi / 1000) * 1000;
}

function specOf(g: SlotGates): SlotSpec | null {
  if (g.spec) return g.spec;
  return g.schedule ? { kind: 'cron', expr: g.schedule, timezone: g.timezone ?? undefined } : null;
}

/** The gate a slot at `t` meets, as the dispatcher would apply it now. */
function gateAt(g: SlotGates, t: number, now: number): Pick<PlannedSlot, 'skip' | 'why'> {
  if (g.paused) return { skip: 'paused', why: 'paused' };
  if (g.deferred?.length) return { skip: 'dependency-down', why: `waits for ${g.deferred.join(', ')}` };
  const until = g.breaker?.state === 'open' && g.breaker.until ? Date.parse(g.breaker.until) : NaN;
  if (t < until) return { skip: 'breaker-open', why: 'breaker open (cool-down)' };
  const t0 = g.tokens;
  if (t0?.tokensPerDay && t0.today >= t0.tokensPerDay && localDay(t, g.timezone ?? undefined) === localDay(now, g.timezone ?? undefined)) {
    return { skip: 'budget', why: 'day budget spent' };
  }
  return { skip: null, why: null };
}

/** The next `count` scheduled slots after `now`, each with what will become of it. */
export function planSlots(g: SlotGates, now: number, count = 10): PlannedSlot[] {
  const out: PlannedSlot[] = [];
  const spec = specOf(g);
  if (!spec || !g.enabled) return out;
  for (let t = now; out.length < count; ) {
    const n = nextSlotOf(spec, t);
    if (n === null) break;
    out.push({ at: new Date(n).toISOString(), ...gateAt(g, n, now) });
    t = n;
  }
  return out;
}

/**
 * The next slot that will actually start. `first`: the next scheduled slot when the caller
 * knows it better (the live host's trigger); otherwise from the schedule.
 */
export function nextRunOf(g: SlotGates, now: number, first?: number | null): NextRun {
  const spec = specOf(g);
  if (!spec) return { at: null, reason: null };
  if (!g.enabled) return { at: null, reason: 'disabled' };
  if (g.paused) return { at: null, reason: 'paused' };
  if (g.deferred?.length) return { at: null, reason: `when ${g.deferred.join(', ')} ${g.deferred.length === 1 ? 'is' : 'are'} back` };
  const tz = g.timezone ?? undefined;
  let t = first ?? nextSlotOf(spec, now);
  let skipped: string | null = null;
  // Each gate is jumped over at once (a per-second skill tripped for an hour is 3600 slots).
  for (let i = 0; t !== null && i < 8; i++) {
    const gate = gateAt(g, t, now);
    if (gate.skip === 'breaker-open') {
      skipped = 'after cool-down';
      t = nextSlotOf(spec, Date.parse(g.breaker!.until!) - 1);
    } else if (gate.skip === 'budget') {
      skipped = 'day budget spent';
      t = nextSlotOf(spec, nextLocalMidnight(t, tz) - 1);
    } else break;
  }
  if (t === null) return { at: null, reason: skipped ?? 'no further slot' };
  const half = g.breaker?.state === 'half-open' || (g.breaker?.state === 'open' && !skipped);
  return { at: new Date(t).toISOString(), reason: skipped ?? (half ? 'a probe run (breaker half-open)' : null) };
}
