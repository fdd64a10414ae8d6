import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkSlot, isSlotOfSkill, jitterMs, nextSlotOf, nextStartingSlot, parseEvery, scheduleLabel, skillSlots,
  slotAtOrBeforeOf, slotSpecOf, slotsBetweenOf, timingOfLabel,
} from '../../main/core/scheduling/slots.ts';

const T = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
/** Local wall time of an instant in a zone, "HH:MM". */
const wall = (t: number, tz: string) => new Intl.DateTimeFormat('en-GB', {
  timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).format(t);

describe('every: slots are anchor + k × every', () => {
  it('reads "90s", "7m", "1.5h", "1d" and refuses under a second', () => {
    assert.deepEqual(['90s', '7m', '1.5h', '1d', '1s'].map(parseEvery), [90_000, 420_000, 5_400_000, 86_400_000, 1000]);
    assert.equal(parseEvery('0.5s'), null);
    assert.equal(parseEvery('7 minutes'), null);
  });

  it('counts from the Unix epoch by default, so every restart and every machine gets the same slots', () => {
    const spec = slotSpecOf({ every: '7m' });
    for (const after of [T('2026-03-01T10:00:00Z'), T('2026-03-01T10:03:29.5Z'), T('2031-07-04T23:59:59Z')]) {
      const next = nextSlotOf(spec, after)!;
      assert.equal(next % 420_000, 0, 'on the epoch grid');
      assert.ok(next > after && next - after <= 420_000, 'strictly after, within one interval');
    }
    // A slot itself is not "after" itself: the next one is one interval on.
    const s = nextSlotOf(spec, T('2026-03-01T10:00:00Z'))!;
    assert.equal(nextSlotOf(spec, s), s + 420_000);
    assert.equal(slotAtOrBeforeOf(spec, s), s);
    assert.equal(slotAtOrBeforeOf(spec, s - 1), s - 420_000);
  });

  it('counts from its anchor, and has no slot before it', () => {
    const m = { every: '15m', anchor: '2026-03-01T10:05:00+01:00' };
    const spec = slotSpecOf(m);
    assert.equal(iso(nextSlotOf(spec, T('2026-01-01T00:00:00Z'))), '2026-03-01T09:05:00.000Z', 'before the anchor: the anchor');
    assert.equal(iso(nextSlotOf(spec, T('2026-03-01T09:05:00Z'))), '2026-03-01T09:20:00.000Z');
    assert.equal(slotAtOrBeforeOf(spec, T('2026-03-01T09:04:59Z')), null);
    assert.ok(isSlotOfSkill(m, '2026-03-01T11:35:00+01:00'));
    assert.ok(!isSlotOfSkill(m, '2026-03-01T10:36:00Z'));
  });

  for (const [tz, day] of [['Europe/Berlin', '2026-03-29'], [
    'America/New_York', '2026-03-08',
  ], ['Europe/Berlin', '2026-10-25'], ['America/New_York', '2026-11-01']] as const) {
    it(`is DST-proof in ${tz} on ${day}: equal real intervals, whatever the wall clock does`, () => {
      const spec = slotSpecOf({ every: '1h' });
      const { slots } = slotsBetweenOf(spec, T(`${day}T00:00:00Z`) - 1, T(`${day}T23:59:59Z`), 100);
      assert.equal(slots.length, 24);
      for (let i = 1; i < slots.length; i++) assert.equal(slots[i]! - slots[i - 1]!, 3_600_000);
      // The wall clock jumps (or repeats) an hour across the change; the slots do not.
      const walls = slots.map((t) => wall(t, tz));
      assert.ok(new Set(walls).size === 24 || new Set(walls).size === 23, `${walls.join(' ')}`);
    });
  }

  it('counts thousands of slots by arithmetic: a week of a 1-second interval is instant, the newest kept', () => {
    const spec = slotSpecOf({ every: '1s' });
    const from = T('2026-03-01T00:00:00Z');
    const t0 = performance.now();
    const r = slotsBetweenOf(spec, from, from + 7 * 86_400_000, 200);
    assert.ok(performance.now() - t0 < 50);
    assert.equal(r.total, 7 * 86_400);
    assert.equal(r.first, from + 1000);
    assert.equal(r.slots.length, 200);
    assert.equal(r.slots[199], from + 7 * 86_400_000);
  });
});

describe('at: one slot, ever', () => {
  it('has one slot, the same instant whatever offset it is written with', () => {
    const a = slotSpecOf({ at: '2026-12-24T18:00:00+01:00' });
    const b = slotSpecOf({ at: '2026-12-24T17:00:00Z' });
    assert.deepEqual(a, b);
    assert.equal(iso(nextSlotOf(a, T('2026-12-24T16:59:59Z'))), '2026-12-24T17:00:00.000Z');
    assert.equal(nextSlotOf(a, T('2026-12-24T17:00:00Z')), null, 'after it: none, ever (a restart does not bring it back)');
    assert.deepEqual(slotsBetweenOf(a, T('2026-12-24T00:00:00Z'), T('2026-12-25T00:00:00Z'), 10).slots, [T('2026-12-24T17:00:00Z')]);
    assert.equal(slotsBetweenOf(a, T('2026-12-24T17:00:00Z'), T('2026-12-25T00:00:00Z'), 10).total, 0);
  });

  it('at a time inside a DST gap or overlap is still the one instant its offset names', () => {
    // 02:30 does not exist in Berlin on 2026-03-29; with its offset the instant is unambiguous.
    assert.equal(
      iso(slotSpecOf({ at: '2026-03-29T02:30:00+01:00' }).kind === 'at' ? T('2026-03-29T02:30:00+01:00') : null),
      '2026-03-29T01:30:00.000Z',
    );
    assert.ok(isSlotOfSkill({ at: '2026-11-01T01:30:00-04:00' }, '2026-11-01T05:30:00Z'));
    assert.ok(
      !isSlotOfSkill({ at: '2026-11-01T01:30:00-04:00' }, '2026-11-01T01:30:00-05:00'),
      'the second 01:30 in New York is another instant',
    );
  });
});

describe('cron through the same abstraction', () => {
  it('runs a 02:30 Berlin job once on the spring-forward day (at 03:00) and once on the fall-back day', () => {
    const spec = slotSpecOf({ schedule: '30 2 * * *', timezone: 'Europe/Berlin' });
    const spring = slotsBetweenOf(spec, T('2026-03-28T12:00:00Z'), T('2026-03-29T12:00:00Z'), 10).slots;
    assert.deepEqual(spring.map((t) => wall(t, 'Europe/Berlin')), ['03:00']);
    assert.equal(slotsBetweenOf(spec, T('2026-10-24T12:00:00Z'), T('2026-10-25T12:00:00Z'), 10).total, 1);
  });

  it('a view\'s schedule label gives back the same slots (the skill page computes the next ten from it)', () => {
    for (const [m, tz] of [[
      { schedule: '30 2 * * *', timezone: 'Europe/Berlin' }, 'Europe/Berlin',
    ], [{ every: '7m' }, null], [
      { every: '1h', anchor: '2026-01-01T00:30:00Z' }, null,
    ], [{ at: '2026-12-24T18:00:00+01:00' }, null]] as const) {
      assert.deepEqual(slotSpecOf(timingOfLabel(scheduleLabel(m), tz)), slotSpecOf(m), JSON.stringify(m));
    }
  });

  it('checkSlot names the nearest slots of any kind', () => {
    assert.deepEqual(checkSlot({ every: '7m' }, '1970-01-01T00:14:00Z'), { iso: '1970-01-01T00:14:00.000Z' });
    const e = checkSlot({ every: '7m' }, '1970-01-01T00:15:00Z');
    assert.ok(
      'error' in e && /not a slot of "every 7m"; the nearest are 1970-01-01T00:14:00.000Z and 1970-01-01T00:21:00.000Z/.test(e.error),
      JSON.stringify(e),
    );
    const a = checkSlot({ at: '2026-12-24T17:00:00Z' }, '2026-12-24T17:00:01Z');
    assert.ok('error' in a && /the nearest is 2026-12-24T17:00:00.000Z/.test(a.error), JSON.stringify(a));
    assert.ok('error' in checkSlot({ schedule: '0 * * * *' }, 'yesterday'));
  });
});

describe('jitter: a delay in [0, N) fixed per skill and slot', () => {
  const slot = T('2026-03-01T09:00:00Z');

  it('is the same on every call, restart and machine (a hash, no randomness)', () => {
    assert.equal(jitterMs('digest', slot, 300), jitterMs('digest', slot, 300));
    assert.equal(jitterMs('digest', slot, 300), 142_160, 'pinned: a change here would move every user\'s runs');
    assert.equal(jitterMs('digest', slot, 0), 0);
    assert.equal(jitterMs('digest', slot, undefined), 0);
  });

  it('is bounded and spread: 50 skills due at 09:00 start all over the window', () => {
    const delays = Array.from({ length: 50 }, (_, i) => jitterMs(`skill-${i}`, slot, 600));
    assert.ok(delays.every((d) => d >= 0 && d < 600_000));
    assert.ok(Math.max(...delays) - Math.min(...delays) > 400_000, 'spread over most of the window');
    const buckets = new Array(10).fill(0) as number[];
    for (let k = 0; k < 2000; k++) buckets[Math.floor(jitterMs('one', slot + k * 60_000, 10) / 1000)]!++;
    assert.ok(buckets.every((n) => n > 140 && n < 260), `each tenth of the window gets its share: ${buckets.join(' ')}`);
  });

  it('a slot whose delay has not passed is still the next to start, not a missed one', () => {
    const s = skillSlots('digest', { every: '1h', jitterSeconds: 600 });
    const nominal = T('2026-03-01T09:00:00Z');
    const start = s.startOf(nominal);
    assert.ok(start > nominal && start < nominal + 600_000);
    assert.equal(nextStartingSlot(s, nominal + 1), nominal, 'nominal time past, delay not: it is next');
    assert.equal(nextStartingSlot(s, start), nominal + 3_600_000, 'started: the next one');
  });
});
