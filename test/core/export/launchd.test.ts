import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Cron } from 'croner';
import { parse } from 'plist';
import { parseCronFields } from '../../../main/core/export/cron-fields.ts';
import { dstMismatches } from '../../../main/core/export/dst-check.ts';
import { intervalMatches, nextFires, toCalendarIntervals, type CalendarInterval } from '../../../main/core/export/launchd-calendar.ts';
import { clawkeeper } from '../../helpers/cli-process.ts';
import { tempHome, writeSkill } from '../../helpers/home.ts';
import { CASES } from './cron-cases.ts';

const N = 20;
const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString());
const croner = (
  expr: string, tz: string, base: number,
) => new Cron(expr, { timezone: tz, paused: true }).nextRuns(N, new Date(base)).map((d) => d.getTime());

describe('launchd StartCalendarInterval export', () => {
  it('fires at croner\'s next 20 slots for every whole-minute expression without a reported DST difference, and differs where one is reported', () => {
    let exact = 0;
    for (const [expr, tz, baseIso] of CASES) {
      const f = parseCronFields(expr);
      if (f.seconds.length !== 1 || f.seconds[0] !== 0) continue; // reported by the exporter (no seconds in launchd)
      const intervals = toCalendarIntervals(f);
      const base = Date.parse(baseIso);
      const dst = dstMismatches(expr, tz, base);
      if (dst.length === 0) {
        assert.deepEqual(iso(nextFires(intervals, tz, base, N)), iso(croner(expr, tz, base)), `${expr} (${tz})`);
        exact++;
      } else {
        const near = dst[0]!.change - 2 * 3600_000;
        assert.notDeepEqual(iso(nextFires(intervals, tz, near, N)), iso(croner(expr, tz, near)), `${expr} (${tz})`);
      }
    }
    assert.ok(exact >= 35, `only ${exact} compared exactly`);
  });

  it('keeps day of month and weekday in separate dicts, so either one fires (cron OR)', () => {
    const intervals = toCalendarIntervals(parseCronFields('0 12 13 * 5'));
    assert.deepEqual(intervals, [{ Day: 13, Hour: 12, Minute: 0 }, { Weekday: 5, Hour: 12, Minute: 0 }]);
    const friday14th: Parameters<typeof intervalMatches>[1] = { year: 2026, month: 8, day: 14, weekday: 5, hour: 12, minute: 0, second: 0 };
    assert.ok(intervals.some((i: CalendarInterval) => intervalMatches(i, friday14th)));
  });

  it('writes a plist per skill that parses back, runs run-once by absolute path, and lists what does not map', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'poster', { schedule: '*/15 9-10 * * 1-5', timezone: 'Asia/Tokyo' }, 'ok.mjs');
      writeSkill(t.home, 'ticker', { schedule: '*/10 * * * * *' }, 'ok.mjs');
      writeSkill(t.home, 'quiet', { schedule: '0 7 * * 0' }, 'ok.mjs');
      writeSkill(t.home, 'month-end', { schedule: '0 4 L * *' }, 'ok.mjs');
      mkdirSync(join(t.home, 'runs'), { recursive: true });
      writeFileSync(join(t.home, 'runs', '_paused.json'), '["quiet"]');
      const out = join(t.home, 'agents');
      const r = await clawkeeper(t.home, ['export', 'launchd', '--out', out], { TZ: 'Europe/Berlin' });
      assert.equal(r.code, 0, r.out + r.err);
      const text = readFileSync(join(out, 'com.clawkeeper.skill.poster.plist'), 'utf8');
      const p = parse(text) as unknown as {
        Label: string; ProgramArguments: string[]; EnvironmentVariables: Record<string, string>;
        StartCalendarInterval: CalendarInterval[]; Disabled?: boolean;
      };
      assert.equal(p.Label, 'com.clawkeeper.skill.poster');
      assert.deepEqual(p.ProgramArguments.slice(2), ['run-once', 'poster']);
      assert.ok(existsSync(p.ProgramArguments[0]!) && existsSync(p.ProgramArguments[1]!));
      assert.equal(p.EnvironmentVariables.CLAWKEEPER_HOME, t.home);
      assert.deepEqual(p.StartCalendarInterval, toCalendarIntervals(parseCronFields('*/15 9-10 * * 1-5')));
      assert.equal(p.StartCalendarInterval.length, 4 * 2 * 5);
      assert.match(text, /<!-- Not exact: timezone "Asia\/Tokyo": launchd has no time zones/);
      assert.match(r.out, /poster: timezone "Asia\/Tokyo"/);
      assert.match(r.out, /ticker: schedule "\*\/10 \* \* \* \* \*" has seconds/);
      assert.match(r.out, /month-end: .*no plist written/);
      assert.equal((parse(readFileSync(join(out, 'com.clawkeeper.skill.quiet.plist'), 'utf8')) as { Disabled?: boolean }).Disabled, true);
    } finally {
      t.cleanup();
    }
  });
});
