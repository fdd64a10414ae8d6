// The runs view's index (gateway/runs-index.ts): every skill's runs from the ledgers, newest
// first, filtered and paged; a ledger that grew is read from where the last read stopped.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RUNS_KEPT, RunsIndex } from '../../main/core/layers/gateway/runs-index.ts';
import { parseRunsQuery } from '../../main/core/layers/gateway/runs-api.ts';
import { tempHome } from '../helpers/home.ts';

const line = (o: object) => JSON.stringify(o) + '\n';
function run(skill: string, id: string, at: string, outcome: string | null, extra: object = {}): string {
  const base = { run_id: id, skill, slot: at, trigger: 'schedule', attempt: 1, started_at: at };
  return line({ type: 'start', ...base, host_pid: 1 }) + (outcome ? line({
    type: 'end', ...base, ended_at: at, duration_ms: 5, outcome, exit_code: 0, signal: null, ...extra,
  }) : '');
}

describe('the runs index', () => {
  it('merges every skill newest first, filters by skill, outcome, trigger and time, and pages', () => {
    const t = tempHome();
    try {
      const dir = join(t.home, 'runs');
      mkdirSync(dir);
      writeFileSync(
        join(dir, 'a.jsonl'),
        run('a', 'a1', '2026-01-01T00:00:00.000Z', 'success') + run(
          'a', 'a2', '2026-01-01T02:00:00.000Z', 'upstream-failure', { error: 'model 503' },
        ),
      );
      writeFileSync(
        join(dir, 'b.jsonl'),
        run('b', 'b1', '2026-01-01T01:00:00.000Z', 'success', {
          usage: { calls: 1, prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, model: 'm' },
          output: 'outputs/b/x.md', delivery: { status: 'failed', error: 'HTTP 500' },
        }) + run('b', 'b2', '2026-01-01T03:00:00.000Z', null),
      );
      writeFileSync(join(dir, '_paused.json'), '[]');
      const idx = new RunsIndex(dir);
      const all = idx.query({ offset: 0, limit: 50 });
      assert.deepEqual(all.runs.map((r) => r.run_id), ['b2', 'a2', 'b1', 'a1']);
      assert.deepEqual(all.skills, ['a', 'b']);
      const b1 = all.runs[2]!;
      assert.deepEqual([b1.tokens, b1.output, b1.delivery], [12, 'outputs/b/x.md', { status: 'failed', error: 'HTTP 500' }]);
      assert.deepEqual(idx.query({ skill: 'a', offset: 0, limit: 50 }).runs.map((r) => r.run_id), ['a2', 'a1']);
      assert.deepEqual(idx.query({ outcome: 'running', offset: 0, limit: 50 }).runs.map((r) => r.run_id), ['b2']);
      assert.deepEqual(idx.query({ outcome: 'upstream-failure', offset: 0, limit: 50 }).runs.map((r) => r.error), ['model 503']);
      assert.equal(idx.query({ trigger: 'manual', offset: 0, limit: 50 }).total, 0);
      const window = idx.query({ from: Date.parse('2026-01-01T01:00:00Z'), to: Date.parse('2026-01-01T03:00:00Z'), offset: 0, limit: 50 });
      assert.deepEqual(window.runs.map((r) => r.run_id), ['a2', 'b1']);
      const page2 = idx.query({ offset: 2, limit: 1 });
      assert.deepEqual([page2.runs.map((r) => r.run_id), page2.total], [['b1'], 4]);

      // Appended: b2 ends, a new run starts; a half-written line waits for its end.
      appendFileSync(
        join(dir, 'b.jsonl'),
        line({
          type: 'end', run_id: 'b2', skill: 'b', slot: null, trigger: 'schedule', attempt: 1,
          started_at: '2026-01-01T03:00:00.000Z', ended_at: '2026-01-01T03:00:01.000Z', duration_ms: 1000,
          outcome: 'failure', exit_code: 1, signal: null,
        }) + '{"type":"start","run_id":"b3"',
      );
      assert.equal(idx.query({ skill: 'b', offset: 0, limit: 1 }).runs[0]!.outcome, 'failure');
      appendFileSync(
        join(dir, 'b.jsonl'),
        ',"skill":"b","slot":null,"trigger":"manual","attempt":1,"started_at":"2026-01-01T04:00:00.000Z","host_pid":1}\n',
      );
      assert.deepEqual(idx.query({ trigger: 'manual', offset: 0, limit: 5 }).runs.map((r) => r.run_id), ['b3']);

      // Rotated: the old generation moves to b.1.jsonl and a new file starts; nothing is lost or doubled.
      renameSync(join(dir, 'b.jsonl'), join(dir, 'b.1.jsonl'));
      writeFileSync(join(dir, 'b.jsonl'), run('b', 'b4', '2026-01-01T05:00:00.000Z', 'success'));
      assert.deepEqual(idx.query({ skill: 'b', offset: 0, limit: 50 }).runs.map((r) => r.run_id), ['b4', 'b3', 'b2', 'b1']);
      assert.equal(idx.find('b', 'b1')?.tokens, 12);
    } finally {
      t.cleanup();
    }
  });

  it('keeps the newest RUNS_KEPT runs of a skill in memory, says the view is capped, and still finds an older run in the ledger', () => {
    const t = tempHome();
    try {
      const dir = join(t.home, 'runs');
      mkdirSync(dir);
      const n = RUNS_KEPT * 2;
      writeFileSync(
        join(dir, 'busy.jsonl'),
        Array.from(
          { length: n },
          (_, i) => run(
            'busy', `r${i}`, new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), 'success',
            i === 0 ? { output: 'outputs/busy/first.md' } : {},
          ),
        ).join(''),
      );
      const idx = new RunsIndex(dir);
      const page = idx.query({ skill: 'busy', offset: 0, limit: 1 });
      assert.equal(page.runs[0]!.run_id, `r${n - 1}`);
      assert.ok(page.total >= RUNS_KEPT && page.total < n, `kept ${page.total}`);
      assert.equal(page.capped, true);
      assert.equal(idx.find('busy', 'r0')?.output, 'outputs/busy/first.md', 'an old run is read from the ledger');
      assert.equal(idx.find('busy', 'nope'), null);
    } finally {
      t.cleanup();
    }
  });

  it('a bad query parameter is a 400 that names it and what it takes', () => {
    const q = (s: string) => () => parseRunsQuery(new URLSearchParams(s));
    assert.throws(q('outcome=weird'), /"outcome" is one of success, failure/);
    assert.throws(q('limit=5000'), /"limit" is a whole number from 1 to 200/);
    assert.throws(q('from=yesterday'), /"from" is an ISO-8601 time/);
    assert.throws(q('skill=../token'), /"skill" is a skill name/);
    assert.deepEqual(parseRunsQuery(
      new URLSearchParams('skill=a&trigger=retry&offset=50&limit=25'),
    ), { offset: 50, limit: 25, skill: 'a', trigger: 'retry' });
  });
});
