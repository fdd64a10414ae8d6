// The end-of-run sweep through `ps` (macOS, or CLAWKEEPER_PROCESS_TABLE=ps): a process carrying
// the run's CLAWKEEPER_RUN_ID counts as the run's only if it started after the run began, as the
// /proc sweep has it. Otherwise any older process whose arguments or environment hold the marker
// (anyone can write it there) would be stopped with the run.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { pidsInPsEnvOutput, pidsWithRunId, readProcessTable, startMark } from '../../main/core/runs/processes/process-table.ts';

const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

function sleeper(runId: string, how: 'env' | 'args'): ChildProcess {
  const c = how === 'env'
    ? spawn('sleep', ['30'], { env: { ...process.env, CLAWKEEPER_RUN_ID: runId }, stdio: 'ignore' })
    : spawn('sh', ['-c', 'sleep 30', `CLAWKEEPER_RUN_ID=${runId}`], { stdio: 'ignore' });
  children.push(c);
  return c;
}

describe('the run-id sweep through ps', () => {
  it('finds only the processes with the marker that started since the run began', async () => {
    const runId = `rsweep${Date.now().toString(36)}`;
    const before = [sleeper(runId, 'env'), sleeper(runId, 'args')];
    // ps says when a process started to the second, and the mark is a second back: wait past both.
    await new Promise((r) => setTimeout(r, 2200));
    const mark = startMark();
    const since = sleeper(runId, 'env');
    await new Promise((r) => setTimeout(r, 200));
    process.env.CLAWKEEPER_PROCESS_TABLE = 'ps';
    try {
      const found = await pidsWithRunId(await readProcessTable(), runId, mark);
      assert.deepEqual(found, [since.pid]);
      assert.ok(before.every((c) => c.pid !== undefined && !found.includes(c.pid)));
    } finally {
      delete process.env.CLAWKEEPER_PROCESS_TABLE;
    }
  });

  it('reads pid, start and command from each line, and drops older lines and other runs', () => {
    const out = [
      '  101 Sat Dec  5 10:59:58 2026 sleep 30 CLAWKEEPER_RUN_ID=r1 HOME=/x',
      '  102 Sat Dec  5 11:00:00 2026 sleep 30 CLAWKEEPER_RUN_ID=r1 HOME=/x',
      '  103 Sat Dec  5 11:00:05 2026 sleep 30 CLAWKEEPER_RUN_ID=r12 HOME=/x',
      '  104 Sat Dec  5 11:00:05 2026 /bin/sh -c x CLAWKEEPER_RUN_ID=r1',
      'garbage',
    ].join('\n');
    assert.deepEqual(pidsInPsEnvOutput(out, 'r1', Date.parse('Sat Dec  5 11:00:00 2026')), [102, 104]);
  });
});
