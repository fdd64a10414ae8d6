// Where a plain wall-clock timer (systemd's OnCalendar, launchd's StartCalendarInterval) and
// croner disagree around DST changes. The timer fires at each local time that matches, skips
// times that do not exist (a spring-forward gap) and fires once for a time that occurs twice (a
// fall-back overlap; at its first occurrence): test/core/export/systemd-oracle.test.ts checks
// that against systemd-analyze. croner instead runs a fixed-time job (`30 2 * * *`) at the end
// of a gap, and an interval job (`*/30 * * * *`) in both occurrences of a repeated hour. Rather
// than encode those rules a second time, each offset change of the zone in the next two years is
// replayed with croner itself and compared with the wall-clock model, minute by minute.
import { Cron } from 'croner';
import { minuteMatches, parseCronFields } from './cron-fields.ts';
import { formatWall, offsetChanges, wallAt } from './wall-clock.ts';

const WINDOW_MS = 2 * 3600_000;
const YEAR_MS = 365 * 86_400_000;

export interface DstMismatch {
  /** The offset change, as an instant. */
  change: number;
  /** Slots croner has and the timer does not, and the reverse (ISO, UTC). */
  onlyClawKeeper: string[];
  onlyTimer: string[];
}

/** Slots a wall-clock timer would fire in [start, end). */
export function wallClockSlots(expr: string, tz: string | undefined, start: number, end: number): number[] {
  const f = parseCronFields(expr);
  const seen = new Set<string>();
  const out: number[] = [];
  for (let m = Math.floor(start / 60_000) * 60_000; m < end; m += 60_000) {
    const w = wallAt(m, tz);
    const key = formatWall(w);
    if (seen.has(key)) continue;
    seen.add(key);
    if (minuteMatches(f, w)) for (const s of f.seconds) if (m + s * 1000 >= start && m + s * 1000 < end) out.push(m + s * 1000);
  }
  return out;
}

export function cronerSlots(expr: string, tz: string | undefined, start: number, end: number): number[] {
  const c = new Cron(expr, { timezone: tz, paused: true });
  const out: number[] = [];
  for (let t = start - 1; ; ) {
    const n = c.nextRun(new Date(t));
    if (!n || n.getTime() >= end) return out;
    out.push(n.getTime());
    t = n.getTime();
  }
}

export function dstMismatches(expr: string, tz: string | undefined, from: number, years = 2): DstMismatch[] {
  const out: DstMismatch[] = [];
  const start = Math.floor(from / 60_000) * 60_000;
  for (const change of offsetChanges(tz, start, start + years * YEAR_MS)) {
    const a = cronerSlots(expr, tz, change - WINDOW_MS, change + WINDOW_MS);
    const b = wallClockSlots(expr, tz, change - WINDOW_MS, change + WINDOW_MS);
    const setB = new Set(b);
    const setA = new Set(a);
    const onlyClawKeeper = a.filter((t) => !setB.has(t)).map((t) => new Date(t).toISOString());
    const onlyTimer = b.filter((t) => !setA.has(t)).map((t) => new Date(t).toISOString());
    if (onlyClawKeeper.length + onlyTimer.length > 0) out.push({ change, onlyClawKeeper, onlyTimer });
  }
  return out;
}

/** One sentence for the exporters' lists of what does not map exactly. */
export function describeDst(expr: string, tz: string | undefined, target: string, from: number): string | null {
  const found = dstMismatches(expr, tz, from);
  if (found.length === 0) return null;
  const first = found[0]!;
  const local = (iso: string) => `${formatWall(wallAt(Date.parse(iso), tz)).slice(11)} local`;
  const what = [
    first.onlyClawKeeper.length > 0 ? `ClawKeeper runs it at ${first.onlyClawKeeper.map(local).join(', ')} and ${target} does not` : '',
    first.onlyTimer.length > 0 ? `${target} fires at ${first.onlyTimer.map(local).join(', ')} and ClawKeeper does not` : '',
  ].filter(Boolean);
  return `schedule "${expr}" meets a DST change of ${tz ?? 'the local time zone'} on ${formatWall(wallAt(first.change, tz)).slice(0, 10)}${found.length > 1 ? ` (and ${found.length - 1} more in the next two years)` : ''}: ${what.join('; ')}`;
}
