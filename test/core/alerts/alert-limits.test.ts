import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertLimits, MAX_PER_HOUR, type LimitsState } from '../../../main/core/alerts/alert-limits.ts';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { tempHome } from '../../helpers/home.ts';
import { startRecorder } from '../../helpers/recorder.ts';
import { alert, service, writeConfig } from './fixtures.ts';

const MIN = 60_000;

describe('alert limits on a fake clock', () => {
  it('sends one alert per subject per cooldown, and the next one after it', () => {
    const clock = new FakeClock('2026-03-01T08:00:00Z');
    const l = new AlertLimits();
    const admit = () => l.admit('phone', 'layer:gateway', false, 5 * MIN, clock.now()).ok;
    assert.equal(admit(), true);
    clock.advance(4 * MIN + 59_000);
    assert.equal(admit(), false);
    clock.advance(1000);
    assert.equal(admit(), true);
    assert.equal(l.admit('phone', 'layer:session', false, 5 * MIN, clock.now()).ok, true, 'another subject has its own cooldown');
    assert.equal(l.admit('hook', 'layer:gateway', false, 5 * MIN, clock.now()).ok, true, 'another channel too');
  });

  it('tells the end of what it told (recovered, back) whatever the cooldown', () => {
    const clock = new FakeClock('2026-03-01T08:00:00Z');
    const l = new AlertLimits();
    assert.equal(l.admit('phone', 'dependency:network', false, 5 * MIN, clock.now()).ok, true);
    clock.advance(10_000);
    assert.equal(l.admit('phone', 'dependency:network', true, 5 * MIN, clock.now()).ok, true);
  });

  it(`sends at most ${MAX_PER_HOUR} an hour per channel, and sums up the rest with when they began in the next`, () => {
    const clock = new FakeClock('2026-03-01T08:00:00Z');
    const l = new AlertLimits();
    const results = [];
    for (let i = 0; i < 27; i++) {
      results.push(l.admit('phone', `skill:s${i}`, false, 5 * MIN, clock.now()));
      clock.advance(MIN);
    }
    assert.equal(results.filter((r) => r.ok).length, MAX_PER_HOUR);
    assert.equal(l.admit('hook', 'skill:s0', false, 5 * MIN, clock.now()).ok, true, 'the cap is per channel');
    // 08:20 to 08:26 were held back; at 09:00 the 08:00 one leaves the hour and one more may go.
    clock.advance(33 * MIN);
    assert.equal(new Date(clock.now()).toISOString(), '2026-03-01T09:00:00.000Z');
    const next = l.admit('phone', 'skill:later', false, 5 * MIN, clock.now());
    assert.deepEqual(next, { ok: true, suppressed: { count: 7, since: Date.parse('2026-03-01T08:20:00Z') } });
    // The state is saved with the outbox: a restarted host keeps the hour's count (no flood from a crash loop).
    const restarted = new AlertLimits(JSON.parse(JSON.stringify(l.state(clock.now()))) as LimitsState);
    assert.equal(restarted.admit('phone', 'skill:other', false, 5 * MIN, clock.now()).ok, false);
  });

  it('the next alert a channel sends says how many it held back and since when ("and 7 more since 08:10")', async () => {
    const t = tempHome();
    const rec = await startRecorder();
    writeConfig(t.home, {
      alerts: {
        channels: { phone: { type: 'ntfy', url: `${rec.url}/topic` }, hook: { type: 'webhook', url: `${rec.url}/hook` } },
        cooldownMinutes: 5,
      },
    });
    const clock = new FakeClock('2026-03-01T08:10:00Z');
    const { svc } = service(t.home, clock);
    svc.enqueue(alert({ subject: 'layer:gateway', event: 'layer-failed', title: 'Gateway Core is down', skill: undefined }));
    for (let i = 0; i < 7; i++) {
      clock.advance(20_000); // a flapping gateway: down again every 20 s
      svc.enqueue(alert({ subject: 'layer:gateway', event: 'layer-failed', title: 'Gateway Core is down', skill: undefined }));
    }
    await svc.pump();
    assert.equal(rec.requests.length, 2, 'one per channel, not eight');
    clock.advance(5 * MIN);
    svc.enqueue(alert({ subject: 'layer:gateway', event: 'layer-failed', title: 'Gateway Core is down', skill: undefined }));
    await svc.pump();
    const since = new Date('2026-03-01T08:10:20Z').toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    const ntfy = rec.requests.filter((r) => r.path === '/topic');
    assert.equal(ntfy.length, 2);
    assert.match(ntfy[1]!.body, new RegExp(`\\(and 7 more since ${since}\\)`));
    const hook = JSON.parse(rec.requests.filter((r) => r.path === '/hook')[1]!.body) as { suppressed: unknown };
    assert.deepEqual(hook.suppressed, { count: 7, since: '2026-03-01T08:10:20.000Z' });
    await rec.close();
    t.cleanup();
  });
});
