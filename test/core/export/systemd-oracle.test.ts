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
import { CASES } from './cron-cases.ts';

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';


const ITERATIONS = 20;

/** Elapses of a timer with these OnCalendar= lines: one systemd-analyze process, lines merged. */
function systemdElapses(lines: string[], base: number): number[] {
  const baseText = new Date(base).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const out = execFileSync(SYSTEMD_ANALYZE, [
    'calendar', `--iterations=${ITERATIONS}`, `--base-time=${baseText}`, ...lines,
  ], { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8' });
  const times = [
    ...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g),
  ].map((m) => Date.parse(`${m[1]}T${m[2]}Z`));
  return [...new Set(times)].sort((a, b) => a - b).slice(0, ITERATIONS);
}

function croner(expr: string, tz: string, base: number): number[] {
  // nextRuns walks nextRun: the same call the host's scheduler makes (main/core/scheduling/cron.ts).
  return new Cron(expr, { timezone: tz, paused: true }).nextRuns(ITERATIONS, new Date(base)).map((d) => d.getTime());
}

const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString());

describe('systemd OnCalendar export against systemd-analyze', {
  skip: existsSync(SYSTEMD_ANALYZE) ? false : `${SYSTEMD_ANALYZE} is missing (.ci/run installs systemd)`,
}, () => {
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
        assert.notDeepEqual(
          iso(systemdElapses(lines, near)), iso(croner(expr, tz, near)),
          `${expr} (${tz}) was reported for a DST change but systemd agrees with croner there`,
        );
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
