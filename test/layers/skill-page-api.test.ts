// The skill page's data: ledger entries joined into runs, skips newest first, next slots, the
// manifest as loaded, and log chunks that never split a character.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SkillView } from '../../main/common/layer-protocol.ts';
import { Ledger } from '../../main/core/runs/ledger.ts';
import { completeUtf8, readLogChunk, skillPage } from '../../main/core/layers/gateway/skill-page-api.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { ensureHome, homePaths } from '../../main/core/home/paths.ts';
import { tempHome } from '../helpers/home.ts';

const view = (o: Partial<SkillView> = {}): SkillView => ({
  name: 'job', source: 'user', state: 'ok', reason: '', description: '', schedule: '0 * * * *', scheduleText: null,
  timezone: 'UTC', enabled: true, paused: false, needs: [], deferred: null, breaker: null, nextRun: null, lastRun: null,
  running: null, recent: [], successRate: null, runs: 0, problems: [], ...o,
});

describe('skill page data', () => {
  it('joins start and end entries into runs (newest first), keeps a running run open, lists skips and the next 10 slots', () => {
    const t = tempHome();
    try {
      const paths = homePaths(t.home);
      ensureHome(paths);
      mkdirSync(join(paths.skills, 'job'), { recursive: true });
      writeFileSync(join(paths.skills, 'job', 'skill.json'), '{"name":"job"}');
      const base = { skill: 'job', slot: null, trigger: 'manual' as const, attempt: 1 };
      const lines = [
        { type: 'start', run_id: 'a', started_at: '2026-01-01T00:00:00.000Z', host_pid: 1, ...base },
        {
          type: 'end', run_id: 'a', started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:02.000Z',
          duration_ms: 2000, outcome: 'failure', exit_code: 1, signal: null, error: 'boom', ...base,
        },
        { type: 'skip', skill: 'job', slot: '2026-01-01T01:00:00.000Z', reason: 'paused', at: '2026-01-01T01:00:00.000Z' },
        { type: 'start', run_id: 'b', started_at: '2026-01-01T02:00:00.000Z', host_pid: 1, ...base },
      ];
      writeFileSync(join(paths.runs, 'job.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const p = skillPage(view(), new Ledger(paths.runs, createMemoryLogger()), paths, 100, Date.parse('2026-01-01T03:10:00Z'));
      assert.deepEqual(p.runs.map((r) => [r.run_id, r.outcome, r.duration_ms, r.error]), [
        ['b', null, null, undefined], ['a', 'failure', 2000, 'boom'],
      ]);
      assert.equal(p.totalRuns, 2);
      assert.deepEqual(p.skips.map((s) => s.reason), ['paused']);
      assert.equal(p.nextSlots.length, 10);
      assert.deepEqual(p.nextSlots[0], { at: '2026-01-01T04:00:00.000Z', skip: null, why: null });
      assert.deepEqual(p.manifest, { file: join(paths.skills, 'job', 'skill.json'), text: '{"name":"job"}' });
      assert.deepEqual(skillPage(view({ state: 'invalid' }), new Ledger(paths.runs, createMemoryLogger()), paths, 100).nextSlots, []);
    } finally {
      t.cleanup();
    }
  });

  it('reads a log from an offset, and refuses a run id that could be a path', () => {
    const t = tempHome();
    try {
      const paths = homePaths(t.home);
      mkdirSync(join(paths.logs, 'job'), { recursive: true });
      writeFileSync(join(paths.logs, 'job', 'r1.log'), 'héllo\nworld\n');
      const a = readLogChunk(paths, 'job', 'r1', 0);
      assert.equal(a.text, 'héllo\nworld\n');
      assert.equal(readLogChunk(paths, 'job', 'r1', a.next).text, '');
      assert.throws(() => readLogChunk(paths, 'job', '..%2f..%2ftoken', 0), /not a run id/);
      assert.throws(() => readLogChunk(paths, 'job', 'nope', 0), /no log for run nope/);
    } finally {
      t.cleanup();
    }
  });

  it('never ends a chunk inside a UTF-8 character', () => {
    const b = Buffer.from('aé€😀');
    assert.equal(completeUtf8(b, b.length), b.length);
    assert.equal(completeUtf8(b, b.length - 1), b.length - 4, 'a cut emoji waits for the next chunk');
    assert.equal(completeUtf8(b, 2), 1, 'a cut é too');
    assert.equal(completeUtf8(b, 3), 3);
  });
});
