import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { runOnce, slotAtOrBefore, type RunOnceOptions } from '../../main/core/runs/run-once.ts';
import { claimFile, claimSlot, pruneClaims } from '../../main/core/runs/slot-claim.ts';
import { readLedger, tempHomePerTest, writeSkill } from '../helpers/home.ts';

function opts(home: string, skill: string, extra: Partial<RunOnceOptions> = {}): RunOnceOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    home, bundledSkillsDir: null, skill, trigger: 'schedule', logger: createMemoryLogger(), out: (l) => lines.push(l),
    lines, killGraceMs: 500, ...extra,
  };
}

describe('run-once', () => {
  const newHome = tempHomePerTest();

  it('retries a failing run inside run-once with the skill policy, then records success as attempt 3', async () => {
    const t = newHome();
    writeSkill(
      t.home, 'flaky', { schedule: '*/5 * * * *', retries: { max: 3, backoffSeconds: 0.05 }, env: { SUCCEED_AT: '3' } },
      'flaky.mjs',
    );
    const o = opts(t.home, 'flaky', { slot: '2026-01-05T10:05:00Z' });
    const r = await runOnce(o);
    assert.equal(r.exitCode, 0, o.lines.join('\n'));
    assert.deepEqual(r.ends.map((e) => [e.attempt, e.trigger, e.outcome]), [
      [1, 'schedule', 'failure'], [2, 'retry', 'failure'], [3, 'retry', 'success'],
    ]);
    const ledger = readLedger(t.home, 'flaky');
    assert.equal(ledger.filter((e) => e.type === 'start').length, 3);
    assert.ok(ledger.every((e) => e.slot === '2026-01-05T10:05:00.000Z'));
    assert.match(readFileSync(join(t.home, 'skills', 'status', 'flaky.txt'), 'utf8'), /^status=success,.*attempt=3,trigger=retry/);
    assert.ok(o.lines.some((l) => /retrying in 0\.1 s \(attempt 3 of 4\)/.test(l)), 'the backoff doubles: 0.05 s, then 0.1 s');
  });

  it('exits with the failure code once the retries are spent', async () => {
    const t = newHome();
    writeSkill(t.home, 'flaky', { schedule: '*/5 * * * *', retries: { max: 1, backoffSeconds: 0 }, env: { SUCCEED_AT: '9' } }, 'flaky.mjs');
    const r = await runOnce(opts(t.home, 'flaky', { slot: '2026-01-05T10:05:00Z' }));
    assert.equal(r.exitCode, 1);
    assert.equal(r.ends.length, 2);
    assert.match(readFileSync(join(t.home, 'skills', 'status', 'flaky.txt'), 'utf8'), /^status=failure,/);
  });

  it('serves the newest slot at or before now when no --slot is given', async () => {
    const t = newHome();
    writeSkill(t.home, 'quick', { schedule: '0 0 1 1 *', timezone: 'UTC' }, 'ok.mjs');
    const r = await runOnce(opts(t.home, 'quick'));
    assert.equal(r.exitCode, 0);
    assert.equal(r.ends[0]!.slot, `${new Date().getUTCFullYear()}-01-01T00:00:00.000Z`);
  });

  it('refuses a --slot that is not a slot of the schedule and names the nearest ones', async () => {
    const t = newHome();
    writeSkill(t.home, 'quick', { schedule: '0 * * * *', timezone: 'UTC' }, 'ok.mjs');
    const r = await runOnce(opts(t.home, 'quick', { slot: '2026-01-05T10:20:00Z' }));
    assert.equal(r.exitCode, 64);
    assert.match(r.message, /not a slot of "0 \* \* \* \*".*2026-01-05T10:00:00.000Z and 2026-01-05T11:00:00.000Z/);
    assert.deepEqual(readLedger(t.home, 'quick'), []);
  });

  it('records a paused skill\'s slot as a paused skip and exits 0 without running it', async () => {
    const t = newHome();
    writeSkill(t.home, 'quick', { schedule: '0 * * * *', timezone: 'UTC' }, 'ok.mjs');
    mkdirSync(join(t.home, 'runs'), { recursive: true });
    writeFileSync(join(t.home, 'runs', '_paused.json'), '["quick"]');
    const r = await runOnce(opts(t.home, 'quick', { slot: '2026-01-05T10:00:00Z' }));
    assert.equal(r.exitCode, 0);
    assert.deepEqual(readLedger(t.home, 'quick').map((e) => [e.type, e.reason]), [['skip', 'paused']]);
  });

  it('refuses a slot another run-once has claimed, naming its host, and runs nothing', async () => {
    const t = newHome();
    writeSkill(t.home, 'quick', { schedule: '0 * * * *', timezone: 'UTC' }, 'ok.mjs');
    const held = claimSlot(join(t.home, 'runs'), 'quick', '2026-01-05T10:00:00.000Z', Date.now(), 'pod-a');
    assert.ok(held.ok);
    const r = await runOnce(opts(t.home, 'quick', { slot: '2026-01-05T10:00:00Z', hostname: 'pod-b' }));
    assert.equal(r.exitCode, 0);
    assert.equal(r.kind, 'refused');
    assert.match(r.message, /being run by pod-a/);
    assert.deepEqual(readLedger(t.home, 'quick'), []);
  });

  it('removes its claim when done, and prunes claims older than a day', async () => {
    const t = newHome();
    writeSkill(t.home, 'quick', { schedule: '0 * * * *', timezone: 'UTC' }, 'ok.mjs');
    const runs = join(t.home, 'runs');
    await runOnce(opts(t.home, 'quick', { slot: '2026-01-05T10:00:00Z' }));
    assert.equal(existsSync(claimFile(runs, 'quick', '2026-01-05T10:00:00.000Z')), false);
    claimSlot(runs, 'quick', '2026-01-05T11:00:00.000Z', Date.now(), 'dead-pod');
    const old = (Date.now() - 25 * 3600_000) / 1000;
    utimesSync(claimFile(runs, 'quick', '2026-01-05T11:00:00.000Z'), old, old);
    claimSlot(runs, 'quick', '2026-01-05T12:00:00.000Z', Date.now(), 'live-pod');
    assert.equal(pruneClaims(runs, Date.now()), 1);
    assert.deepEqual(readdirSync(join(runs, '_claims', 'quick')), ['2026-01-05T12-00-00.000Z.json']);
  });

  it('finds the newest slot at or before an instant, in the skill\'s time zone', () => {
    assert.equal(slotAtOrBefore('30 2 * * *', 'Europe/Berlin', Date.parse('2026-01-05T01:30:00Z')), Date.parse('2026-01-05T01:30:00Z'));
    assert.equal(slotAtOrBefore('30 2 * * *', 'Europe/Berlin', Date.parse('2026-01-05T01:29:59Z')), Date.parse('2026-01-04T01:30:00Z'));
  });
});
