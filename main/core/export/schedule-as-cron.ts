// A skill's slots as a cron expression, for the exporters (systemd, launchd, Kubernetes), which
// only speak cron-like calendars. `every` maps where the interval divides the minute, hour or day
// evenly (in UTC, so its slots are exactly the host's); `at` maps to its date and time in UTC,
// which a yearly calendar repeats (run-once refuses the later years: the ledger has the slot).
// Whatever does not map exactly is said, per skill.
import type { SkillManifest } from '../../common/types.ts';
import { parseEvery } from '../scheduling/slots.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type CronManifest = SkillManifest & { schedule: string };

export function cronOf(m: SkillManifest): { m: CronManifest; notes: string[] } | { reason: string } {
  const notes: string[] = [];
  if (m.jitterSeconds) notes.push(`jitterSeconds ${m.jitterSeconds}: the exported timer starts at the exact slot, without the delay`);
  if (typeof m.every === 'string') {
    const c = everyToCron(parseEvery(m.every) ?? 0, m.anchor ? Date.parse(m.anchor) : 0);
    if ('reason' in c) return {
      reason: `every "${m.every}" has no calendar equivalent (${c.reason}): nothing written; let the host run it`,
    };
    return { m: { ...m, schedule: c.cron, timezone: 'UTC' }, notes };
  }
  if (typeof m.at === 'string') {
    const d = new Date(Date.parse(m.at));
    const seconds = d.getUTCSeconds() ? `${d.getUTCSeconds()} ` : '';
    const cron = `${seconds}${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
    notes.push(
      `at "${m.at}": a calendar has no year, so the timer also fires on that date in later years; run-once finds its one slot already in the ledger then and runs nothing`,
    );
    return { m: { ...m, schedule: cron, timezone: 'UTC' }, notes };
  }
  return { m: m as CronManifest, notes };
}

/** An interval as a cron expression, where it divides the minute, hour or day evenly (in UTC). */
export function everyToCron(everyMs: number, anchorMs: number): { cron: string } | { reason: string } {
  if (!Number.isFinite(everyMs) || everyMs <= 0) return { reason: 'every: everyMs is not a positive number' };
  const offset = ((anchorMs % everyMs) + everyMs) % everyMs;
  const list = (period: number, step: number, first: number) => Array.from({ length: period / step }, (_, k) => first + k * step).join(',');
  if (everyMs < MINUTE) {
    const s = everyMs / 1000;
    if (!Number.isInteger(s) || 60 % s !== 0) return { reason: `every ${everyMs} ms does not divide a minute evenly in whole seconds` };
    if (offset % 1000 !== 0) return { reason: `every ${s} s anchored off a whole second` };
    return { cron: `${s === 1 ? '*' : list(60, s, offset / 1000)} * * * * *` };
  }
  if (everyMs % MINUTE !== 0 || offset % MINUTE !== 0) return {
    reason: `every ${everyMs} ms is not in whole minutes (cron counts minutes)`,
  };
  if (everyMs < HOUR) {
    const m = everyMs / MINUTE;
    if (60 % m !== 0) return { reason: `every ${m} minutes does not divide an hour evenly, so no cron expression repeats it exactly` };
    return { cron: `${m === 1 ? '*' : list(60, m, offset / MINUTE)} * * * *` };
  }
  if (everyMs <= DAY && everyMs % HOUR === 0) {
    const h = everyMs / HOUR;
    if (24 % h !== 0) return { reason: `every ${h} hours does not divide a day evenly, so no cron expression repeats it exactly` };
    const minute = (offset % HOUR) / MINUTE;
    const firstHour = Math.floor(offset / HOUR);
    return { cron: `${minute} ${h === 1 ? '*' : list(24, h, firstHour)} * * *` };
  }
  if (everyMs < DAY) return {
    reason: `every ${everyMs / MINUTE} minutes crosses hours unevenly, so no cron expression repeats it exactly`,
  };
  return { reason: `every ${everyMs / DAY} days: months and years do not divide evenly into it, so no cron expression repeats it exactly` };
}

