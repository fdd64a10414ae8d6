import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordSpend } from '../../../main/core/models/day-budget.ts';
import { outcomeWords } from '../../../main/common/health.js';
import { tokenHistory } from '../../../main/core/models/usage-view.ts';
import { homePaths } from '../../../main/core/home/paths.ts';
import { tempHome } from '../../helpers/home.ts';

describe('token history for the dashboard', () => {
  it('lists the last 7 local days oldest first, with 0 for days without use, and today against the budget', () => {
    const t = tempHome();
    try {
      const paths = homePaths(t.home);
      const m = { name: 'agent', timezone: 'UTC', budget: { tokensPerDay: 1000 } } as Parameters<typeof tokenHistory>[1];
      const now = Date.parse('2026-01-10T12:00:00Z');
      recordSpend(paths, m, Date.parse('2026-01-08T09:00:00Z'), 300);
      recordSpend(paths, m, now, 120);
      recordSpend(paths, m, now, 30);
      recordSpend(paths, m, Date.parse('2025-12-01T09:00:00Z'), 999);
      const h = tokenHistory(paths, m, now);
      assert.deepEqual(
        h.days,
        ['04', '05', '06', '07', '08', '09', '10'].map((d) => ({ day: `2026-01-${d}`, tokens: d === '08' ? 300 : d === '10' ? 150 : 0 })),
      );
      assert.equal(h.today, 150);
      assert.equal(h.tokensPerDay, 1000);
    } finally {
      t.cleanup();
    }
  });
});

describe('outcome words', () => {
  it('names a provider failure and a budget refusal apart from a plain failure', () => {
    assert.equal(outcomeWords({ outcome: 'upstream-failure', error: '429 rate limited' }), 'provider failed: 429 rate limited');
    assert.equal(outcomeWords({ outcome: 'budget-exceeded', error: 'not sent' }), 'over token budget: not sent');
    assert.equal(outcomeWords({ outcome: 'failure', error: 'boom' }), 'failure: boom');
  });
});
