import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { retryDelaySeconds } from '../../main/core/scheduling/retry-delay.ts';
import { runCli } from '../helpers/cli.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';

describe('retries after an interrupted run', () => {
  it('the backoff doubles per attempt already made', () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelaySeconds(60, a)), [60, 120, 240, 480]);
  });

  it('an attempt cut off by a dead host is retried after a doubled backoff, and its end entry points at its log for `clawkeeper logs`', async () => {
    const t = tempHome();
    writeSkill(t.home, 'flaky', { schedule: '0 0 1 1 *', retries: { max: 3, backoffSeconds: 2 } }, 'ok.mjs');
    // Attempt 2 of a slot was running when its host died: a start without an end, and its log.
    const runId = 'mabc123-0badcafe';
    const slot = '2026-01-01T00:00:00.000Z';
    mkdirSync(join(t.home, 'runs'), { recursive: true });
    writeFileSync(
      join(t.home, 'runs', 'flaky.jsonl'),
      JSON.stringify({
        type: 'start', run_id: runId, skill: 'flaky', slot, trigger: 'retry', attempt: 2,
        started_at: new Date(Date.now() - 60_000).toISOString(), host_pid: 2 ** 22 + 7,
      }) + '\n',
    );
    const logFile = join(t.home, 'logs', 'flaky', `${runId}.log`);
    mkdirSync(join(t.home, 'logs', 'flaky'), { recursive: true });
    writeFileSync(logFile, 'half a digest written before the crash\n');

    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), useTrigger: false });
    const startedAt = Date.now();
    await host.start();
    try {
      const end = readLedger(t.home, 'flaky').find((e) => e.type === 'end' && e.run_id === runId);
      assert.equal(end?.outcome, 'interrupted');
      assert.equal(end?.log, logFile);
      const logs = await runCli(t.home, ['logs', 'flaky']);
      assert.match(logs.out, /half a digest written before the crash/);

      const retry = await waitFor(
        'attempt 3', () => readLedger(t.home, 'flaky').find((e) => e.type === 'start' && e.attempt === 3), 20_000, 50,
      );
      assert.equal(retry.slot, slot);
      assert.equal(retry.trigger, 'retry');
      // Attempt 2 failed: 2 s × 2 = 4 s (undoubled it was 2 s). Timers never fire early, so this
      // lower bound holds however slow the machine.
      const waited = Date.parse(String(retry.started_at)) - startedAt;
      assert.ok(waited >= 3900, `retried after ${waited} ms, expected the doubled 4 s`);
    } finally {
      await host.stop(true);
      t.cleanup();
    }
  });
});
