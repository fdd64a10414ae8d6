// Wall-clock arithmetic in a time zone (Intl only), for the exporters' DST checks and the
// launchd evaluator: which local time an instant is, and where a zone's offset changes.
import type { Wall } from './cron-fields.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

export function wallAt(t: number, tz: string | undefined): Wall {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(t))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS[parts.weekday!]!,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at an instant, in minutes. */
export function offsetAt(t: number, tz: string | undefined): number {
  const w = wallAt(t, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(t / 1000) * 1000) / 60_000);
}

/** Instants (to the minute) where the zone's offset changes, in [from, to). */
export function offsetChanges(tz: string | undefined, from: number, to: number): number[] {
  const day = 86_400_000;
  const out: number[] = [];
  let prev = offsetAt(from, tz);
  for (let t = from + day; t < to + day; t += day) {
    const cur = offsetAt(t, tz);
    if (cur === prev) continue;
    let lo = t - day;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetAt(mid, tz) === prev) lo = mid;
      else hi = mid;
    }
    out.push(hi);
    prev = cur;
  }
  return out;
}

export function formatWall(w: Wall): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}
