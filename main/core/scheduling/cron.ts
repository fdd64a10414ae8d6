// Slots: the scheduled times a skill serves. node-schedule is the timer (it fires at a Date we
// give it); the slot arithmetic is croner's. Why not cron-parser, node-schedule's own parser:
// cron-parser 4.9, iterated across a spring-forward week, yields a phantom 03:30 slot the day
// before the change for a 02:30 job (test/core/cron-dst.test.ts caught it), and costs 1-3 ms
// per step with a time zone; croner gets DST right (02:30 on a spring-forward day runs at
// 03:00, once; 01:30 on a fall-back day runs once) at ~40 µs per step.
import { Cron } from 'croner';

export interface CronCheck {
  ok: boolean;
  message?: string;
}

const cache = new Map<string, Cron>();

function cron(expr: string, timezone: string | undefined): Cron {
  const key = `${timezone ?? ''}|${expr}`;
  let c = cache.get(key);
  if (!c) {
    c = new Cron(expr, { timezone, paused: true });
    if (cache.size > 1000) cache.clear();
    cache.set(key, c);
  }
  return c;
}

export function checkCron(expr: string, timezone?: string): CronCheck {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return {
      ok: false,
      message: `cron "${expr}" has ${fields.length} fields; use 5 (min hour day month weekday) or 6 (with seconds first)`,
    };
  }
  try {
    const next = cron(expr, timezone).nextRun(new Date());
    if (!next) return { ok: false, message: `cron "${expr}" never fires (no such date); check the day and month fields` };
    return { ok: true };
  } catch (err) {
    return { ok: false, message: `cron "${expr}" is not valid: ${(err as Error).message}` };
  }
}

export function checkTimezone(tz: string): CronCheck {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return { ok: true };
  } catch {
    return { ok: false, message: `unknown time zone "${tz}"; use an IANA name such as "Europe/Berlin"` };
  }
}

/** The first slot strictly after `after`. */
export function nextSlot(expr: string, timezone: string | undefined, after: number): number | null {
  try {
    const d = cron(expr, timezone).nextRun(new Date(after));
    return d ? d.getTime() : null;
  } catch {
    return null;
  }
}

/**
 * Slots in (from, to], oldest first, at most `limit` (the newest are kept: a long outage of a
 * frequent skill can span thousands of slots). `total` counts them all, `first` is the oldest.
 */
export function slotsBetween(
  expr: string, timezone: string | undefined, from: number, to: number, limit: number, maxSteps = 1_000_000,
): { slots: number[]; total: number; first: number | null } {
  const slots: number[] = [];
  let total = 0;
  let first: number | null = null;
  let t = from;
  // Bounded: a 1-second schedule over a week is 600k slots, at ~40 µs each.
  for (let i = 0; i < maxSteps && t < to; i++) {
    const next = nextSlot(expr, timezone, t);
    if (next === null || next > to) break;
    total++;
    if (first === null) first = next;
    slots.push(next);
    if (slots.length > limit) slots.shift();
    t = next;
  }
  return { slots, total, first };
}

