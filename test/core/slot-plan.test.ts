// The next run that will actually start, and what becomes of each coming slot: pure functions of
// a time and the gates (croner-style: no host, no clock but the one passed in).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextLocalMidnight, nextRunOf, planSlots, type SlotGates } from '../../main/core/scheduling/slot-plan.ts';

const NOW = Date.parse('2026-12-05T08:00:00.000Z');
const base: SlotGates = { schedule: '* * * * * *', timezone: 'Europe/Paris', enabled: true, paused: false };

describe('slot plan', () => {
  it('a per-second skill tripped for an hour runs next at the first slot after the cool-down, found without walking 3600 slots', () => {
    const g = { ...base, breaker: { state: 'open' as const, until: '2026-12-05T09:00:00.500Z' } };
    assert.deepEqual(nextRunOf(g, NOW), { at: '2026-12-05T09:00:01.000Z', reason: 'after cool-down' });
    const slots = planSlots(g, NOW, 10);
    assert.equal(slots.length, 10);
    assert.ok(slots.every((s) => s.skip === 'breaker-open'));
  });

  it('a spent day budget skips every slot until the skill\'s local midnight, then runs (Paris midnight is 23:00Z in winter)', () => {
    const g = { ...base, schedule: '0 */2 * * *', tokens: { today: 1000, tokensPerDay: 1000 } };
    assert.deepEqual(nextRunOf(g, NOW), { at: '2026-12-05T23:00:00.000Z', reason: 'day budget spent' });
    assert.equal(nextLocalMidnight(NOW, 'Europe/Paris'), Date.parse('2026-12-05T23:00:00.000Z'));
    assert.equal(
      nextLocalMidnight(Date.parse('2026-03-29T00:30:00.000Z'), 'Europe/Paris'), Date.parse('2026-03-29T22:00:00.000Z'),
      'the spring-forward day is 23 hours long',
    );
    const slots = planSlots(g, NOW, 10);
    const skipped = slots.filter((s) => s.skip === 'budget').map((s) => s.at);
    assert.deepEqual(skipped, [
      '2026-12-05T09:00:00.000Z', '2026-12-05T11:00:00.000Z', '2026-12-05T13:00:00.000Z', '2026-12-05T15:00:00.000Z',
      '2026-12-05T17:00:00.000Z', '2026-12-05T19:00:00.000Z', '2026-12-05T21:00:00.000Z',
    ]);
    assert.equal(slots[7]!.skip, null);
  });

  it('paused, waiting for a dependency, disabled: no next run, with the reason; each slot marked', () => {
    assert.deepEqual(nextRunOf({ ...base, paused: true }, NOW), { at: null, reason: 'paused' });
    assert.deepEqual(nextRunOf({ ...base, deferred: ['network', 'nas'] }, NOW), { at: null, reason: 'when network, nas are back' });
    assert.deepEqual(nextRunOf({ ...base, enabled: false }, NOW), { at: null, reason: 'disabled' });
    assert.ok(planSlots({ ...base, paused: true }, NOW).every((s) => s.skip === 'paused' && s.why === 'paused'));
    assert.ok(
      planSlots({ ...base, deferred: ['network'] }, NOW).every((s) => s.skip === 'dependency-down' && s.why === 'waits for network'),
    );
  });

  it('an open breaker past its cool-down, or half-open: the next slot is the probe run', () => {
    assert.deepEqual(nextRunOf({ ...base, breaker: { state: 'half-open', until: null } }, NOW), {
      at: '2026-12-05T08:00:01.000Z', reason: 'a probe run (breaker half-open)',
    });
    assert.deepEqual(nextRunOf(
      { ...base, breaker: { state: 'open', until: '2026-12-05T07:00:00.000Z' } }, NOW,
    ), { at: '2026-12-05T08:00:01.000Z', reason: 'a probe run (breaker half-open)' });
  });

  it('nothing in the way: the next scheduled slot, no reason; the host\'s own next slot wins when given', () => {
    assert.deepEqual(nextRunOf(base, NOW), { at: '2026-12-05T08:00:01.000Z', reason: null });
    assert.deepEqual(nextRunOf(base, NOW, NOW + 5000), { at: '2026-12-05T08:00:05.000Z', reason: null });
  });
});
