// The cron oracle: systemd-analyze (Debian's systemd) computes when the exported OnCalendar=
// lines elapse; croner (what the host schedules by) computes the slots of the original cron.
// They must agree on the next 20, or the exporter must have reported the expression.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Cron } from 'croner';
import { CronConvertError } from '../../../main/core/export/cron-fields.ts';
import { dstMismatches } from '../../../main/core/export/dst-check.ts';
import { toOnCalendar } from '../../../main/core/export/on-calendar.ts';

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

/** [cron, zone, base]: bases sit before DST changes, so 20 elapses cross them where they can. */
const CASES: [string, string, string][] = [
  ['*/5 * * * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 */2 * * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['15,45 9-17 * * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 9 * * MON-FRI', 'UTC', '2026-01-01T00:00:00Z'],
  ['30 8 1 * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 0 1 JAN,JUL *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 12 * * SUN', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 12 * * 7', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 0 13 * 5', 'UTC', '2026-01-01T00:00:00Z'],
  ['*/10 * * * * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['30 0 12 * * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 6 */2 * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 6 1-7 * 1', 'UTC', '2026-01-01T00:00:00Z'],
  ['5-20/5 * * * *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 22 * * 1-5/2', 'UTC', '2026-01-01T00:00:00Z'],
  ['0 0 ? * wed', 'UTC', '2026-01-01T00:00:00Z'],
  ['30 2 * * *', 'America/New_York', '2026-02-25T00:00:00Z'],
  ['30 1 * * *', 'America/New_York', '2026-10-20T00:00:00Z'],
  ['0 3 * * *', 'America/New_York', '2026-02-25T00:00:00Z'],
  ['*/30 * * * *', 'America/New_York', '2026-11-01T04:00:00Z'],
  ['0 9 * * MON-FRI', 'America/New_York', '2026-02-25T00:00:00Z'],
  ['0 0 * * *', 'America/New_York', '2026-10-20T00:00:00Z'],
  ['45 23 * * 0,6', 'America/New_York', '2026-02-25T00:00:00Z'],
  ['0 2 * * *', 'America/New_York', '2026-02-25T00:00:00Z'],
  ['0 1-3 * * *', 'America/New_York', '2026-03-05T00:00:00Z'],
  ['15 10 1,15 * *', 'America/New_York', '2026-01-01T00:00:00Z'],
  ['0 12 * MAR-MAY *', 'America/New_York', '2026-01-01T00:00:00Z'],
  ['0 2 * * *', 'Europe/Berlin', '2026-03-20T00:00:00Z'],
  ['30 2 * * 0', 'Europe/Berlin', '2026-03-01T00:00:00Z'],
  ['30 2 * * 1', 'Europe/Berlin', '2026-03-01T00:00:00Z'],
  ['*/15 * * * *', 'Europe/Berlin', '2026-10-25T00:00:00Z'],
  ['0 9-17 * * 1-5', 'Europe/Berlin', '2026-03-26T00:00:00Z'],
  ['0 6 * * SAT,SUN', 'Europe/Berlin', '2026-03-01T00:00:00Z'],
  ['55 23 * * *', 'Europe/Berlin', '2026-10-15T00:00:00Z'],
  ['0 0 1 */3 *', 'Europe/Berlin', '2026-01-01T00:00:00Z'],
  ['0 3 * * *', 'Europe/Berlin', '2026-10-15T00:00:00Z'],
  ['0 12 15 * 3', 'Europe/Berlin', '2026-01-01T00:00:00Z'],
  ['30 2 * * *', 'Australia/Sydney', '2026-09-25T00:00:00Z'],
  ['0 9 * * 1-5', 'Australia/Sydney', '2026-03-30T00:00:00Z'],
  ['*/20 * * * *', 'Australia/Sydney', '2026-04-04T14:00:00Z'],
  ['0 0 * * *', 'Australia/Sydney', '2026-03-25T00:00:00Z'],
  ['*/7 * * * *', 'Asia/Kolkata', '2026-01-01T00:00:00Z'],
  ['30 5 * * *', 'Asia/Kolkata', '2026-01-01T00:00:00Z'],
  ['0 0 * * *', 'America/St_Johns', '2026-02-28T00:00:00Z'],
  ['30 2 * * *', 'America/St_Johns', '2026-02-28T00:00:00Z'],
  ['30 1 * * *', 'Europe/London', '2026-03-20T00:00:00Z'],
  ['0 */6 * * *', 'Europe/London', '2026-03-27T00:00:00Z'],
  ['15 3 * * *', 'Pacific/Chatham', '2026-09-20T00:00:00Z'],
  ['0 0 * * *', 'America/Sao_Paulo', '2026-01-01T00:00:00Z'],
  ['0,30 8-10 * 6-8 1,3,5', 'Europe/Berlin', '2026-05-01T00:00:00Z'],
];

const ITERATIONS = 20;

/** Elapses of a timer with these OnCalendar= lines: one systemd-analyze process, lines merged. */
function systemdElapses(lines: string[], base: number): number[] {
  const baseText = new Date(base).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const out = execFileSync(SYSTEMD_ANALYZE, ['calendar', `--iterations=${ITERATIONS}`, `--base-time=${baseText}`, ...lines], { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8' });
  const times = [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)].map((m) => Date.parse(`${m[1]}T${m[2]}Z`));
  return [...new Set(times)].sort((a, b) => a - b).slice(0, ITERATIONS);
}

function croner(expr: string, tz: string, base: number): number[] {
  // nextRuns walks nextRun: the same call the host's scheduler makes (main/core/cron.ts).
  return new Cron(expr, { timezone: tz, paused: true }).nextRuns(ITERATIONS, new Date(base)).map((d) => d.getTime());
}

const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString());

describe('systemd OnCalendar export against systemd-analyze', { skip: existsSync(SYSTEMD_ANALYZE) ? false : `${SYSTEMD_ANALYZE} is missing (.ci/run installs systemd)` }, () => {
  it(`has ${CASES.length} cron expressions covering steps, ranges, lists, names and DST zones`, () => {
    assert.ok(CASES.length >= 50);
  });

  it('gives the same next 20 elapses as croner for every expression the exporter does not report, and a real difference for every one it reports', () => {
    let exact = 0;
    let reported = 0;
    for (const [expr, tz, baseIso] of CASES) {
      const base = Date.parse(baseIso);
      const lines = toOnCalendar(expr, tz);
      const dst = dstMismatches(expr, tz, base);
      if (dst.length === 0) {
        assert.deepEqual(iso(systemdElapses(lines, base)), iso(croner(expr, tz, base)), `${expr} (${tz}) → ${lines.join(' | ')}`);
        exact++;
      } else {
        // Reported: systemd must really differ from croner around the first reported change.
        const near = dst[0]!.change - 2 * 3600_000;
        assert.notDeepEqual(iso(systemdElapses(lines, near)), iso(croner(expr, tz, near)), `${expr} (${tz}) was reported for a DST change but systemd agrees with croner there`);
        reported++;
      }
    }
    assert.ok(exact >= 35, `only ${exact} expressions compared exactly`);
    assert.ok(reported >= 8, `only ${reported} expressions reported for DST`);
  });

  it('refuses to convert croner extensions (L, W, #, +) instead of guessing', () => {
    for (const expr of ['0 4 L * *', '0 8 * * TUE#2', '0 8 15W * *', '0 8 * * 5L', '0 8 1 * +5']) {
      assert.throws(() => toOnCalendar(expr, 'UTC'), CronConvertError, expr);
    }
  });
});
