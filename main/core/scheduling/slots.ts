// The slots of a skill: the scheduled times it serves, whatever kind of schedule names them.
// Every part of the host that asks "when" (trigger, catch-up, late check, next run, run-once,
// backfill, export) asks here, so `every` and `at` get everything cron slots get.
//   cron  — croner's arithmetic (cron.ts), in the skill's time zone
//   every — anchor + k × every, k ≥ 0 (anchor default: the Unix epoch, so slots are the same on
//           every machine and after every restart; plain UTC arithmetic, so DST cannot touch it)
//   at    — one slot, ever
import { createHash } from 'node:crypto';
import type { SkillManifest } from '../../common/types.ts';
import { nextSlot as nextCron, slotsBetween as cronBetween } from './cron.ts';
import { Cron } from 'croner';

export type SlotSpec =
  | { kind: 'cron'; expr: string; timezone: string | undefined }
  | { kind: 'every'; everyMs: number; anchor: number }
  | { kind: 'at'; at: number };

/** What of a manifest decides its slots (tests and the import pass just these). */
export type Timing = Pick<SkillManifest, 'schedule' | 'timezone' | 'every' | 'anchor' | 'at'>;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const EVERY_PATTERN = /^(\d{1,9}(?:\.\d{1,6})?)([smhd])$/;
/** An ISO-8601 time with its offset (Z or ±hh:mm): a slot that means the same instant everywhere. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** "7m" → 420000; null when it is not a number and one of s, m, h, d, or under one second. */
export function parseEvery(text: string): number | null {
  const m = EVERY_PATTERN.exec(text.trim());
  if (!m) return null;
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  return ms >= 1000 ? ms : null;
}

export function slotSpecOf(m: Timing): SlotSpec {
  if (typeof m.every === 'string') return {
    kind: 'every', everyMs: parseEvery(m.every) ?? 60_000, anchor: m.anchor ? Date.parse(m.anchor) : 0,
  };
  if (typeof m.at === 'string') return { kind: 'at', at: Date.parse(m.at) };
  return { kind: 'cron', expr: m.schedule ?? '', timezone: m.timezone };
}

/** The first slot strictly after `after`, or null (an `at` already past, a cron that never fires). */
export function nextSlotOf(spec: SlotSpec, after: number): number | null {
  if (spec.kind === 'cron') return nextCron(spec.expr, spec.timezone, after);
  if (spec.kind === 'at') return spec.at > after ? spec.at : null;
  if (after < spec.anchor) return spec.anchor;
  return spec.anchor + (Math.floor((after - spec.anchor) / spec.everyMs) + 1) * spec.everyMs;
}

/** The newest slot at or before `at`, or null when there is none. */
export function slotAtOrBeforeOf(spec: SlotSpec, at: number): number | null {
  if (spec.kind === 'at') return spec.at <= at ? spec.at : null;
  if (spec.kind === 'every') return at < spec.anchor ? null : spec.anchor + Math.floor((at - spec.anchor) / spec.everyMs) * spec.everyMs;
  try {
    const t = new Cron(spec.expr, { timezone: spec.timezone, paused: true }).previousRuns(1, new Date(at + 1))[0]?.getTime();
    return t !== undefined && t <= at ? t : null;
  } catch {
    return null;
  }
}

/** Whether `t` (ms) is one of the slots. */
export function isSlotOfSpec(spec: SlotSpec, t: number): boolean {
  return Number.isFinite(t) && slotAtOrBeforeOf(spec, t) === t;
}

/**
 * The one question other parts ask about a time a caller names (run-once --slot, host.sock
 * run-once, backfill): is it a slot of this skill? An ISO string or epoch ms.
 */
export function isSlotOfSkill(m: Timing, slot: number | string): boolean {
  const t = typeof slot === 'string' ? Date.parse(slot) : slot;
  return isSlotOfSpec(slotSpecOf(m), t);
}

/**
 * A time a caller names as a slot (`run-once --slot`, host.sock run-once, backfill), read and
 * checked: its canonical ISO form (the ledger's key), or a sentence naming the nearest slots.
 */
export function checkSlot(m: Timing, raw: string, what = '--slot'): { iso: string } | { error: string } {
  const t = Date.parse(raw);
  if (Number.isNaN(t)) return { error: `${what} "${raw}" is not an ISO time; give one such as 2026-01-31T23:55:00Z` };
  const spec = slotSpecOf(m);
  const prev = slotAtOrBeforeOf(spec, t);
  if (prev === t) return { iso: new Date(t).toISOString() };
  const near = [prev, nextSlotOf(spec, t)].filter((x): x is number => x !== null).map((x) => new Date(x).toISOString());
  const zone = spec.kind === 'cron' && m.timezone ? ` (${m.timezone})` : '';
  return {
    error: `${what} ${new Date(t).toISOString()} is not a slot of "${scheduleLabel(m)}"${zone}; ${near.length ? `the nearest ${near.length === 1 ? 'is' : 'are'} ${near.join(' and ')}` : 'it has no slot'}`,
  };
}

