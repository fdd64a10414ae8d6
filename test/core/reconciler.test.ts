import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../main/core/scheduling/clock.ts';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { planCatchUp } from '../../main/core/scheduling/reconciler.ts';
import { readLedger, tempHome, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';

const HOUR = 3_600_000;

describe('reconciler with a fake clock: a 3-hour sleep', () => {
  const afterTest = cleanupsPerTest();

  async function sleepThreeHours(catchUp: unknown, schedule = '*/10 * * * *') {
    const t = tempHome();
    writeSkill(t.home, 'digest', { schedule, catchUp }, 'ok.mjs');
    const clock = new FakeClock('2026-01-10T12:00:30Z');
    const host = new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), clock, useTrigger: false,
      watchdogMs: 3_600_000,
    });
    afterTest(async () => {
      await host.stop(true);
      t.cleanup();
    });
    await host.start();
    clock.sleep(3 * HOUR); // wall clock moves on, monotonic clock stands still
    host.tick(); // the watchdog notices the jump and reconciles
    await host.idle();
    host.tick(); // a second tick with no jump changes nothing
    host.reconcile('asleep'); // nor does reconciling again
    await host.idle();
    const entries = readLedger(t.home, 'digest');
    const runs = entries.filter((e) => e.type === 'end');
    const skips = entries.filter((e) => e.type === 'skip');
    const slotsSeen = entries.filter((e) => e.type !== 'end').map((e) => e.slot as string);
    return { runs, skips, slotsSeen };
  }

  it('catchUp once: exactly one catch-up run (the newest slot), every other missed slot recorded', async () => {
    const { runs, skips, slotsSeen } = await sleepThreeHours('once');
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.trigger, 'catch-up');
    assert.equal(runs[0]!.slot, '2026-01-10T15:00:00.000Z');
    assert.equal(runs[0]!.outcome, 'success');
    assert.equal(skips.length, 17, '18 slots from 12:10 to 15:00, one ran');
    assert.ok(skips.every((s) => s.reason === 'missed-while-asleep' && /catchUp=once/.test(String(s.detail))));
    assert.equal(new Set(slotsSeen).size, slotsSeen.length, 'no slot recorded twice');
    assert.equal(slotsSeen.length, 18);
  });

  it('catchUp all: runs the missed slots up to the cap, oldest first, and records the rest', async () => {
    const { runs, skips, slotsSeen } = await sleepThreeHours({ mode: 'all', max: 5 });
    assert.deepEqual(runs.map((r) => r.slot), ['14:20', '14:30', '14:40', '14:50', '15:00'].map((h) => `2026-01-10T${h}:00.000Z`));
    assert.ok(runs.every((r) => r.trigger === 'catch-up' && r.outcome === 'success'));
    assert.equal(skips.length, 13);
    assert.ok(skips.every((s) => s.reason === 'missed-while-asleep' && /over the cap of 5/.test(String(s.detail))));
    assert.equal(new Set(slotsSeen).size, 18);
  });

  it('catchUp skip: runs none and records all 18 missed slots', async () => {
    const { runs, skips } = await sleepThreeHours('skip');
    assert.equal(runs.length, 0);
    assert.equal(skips.length, 18);
    assert.ok(skips.every((s) => s.reason === 'missed-while-asleep' && /catchUp=skip/.test(String(s.detail))));
  });

  it('a 1-second skill asleep for 3 hours: one summary entry stands for the thousands of older slots', async () => {
    const { runs, skips } = await sleepThreeHours('once', '* * * * * *');
    assert.equal(runs.length, 1);
    const total = skips.reduce((n, s) => n + (typeof s.count === 'number' ? s.count : 1), 0);
    assert.equal(total + 1, 3 * 3600);
    assert.ok(skips.length <= 201, `${skips.length} skip entries`);
  });

  it('a host down across a DST change catches up a daily job once', async () => {
    const t = tempHome();
    writeSkill(t.home, 'nightly', { schedule: '30 2 * * *', timezone: 'Europe/Berlin', catchUp: 'once' }, 'ok.mjs');
    const clock = new FakeClock('2026-03-28T12:00:00Z');
    let host = new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), clock, useTrigger: false,
      watchdogMs: 3_600_000,
    });
    afterTest(t.cleanup);
    await host.start();
    await host.stop();
    clock.sleep(2 * 24 * HOUR); // down until 2026-03-30T12:00Z: the 29th (03:00, DST) and the 30th (02:30) were missed
    host = new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), clock, useTrigger: false,
      watchdogMs: 3_600_000,
    });
    await host.start();
    await host.idle();
    await host.stop();
    const e = readLedger(t.home, 'nightly');
    assert.deepEqual(e.filter((x) => x.type === 'skip').map((x) => [x.slot, x.reason]), [[
      '2026-03-29T01:00:00.000Z', 'missed-while-down',
    ]]);
    assert.deepEqual(e.filter((x) => x.type === 'end').map((x) => [x.slot, x.trigger]), [['2026-03-30T00:30:00.000Z', 'catch-up']]);
  });
});

describe('reconciler: regressions', () => {
  it('a first start that takes seconds records nothing as missed (nothing was due before the host existed)', async () => {
    const t = tempHome();
    writeSkill(t.home, 'every-second', { schedule: '* * * * * *', catchUp: 'once' }, 'ok.mjs');
    // A clock that moves 700 ms at every look: a slow start-up (the CI failure that found this).
    let wall = Date.parse('2026-01-10T12:00:00.200Z');
    const clock = { now: () => (wall += 700), monotonic: () => wall };
    const host = new Host({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), clock, useTrigger: false,
      watchdogMs: 3_600_000,
    });
    await host.start();
    await host.stop(true);
    const entries = readLedger(t.home, 'every-second');
    t.cleanup();
    assert.deepEqual(entries, []);
  });
});

describe('planCatchUp', () => {
  it('a paused skill records every missed slot as paused and runs none', () => {
    const plan = planCatchUp([3, 1, 2], { mode: 'all', max: 10 }, true);
    assert.deepEqual(plan.run, []);
    assert.deepEqual(plan.skip.map((s) => [s.slot, s.paused]), [[1, true], [2, true], [3, true]]);
  });
});
