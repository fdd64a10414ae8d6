import { formatTime } from '../../main/common/time-words.js';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { skillState } from '../../main/core/health/health-composer.ts';
import { Ledger } from '../../main/core/runs/ledger.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { loadSkill } from '../../main/core/skills/skill-loader.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';

describe('the late check', () => {
  // Regression: it used to enumerate every missed slot to learn whether there was one; after a
  // month's outage a per-second skill is 2.6 million slots (bounded at a million, ~40 s).
  it('after a 30-day outage of a per-second skill, one next-slot computation says late, naming the first overdue slot', { timeout: 20_000 }, () => {
    const t = tempHome();
    try {
      const dir = writeSkill(t.home, 'tick', { schedule: '* * * * * *' }, 'ok.mjs');
      const skill = loadSkill(dir, 'tick', 'user');
      mkdirSync(join(t.home, 'runs'), { recursive: true });
      const ledger = new Ledger(join(t.home, 'runs'), createMemoryLogger());
      ledger.load();
      const now = Date.parse('2026-03-01T12:00:00.000Z');
      const last = now - 30 * 24 * 3600_000;
      const at = new Date(last).toISOString();
      ledger.recordStart({
        type: 'start', run_id: 'r1', skill: 'tick', slot: at, trigger: 'schedule', attempt: 1, started_at: at,
        host_pid: 1,
      });
      ledger.recordEnd({
        type: 'end', run_id: 'r1', skill: 'tick', slot: at, trigger: 'schedule', attempt: 1, started_at: at,
        ended_at: at, duration_ms: 5, outcome: 'success', exit_code: 0, signal: null,
      });
      const facts = { paused: false, hostAlive: false, deferredOn: [], breaker: null };
      const s = skillState(skill, ledger, now, facts);
      assert.equal(s.state, 'late');
      assert.equal(
        s.reason,
        `the slot due ${formatTime(last + 1000, { now, seconds: true })} has not run after 2 min of grace (the host is not running)`,
      );
      assert.match(s.reason, /^the slot due Fri 30 Jan 12:00:01 /, 'one way of writing a time (the test runs in UTC)');
      // Inside the grace period it is not late.
      assert.equal(skillState(skill, ledger, last + 60_000, facts).state, 'ok');
    } finally {
      t.cleanup();
    }
  });
});
