import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSlot, slotsBetween } from '../../main/core/scheduling/cron.ts';

function localDay(t: number, tz: string): string {
  return new Date(t).toLocaleDateString('sv-SE', { timeZone: tz });
}

const transitions = [
  {
    tz: 'America/New_York', spring: ['2026-03-05T12:00:00Z', '2026-03-12T12:00:00Z'],
    fall: ['2026-10-29T12:00:00Z', '2026-11-05T12:00:00Z'],
  },
  { tz: 'Europe/Berlin', spring: ['2026-03-26T12:00:00Z', '2026-04-02T12:00:00Z'], fall: ['2026-10-22T12:00:00Z', '2026-10-29T12:00:00Z'] },
];

describe('DST: a daily job runs once per local day', () => {
  for (const { tz, spring, fall } of transitions) {
    for (const [label, [from, to]] of [['spring forward', spring], ['fall back', fall]] as const) {
      for (const time of ['01:30', '02:30']) {
        it(`${time} daily in ${tz} across ${label}: one slot per local day, seven days`, () => {
          const [h, m] = time.split(':').map(Number);
          const { slots } = slotsBetween(`${m} ${h} * * *`, tz, Date.parse(from!), Date.parse(to!), 100);
          const days = slots.map((t) => localDay(t, tz));
          assert.equal(slots.length, 7, `slots: ${slots.map((t) => new Date(t).toISOString()).join(', ')}`);
          assert.equal(new Set(days).size, 7, `a day ran twice: ${days.join(', ')}`);
        });
      }
    }
  }

  it('steps a job walking slot to slot (as the trigger does) through both transitions without a repeat or a gap', () => {
    for (const tz of ['America/New_York', 'Europe/Berlin']) {
      for (const expr of ['30 1 * * *', '30 2 * * *']) {
        let t = Date.parse('2026-01-01T00:00:00Z');
        const days = new Set<string>();
        let n = 0;
        while (t < Date.parse('2026-12-31T00:00:00Z')) {
          t = nextSlot(expr, tz, t)!;
          if (t >= Date.parse('2026-12-31T00:00:00Z')) break;
          days.add(localDay(t, tz));
          n++;
        }
        assert.equal(n, days.size, `${expr} ${tz}: ${n} slots over ${days.size} days`);
        assert.equal(n, 364, `${expr} ${tz}`);
      }
    }
  });
});
