// Catch-up of the new kinds on a fake clock: a host that was down, slept, or got a one-shot whose
// time had passed. Real runs (ok.mjs), real ledger; only the clock is ours.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { FakeClock } from '../../main/core/scheduling/clock.ts';
import { jitterMs } from '../../main/core/scheduling/slots.ts';
import { readLedger, tempHome, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';

const HOUR = 3_600_000;

describe('catch-up of every, at and jittered slots', () => {
  const afterTest = cleanupsPerTest();

  function setup(start: string) {
    const t = tempHome();
    const clock = new FakeClock(start);
    const hosts: Host[] = [];
    const host = () => {
      const h = new Host({
        home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), clock, useTrigger: false,
        watchdogMs: 3_600_000,
      });
      hosts.push(h);
      return h;
    };
    afterTest(async () => {
      for (const h of hosts) await h.stop(true);
      t.cleanup();
    });
    return { home: t.home, clock, host };
  }

  it('an interval missed while the host slept follows catchUp: the newest runs, the others are recorded', async () => {
    const { home, clock, host } = setup('2026-03-29T00:10:00Z');
    writeSkill(home, 'hourly', { every: '1h', catchUp: 'once' }, 'ok.mjs');
    const h = host();
    await h.start();
    clock.sleep(5 * HOUR); // across Berlin's spring-forward: the interval does not care
    h.tick();
    await h.idle();
    const e = readLedger(home, 'hourly');
    assert.deepEqual(
      e.filter((x) => x.type === 'skip').map((x) => x.slot),
      ['01', '02', '03', '04'].map((hh) => `2026-03-29T${hh}:00:00.000Z`),
    );
    assert.deepEqual(e.filter((x) => x.type === 'end').map((x) => [x.slot, x.trigger, x.outcome]), [[
      '2026-03-29T05:00:00.000Z', 'catch-up', 'success',
    ]]);
  });

  it('a one-shot that passed while the host was down runs once as catch-up, then never again', async () => {
    const { home, clock, host } = setup('2026-03-01T08:00:00Z');
    writeSkill(home, 'once', { at: '2026-03-01T09:00:00+01:00' }, 'ok.mjs'); // 08:00Z: now
    writeSkill(home, 'later', { at: '2026-03-01T12:00:00Z', catchUp: 'skip' }, 'ok.mjs');
    let h = host();
    await h.start();
    await h.stop();
    clock.sleep(6 * HOUR);
    h = host();
    await h.start();
    await h.idle();
    await h.stop();
    h = host();
    await h.start(); // a third start finds both settled
    await h.idle();
    assert.deepEqual(readLedger(home, 'once').filter((x) => x.type === 'start').map((x) => [x.slot, x.trigger]), [[
      '2026-03-01T08:00:00.000Z', 'catch-up',
    ]]);
    assert.deepEqual(
      readLedger(home, 'later').map((x) => [x.type, x.slot, x.reason]),
      [['skip', '2026-03-01T12:00:00.000Z', 'missed-while-down']], 'catchUp skip records it missed',
    );
  });

  it('a one-shot added with a time already past, while the host runs, follows catchUp at once', async () => {
    const { home, clock, host } = setup('2026-03-01T08:00:00Z');
    const h = host();
    await h.start();
    clock.advance(60_000);
    writeSkill(home, 'late-note', { at: '2026-03-01T07:00:00Z' }, 'ok.mjs');
    h.reload();
    await h.idle();
    assert.deepEqual(readLedger(home, 'late-note').filter((x) => x.type === 'end').map((x) => [x.slot, x.trigger, x.outcome]), [[
      '2026-03-01T07:00:00.000Z', 'catch-up', 'success',
    ]]);
  });

  it('a restart inside a slot\'s jitter delay leaves the slot to the trigger, not to catch-up', async () => {
    const name = 'spread';
    const slot = Date.parse('2026-03-01T09:00:00Z');
    const delay = jitterMs(name, slot, 3000);
    assert.ok(delay > 60_000, 'pinned: this slot waits over a minute');
    const { home, host } = setup(new Date(slot + 30_000).toISOString()); // nominal time past, delay not
    writeSkill(home, name, { every: '1h', jitterSeconds: 3000, catchUp: 'all' }, 'ok.mjs');
    // The previous host ran the 08:00 slot.
    const h0 = host();
    h0.prepareLocal();
    h0.ledger.recordStart({
      type: 'start', run_id: 'r0', skill: name, slot: '2026-03-01T08:00:00.000Z', trigger: 'schedule', attempt: 1,
      started_at: '2026-03-01T08:00:00.000Z', host_pid: 1,
    });
    h0.ledger.recordEnd({
      type: 'end', run_id: 'r0', skill: name, slot: '2026-03-01T08:00:00.000Z', trigger: 'schedule', attempt: 1,
      started_at: '2026-03-01T08:00:00.000Z', ended_at: '2026-03-01T08:00:01.000Z', duration_ms: 1000,
      outcome: 'success', exit_code: 0, signal: null,
    });
    const h = host();
    await h.start();
    await h.idle();
    assert.equal(readLedger(home, name).length, 2, 'nothing caught up, nothing recorded missed: 09:00 has not started yet');
  });
});
