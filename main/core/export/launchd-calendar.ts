// cron → launchd StartCalendarInterval (an array of dicts; a key left out is a wildcard; the job
// fires when any dict matches the local time), and an evaluator of such an array. No oracle runs
// launchd here: test/core/export/launchd.test.ts compares this evaluator with croner.
import type { CronFields, Wall } from './cron-fields.ts';
import { wallAt, offsetAt } from './wall-clock.ts';

export interface CalendarInterval {
  Minute?: number;
  Hour?: number;
  Day?: number;
  Weekday?: number;
  Month?: number;
}

/** Past this many dicts the plist is unreadable; the exporter reports the skill instead. */
export const MAX_INTERVALS = 1000;

function axis(key: keyof CalendarInterval, values: number[], full: number): CalendarInterval[] {
  if (values.length === full) return [{}];
  return values.map((v) => ({ [key]: v }));
}

function product(...axes: CalendarInterval[][]): CalendarInterval[] {
  return axes.reduce<CalendarInterval[]>((acc, ax) => acc.flatMap((a) => ax.map((b) => ({ ...a, ...b }))), [{}]);
}

/** Day of month and weekday never share a dict: the two day rules are separate dicts (OR). */
export function toCalendarIntervals(f: CronFields): CalendarInterval[] {
  const time = product(axis('Month', f.months, 12), axis('Hour', f.hours, 24), axis('Minute', f.minutes, 60));
  const d = f.days;
  const days: CalendarInterval[][] = d.kind === 'all' ? [[{}]]
    : d.kind === 'dom' ? [axis('Day', d.dom, 31)]
    : d.kind === 'dow' ? [axis('Weekday', d.dow, 7)]
    : [axis('Day', d.dom, 31), axis('Weekday', d.dow, 7)];
  return days.flatMap((dayAxis) => product(dayAxis, time)).map(sortKeys);
}

function sortKeys(i: CalendarInterval): CalendarInterval {
  const out: CalendarInterval = {};
  for (const k of ['Month', 'Day', 'Weekday', 'Hour', 'Minute'] as const) if (i[k] !== undefined) out[k] = i[k];
  return out;
}

export function intervalMatches(i: CalendarInterval, w: Wall): boolean {
  return (
    (i.Month === undefined || i.Month === w.month) &&
    (i.Day === undefined || i.Day === w.day) &&
    (i.Weekday === undefined || i.Weekday % 7 === w.weekday) &&
    (i.Hour === undefined || i.Hour === w.hour) &&
    (i.Minute === undefined || i.Minute === w.minute)
  );
}

/** The instant of a local wall time: its first occurrence, or null inside a DST gap. */
function instantOf(w: Wall, tz: string | undefined): number | null {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offsets = new Set([offsetAt(asUtc - 86_400_000, tz), offsetAt(asUtc, tz), offsetAt(asUtc + 86_400_000, tz)]);
  const found = [...offsets]
    .map((o) => asUtc - o * 60_000)
    .filter((t) => {
      const x = wallAt(t, tz);
      return x.year === w.year && x.month === w.month && x.day === w.day && x.hour === w.hour && x.minute === w.minute;
    });
  return found.length > 0 ? Math.min(...found) : null;
}

/** The next `n` times the intervals fire strictly after `after`, in zone `tz` (launchd: the Mac's). */
export function nextFires(intervals: CalendarInterval[], tz: string | undefined, after: number, n: number, maxDays = 366 * 100): number[] {
  const out: number[] = [];
  const start = wallAt(after, tz);
  for (let d = 0; d < maxDays && out.length < n; d++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + d));
    const day: Wall = {
      year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: date.getUTCDay(),
      hour: 0, minute: 0, second: 0,
    };
    const today = intervals.filter(
      (i) => (i.Month === undefined || i.Month === day.month) && (i.Day === undefined || i.Day === day.day)
        && (i.Weekday === undefined || i.Weekday % 7 === day.weekday),
    );
    if (today.length === 0) continue;
    const times: number[] = [];
    for (let h = 0; h < 24; h++) {
      for (let m = 0; m < 60; m++) {
        const w = { ...day, hour: h, minute: m };
        if (!today.some((i) => intervalMatches(i, w))) continue;
        const t = instantOf(w, tz);
        if (t !== null && t > after) times.push(t);
      }
    }
    out.push(...times.sort((a, b) => a - b));
  }
  return out.slice(0, n);
}
