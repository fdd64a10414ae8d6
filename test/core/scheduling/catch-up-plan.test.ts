// Catch-up planning as a pure function of the missed slots and the policy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planCatchUp } from '../../../main/core/scheduling/reconciler.ts';

const t = (hhmm: string) => Date.parse(`2026-01-10T${hhmm}:00Z`);
const hh = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('planCatchUp', () => {
  const missed = ['12:30', '12:10', '12:50', '12:20', '12:40'].map(t); // not in order on purpose
  const cases: {
    name: string; policy: { mode: 'skip' | 'once' | 'all'; max: number }; paused?: boolean; run: string[];
    skipped: string[]; detail: RegExp;
  }[] = [
    {
      name: 'skip runs none and records every slot, oldest first', policy: { mode: 'skip', max: 10 }, run: [],
      skipped: ['12:10', '12:20', '12:30', '12:40', '12:50'], detail: /^catchUp=skip/,
    },
    {
      name: 'once runs the newest only', policy: { mode: 'once', max: 10 }, run: ['12:50'],
      skipped: ['12:10', '12:20', '12:30', '12:40'], detail: /^catchUp=once: only the newest/,
    },
    {
      name: 'all under the cap runs every slot, oldest first', policy: { mode: 'all', max: 10 },
      run: ['12:10', '12:20', '12:30', '12:40', '12:50'], skipped: [], detail: /./,
    },
    {
      name: 'all over the cap runs the newest `max`, oldest first, and records the rest',
      policy: { mode: 'all', max: 2 }, run: ['12:40', '12:50'], skipped: ['12:10', '12:20', '12:30'],
      detail: /over the cap of 2/,
    },
    {
      name: 'a paused skill runs none whatever the policy', policy: { mode: 'all', max: 10 }, paused: true, run: [],
      skipped: ['12:10', '12:20', '12:30', '12:40', '12:50'], detail: /the skill is paused/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planCatchUp(missed, c.policy, c.paused === true);
      assert.deepEqual(plan.run.map(hh), c.run);
      assert.deepEqual(plan.skip.map((s) => hh(s.slot)), c.skipped);
      assert.ok(plan.skip.every((s) => c.detail.test(s.detail) && s.paused === (c.paused === true)));
    });
  }

  it('nothing missed: nothing to run or record', () => {
    assert.deepEqual(planCatchUp([], { mode: 'all', max: 10 }, false), { run: [], skip: [] });
  });

  it('does not reorder the caller\'s list', () => {
    const input = [t('12:30'), t('12:10')];
    planCatchUp(input, { mode: 'once', max: 10 }, false);
    assert.deepEqual(input.map(hh), ['12:30', '12:10']);
  });
});
