// skill.json's schedule fields: exactly one of `schedule` (cron), `every` (+ `anchor`) and `at`,
// and `jitterSeconds` for any of them. Every problem is reported, each with its field.
import { checkCron, checkTimezone } from '../scheduling/cron.ts';
import { EVERY_PATTERN, ISO_WITH_OFFSET, parseEvery } from '../scheduling/slots.ts';

const KINDS = ['schedule', 'every', 'at'] as const;

export function checkScheduleFields(raw: Record<string, unknown>, problem: (field: string, message: string) => void): void {
  const given = KINDS.filter((k) => raw[k] !== undefined);
  if (given.length === 0) problem(
    'schedule',
    'is required: give exactly one of "schedule" (cron), "every" (e.g. "7m") or "at" (an ISO time with offset)',
  );
  if (given.length > 1) problem(given[1]!, `"${given.join('" and "')}" are given: a skill has exactly one of schedule, every and at`);
  const tz = typeof raw.timezone === 'string' ? raw.timezone : undefined;
  const tzCheck = tz === undefined ? null : checkTimezone(tz);
  const tzOk = tzCheck === null || tzCheck.ok;
  if (tzCheck && !tzCheck.ok) problem('timezone', tzCheck.message ?? 'unknown time zone');
  if (typeof raw.schedule === 'string') {
    const c = checkCron(raw.schedule, tzOk ? tz : undefined);
    if (!c.ok) problem('schedule', c.message!);
  } else if (tz !== undefined) {
    problem('timezone', 'applies to a cron "schedule" only: "every" and "at" are exact instants (give "at" with its offset); remove it');
  }
  // The schema names a malformed interval ("10 parsecs"); only a well-formed one can be too short.
  if (typeof raw.every === 'string' && EVERY_PATTERN.test(raw.every.trim()) && parseEvery(raw.every) === null) {
    problem('every', `"${raw.every}" is under one second; the shortest interval is "1s"`);
  }
  if (raw.anchor !== undefined && raw.every === undefined) problem('anchor', 'applies to "every" only; remove it');
  for (const f of ['anchor', 'at'] as const) {
    const v = raw[f];
    if (typeof v === 'string' && (!ISO_WITH_OFFSET.test(v) || Number.isNaN(Date.parse(v)))) {
      problem(f, `"${v}" is not an ISO time with an offset; write e.g. "2026-12-24T18:00:00+01:00" or "2026-12-24T17:00:00Z"`);
    }
  }
}
