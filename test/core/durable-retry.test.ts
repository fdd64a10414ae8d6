import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startHostProcess } from '../helpers/host-process.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { runOnce } from '../../main/core/runs/run-once.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';

/** A 6-field cron (UTC) that fires once, at `t` rounded up to the next whole second. */
function onceAt(t: number): { schedule: string; slot: string } {
  const d = new Date(Math.ceil(t / 1000) * 1000);
  return {
    schedule: `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`,
    slot: d.toISOString(),
  };
}

describe('a retry owed during its backoff is as durable as a slot', () => {
  it('kill -9 of the host during the backoff: the next host runs the retry as attempt 2 of the same slot, at its due time', async () => {
    const t = tempHome();
    const { schedule, slot } = onceAt(Date.now() + 8000);
    // Attempt 1 fails, attempt 2 succeeds; the retry is due 10 s after attempt 1.
    writeSkill(
      t.home, 'flaky', { schedule, timezone: 'UTC', retries: { max: 1, backoffSeconds: 10 }, env: { SUCCEED_AT: '2' } },
      'flaky.mjs',
    );
    const first = await startHostProcess(t.home);
    let second: Awaited<ReturnType<typeof startHostProcess>> | null = null;
    try {
      const failed = await waitFor(
        'attempt 1 to fail', () => readLedger(t.home, 'flaky').find((e) => e.type === 'end' && e.attempt === 1), 30_000,
        50,
      );
      assert.equal(failed.outcome, 'failure');
      const owedFile = join(t.home, 'runs', '_retries.json');
      const owed = await waitFor(
        'the owed retry on disk',
        () => existsSync(owedFile) && (JSON.parse(readFileSync(owedFile, 'utf8')) as {
          retries: { attempt: number; slot: string; due: string }[];
        }).retries[0],
      );
      assert.equal(owed.slot, slot);
      assert.equal(owed.attempt, 2);
      // 3 s into the backoff the host dies without a word.
      await new Promise((r) => setTimeout(r, 3000));
      await first.stop('SIGKILL');
      assert.equal(readLedger(t.home, 'flaky').filter((e) => e.type === 'start').length, 1, 'the retry had not started when the host died');

      second = await startHostProcess(t.home);
      const retry = await waitFor(
        'attempt 2 from the next host',
        () => readLedger(t.home, 'flaky').find((e) => e.type === 'end' && e.attempt === 2), 30_000, 50,
      );
      assert.equal(retry.slot, slot);
      assert.equal(retry.trigger, 'retry');
      assert.equal(retry.outcome, 'success');
      const started = readLedger(t.home, 'flaky').find((e) => e.type === 'start' && e.attempt === 2)!;
      assert.ok(
        Date.parse(String(started.started_at)) >= Date.parse(owed.due) - 50,
        `attempt 2 started at ${String(started.started_at)}, not before its due time ${owed.due}`,
      );
      assert.deepEqual((JSON.parse(readFileSync(owedFile, 'utf8')) as { retries: unknown[] }).retries, [], 'nothing is owed any more');
      assert.equal(readLedger(t.home, 'flaky').filter((e) => e.type === 'skip').length, 0, 'the slot has its runs, no skip');
    } finally {
      await first.stop('SIGKILL');
      await second?.stop();
      t.cleanup();
    }
  });

  it('a run-once stopped during its backoff leaves the retry owed, and a host started on the home runs it as attempt 2', async () => {
    const t = tempHome();
    const slot = '2026-01-10T09:00:00.000Z';
    writeSkill(
      t.home, 'flaky',
      { schedule: '0 9 * * *', timezone: 'UTC', retries: { max: 1, backoffSeconds: 1 }, env: { SUCCEED_AT: '2' } },
      'flaky.mjs',
    );
    const stop = new AbortController();
    const lines: string[] = [];
    const once = runOnce({
      home: t.home, bundledSkillsDir: null, skill: 'flaky', slot, trigger: 'schedule', logger: createMemoryLogger(),
      out: (l) => {
        lines.push(l);
        if (l.includes('retrying in')) stop.abort();
      },
      signal: stop.signal,
    });
    const r = await once;
    assert.match(r.message, /stays owed/);
    assert.equal(readLedger(t.home, 'flaky').filter((e) => e.type === 'start').length, 1);
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), useTrigger: false });
    await host.start();
    try {
      const end = await waitFor(
        'attempt 2 by the host', () => readLedger(t.home, 'flaky').find((e) => e.type === 'end' && e.attempt === 2),
        10_000,
      );
      assert.deepEqual([end.slot, end.trigger, end.outcome], [slot, 'retry', 'success']);
    } finally {
      await host.stop();
      t.cleanup();
    }
  });

  it('an owed retry whose attempt the ledger already has is not run again', async () => {
    const t = tempHome();
    const slot = '2026-01-10T09:00:00.000Z';
    writeSkill(t.home, 'flaky', { schedule: '0 9 * * *', retries: { max: 3, backoffSeconds: 0 } }, 'ok.mjs');
    mkdirSync(join(t.home, 'runs'), { recursive: true });
    const entry = (type: string, attempt: number, extra: object) => JSON.stringify({
      type, run_id: `r${attempt}`, skill: 'flaky', slot, trigger: attempt === 1 ? 'schedule' : 'retry', attempt,
      started_at: slot, ...extra,
    });
    writeFileSync(join(t.home, 'runs', 'flaky.jsonl'), [
      entry('start', 1, { host_pid: 1 }), entry('end', 1, {
        ended_at: slot, duration_ms: 1, outcome: 'failure', exit_code: 1, signal: null,
      }),
      entry('start', 2, { host_pid: 1 }), entry('end', 2, {
        ended_at: slot, duration_ms: 1, outcome: 'success', exit_code: 0, signal: null,
      }),
    ].join('\n') + '\n');
    // The host died after starting attempt 2 and before it could settle the retry.
    writeFileSync(join(t.home, 'runs', '_retries.json'), JSON.stringify({ retries: [{ skill: 'flaky', slot, attempt: 2, due: slot }] }));
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), useTrigger: false });
    await host.start();
    try {
      await host.idle();
      assert.equal(
        readLedger(t.home, 'flaky').filter((e) => e.type === 'start' && e.slot === slot).length, 2,
        'attempt 2 is not run twice',
      );
      assert.deepEqual((JSON.parse(readFileSync(join(t.home, 'runs', '_retries.json'), 'utf8')) as { retries: unknown[] }).retries, []);
    } finally {
      await host.stop();
      t.cleanup();
    }
  });
});