/**
 * Slots in (from, to], oldest first, at most `limit` (the newest are kept). `total` counts them
 * all, `first` is the oldest. An interval is counted by arithmetic, not stepped through; a cron
 * schedule is stepped through, at most `maxSteps` times (then `total` stops there).
 */
export function slotsBetweenOf(
  spec: SlotSpec, from: number, to: number, limit: number, maxSteps?: number,
): { slots: number[]; total: number; first: number | null } {
  if (spec.kind === 'cron') return cronBetween(spec.expr, spec.timezone, from, to, limit, maxSteps);
  if (spec.kind === 'at') return spec.at > from && spec.at <= to ? {
    slots: limit > 0 ? [spec.at] : [], total: 1, first: spec.at,
  } : { slots: [], total: 0, first: null };
  const first = nextSlotOf(spec, from);
  const last = slotAtOrBeforeOf(spec, to);
  if (first === null || last === null || first > last) return { slots: [], total: 0, first: null };
  const total = (last - first) / spec.everyMs + 1;
  const slots: number[] = [];
  for (let t = Math.max(first, last - (limit - 1) * spec.everyMs); t <= last && limit > 0; t += spec.everyMs) slots.push(t);
  return { slots, total, first };
}

/**
 * The start delay of one slot, in [0, jitterSeconds): fixed per skill and slot (a hash of both,
 * as systemd's FixedRandomDelay), so every restart and every machine picks the same delay, and
 * 50 skills due at 09:00 spread over the window instead of hitting one model server together.
 */
export function jitterMs(skill: string, slot: number, jitterSeconds: number | undefined): number {
  if (!jitterSeconds || jitterSeconds <= 0) return 0;
  const h = createHash('sha256').update(`${skill}\n${new Date(slot).toISOString()}`).digest();
  // 48 bits of the hash as a fraction of the window, whole milliseconds.
  return Math.floor((h.readUIntBE(0, 6) / 2 ** 48) * jitterSeconds * 1000);
}

/** A skill's slots and delays, for the parts that hold a manifest. */
export interface SkillSlots {
  spec: SlotSpec;
  /** When slot `t` actually starts: t + its jitter. */
  startOf(t: number): number;
  /** The most a start can trail its slot (0 without jitter). */
  maxJitterMs: number;
}

export function skillSlots(name: string, m: Timing & Pick<SkillManifest, 'jitterSeconds'>): SkillSlots {
  const spec = slotSpecOf(m);
  const j = m.jitterSeconds;
  return { spec, startOf: (t) => t + jitterMs(name, t, j), maxJitterMs: j ? j * 1000 : 0 };
}

/**
 * The next slot, in slot order, that has not started by `after`: with jitter, a slot whose
 * nominal time is past may still be waiting for its delay. Slots before it that did start (their
 * time and delay both past) are the catch-up's business, not the trigger's.
 */
export function nextStartingSlot(s: SkillSlots, after: number): number | null {
  let t = nextSlotOf(s.spec, after - s.maxJitterMs);
  // Bounded: a slot is at least a second after the previous one, the window at most a day.
  for (let i = 0; i < 100_000 && t !== null && s.startOf(t) <= after; i++) t = nextSlotOf(s.spec, t);
  return t;
}

/** The timing back from `scheduleLabel` (what a SkillView carries), for the views that only have that. */
export function timingOfLabel(label: string, timezone: string | null | undefined): Timing {
  const every = /^every (\S+)(?: from (\S+))?$/.exec(label);
  if (every) return { every: every[1], ...(every[2] ? { anchor: every[2] } : {}) };
  if (label.startsWith('at ')) return { at: label.slice(3) };
  return { schedule: label, ...(timezone ? { timezone } : {}) };
}

/** The schedule as a short text ("*\/5 * * * *", "every 7m", "at 2026-12-24T18:00:00+01:00"). */
export function scheduleLabel(m: Timing): string {
  if (typeof m.every === 'string') return `every ${m.every}${m.anchor ? ` from ${m.anchor}` : ''}`;
  if (typeof m.at === 'string') return `at ${m.at}`;
  return m.schedule ?? '';
}
