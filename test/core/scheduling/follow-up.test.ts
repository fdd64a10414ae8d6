// What happens after a run ends (RunsInFlight.followUp): retries on the host's clock, with the
// backoff doubling, and the breaker counting only a slot's final outcome. A fake clock drives
// the retry timers; scripted processes end when the test says (test/helpers/fake-launcher.ts).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { readLedger, tempHome, writeSkill } from '../../helpers/home.ts';
import { clockHost, type ClockHost } from '../../helpers/fake-launcher.ts';

const SLOT = '2026-02-02T09:00:00.000Z';

describe('followUp on a fake clock', () => {
  let done: () => Promise<void> = async () => {};
  afterEach(async () => done());

  async function setUp(manifest: Record<string, unknown>): Promise<ClockHost & { ends: () => Record<string, unknown>[] }> {
    const t = tempHome();
    writeSkill(t.home, 's', { schedule: '* * * * *', command: ['/bin/true'], ...manifest });
    const h = await clockHost(t.home, '2026-02-02T09:00:00Z');
    done = async () => {
      for (const p of h.launcher.started) p.exit(0);
      await h.host.stop(true);
      t.cleanup();
    };
    return { ...h, ends: () => readLedger(t.home, 's').filter((e) => e.type === 'end') };
  }

  it('a failed slot is retried after backoffSeconds, then twice that, and no more than retries.max', async () => {
    const h = await setUp({ retries: { max: 2, backoffSeconds: 60 } });
    h.fire('s', SLOT);
    await h.end(1);
    const waits: number[] = [];
    for (const backoff of [60_000, 120_000]) {
      h.clock.advance(backoff - 1);
      assert.equal(h.launcher.started.length, waits.length + 1, `nothing before ${backoff} ms`);
      h.clock.advance(1);
      assert.equal(h.launcher.started.length, waits.length + 2, `the retry at ${backoff} ms`);
      waits.push(backoff);
      await h.end(1);
    }
    assert.equal(h.clock.pendingTimers, 0, 'no third retry is waiting');
    h.clock.advance(24 * 3_600_000);
    assert.equal(h.launcher.started.length, 3);
    assert.deepEqual(h.ends().map((e) => [e.slot, e.trigger, e.attempt, e.outcome]), [
      [SLOT, 'schedule', 1, 'failure'],
      [SLOT, 'retry', 2, 'failure'],
      [SLOT, 'retry', 3, 'failure'],
    ]);
  });

  it('a retry that succeeds ends the slot: no more retries, and the breaker count starts over', async () => {
    const h = await setUp({ retries: { max: 3, backoffSeconds: 10 } });
    h.fire('s', SLOT);
    await h.end(1);
    h.clock.advance(10_000);
    await h.end(0);
    assert.equal(h.clock.pendingTimers, 0);
    assert.equal(h.host.breakers.get('s').failures, 0);
    assert.deepEqual(h.ends().map((e) => e.outcome), ['failure', 'success']);
  });

  it('the breaker counts a slot once, by its final outcome after the retries', async () => {
    const h = await setUp({ retries: { max: 1, backoffSeconds: 5 }, breaker: { failures: 2, coolDownSeconds: 600 } });
    for (const slot of [SLOT, '2026-02-02T09:01:00.000Z']) {
      h.fire('s', slot);
      await h.end(1);
      assert.equal(h.host.breakers.get('s').state, 'closed', 'a failure with a retry to come counts nothing yet');
      h.clock.advance(5_000);
      await h.end(1);
    }
    assert.equal(h.ends().length, 4);
    const b = h.host.breakers.get('s');
    assert.equal(b.state, 'open');
    assert.equal(b.failures, 2);
    assert.equal(Date.parse(b.until!) - h.clock.now(), 600_000);
  });

  it('a run stopped by a newer one (overlap replace) is not retried, whatever retries.max says', async () => {
    const h = await setUp({ overlap: 'replace', retries: { max: 3, backoffSeconds: 1 } });
    h.fire('s', SLOT);
    const replaced = once(h.host, 'run-end');
    h.fire('s', '2026-02-02T09:01:00.000Z');
    await replaced;
    assert.equal(h.clock.pendingTimers, 0);
    h.clock.advance(60_000);
    assert.equal(h.launcher.started.length, 2, 'the first run and its replacement, no retry');
  });

  it('a manual run that fails serves no slot and is not retried', async () => {
    const h = await setUp({ retries: { max: 3, backoffSeconds: 1 } });
    h.host.runNow('s');
    await h.end(1);
    h.clock.advance(60_000);
    assert.equal(h.launcher.started.length, 1);
    assert.deepEqual(h.ends().map((e) => [e.trigger, e.slot]), [['manual', null]]);
  });

  it('stopping the host cancels the retries waiting for their time', async () => {
    const h = await setUp({ retries: { max: 3, backoffSeconds: 30 } });
    h.fire('s', SLOT);
    await h.end(1);
    assert.equal(h.clock.pendingTimers, 1);
    await h.host.stop();
    assert.equal(h.clock.pendingTimers, 0);
    h.clock.advance(3_600_000);
    assert.equal(h.launcher.started.length, 1);
  });
});
