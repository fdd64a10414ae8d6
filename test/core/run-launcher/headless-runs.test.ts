import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStatusLine } from '../../../main/common/status-line.ts';
import { readLedger, tempHomePerTest, waitFor, writeSkill } from '../../helpers/home.ts';
import { startHostProcess } from '../../helpers/host-process.ts';
import { alive, childrenOf, ppidOf } from '../../helpers/pids.ts';
import { cleanupsPerTest } from '../../helpers/per-test.ts';

describe('headless host: runs started by the run launcher from warm shells', () => {
  // Added first: the host stops before its home is removed.
  const afterTest = cleanupsPerTest();
  const newHome = tempHomePerTest();

  it('each slot runs once, in a process the launcher (not the host) started; on stop the unused warm shells and the launcher are gone and wrote nothing', async () => {
    const t = newHome();
    // The command reports its parent's pid as a status field.
    writeSkill(t.home, 'parent', { schedule: '* * * * * *', command: ['sh', '-c', 'echo "{\\"parent\\":$PPID}"'] });
    writeSkill(t.home, 'js', { schedule: '* * * * * *' }, 'ok.mjs');
    const h = await startHostProcess(t.home);
    afterTest(() => h.stop());
    await waitFor(
      '3 ended runs of each',
      () => ['parent', 'js'].every((s) => readLedger(t.home, s).filter((e) => e.type === 'end').length >= 3), 30_000,
    );
    const fields = parseStatusLine(readFileSync(join(t.home, 'skills', 'status', 'parent.txt'), 'utf8'))!;
    const launcher = Number(fields.parent);
    assert.notEqual(launcher, h.proc.pid, 'not started by the host');
    assert.equal(ppidOf(launcher), h.proc.pid, 'but by a child of the host');
    const idle = childrenOf(launcher);
    assert.ok(idle.length >= 2, `warm shells idle: ${idle.length}`);
    await h.stop();
    await waitFor('the launcher and its idle shells gone', () => [launcher, ...idle].every((p) => !alive(p)), 10_000);
    for (const s of ['parent', 'js']) {
      const entries = readLedger(t.home, s);
      const starts = entries.filter((e) => e.type === 'start');
      const ends = entries.filter((e) => e.type === 'end');
      assert.equal(new Set(starts.map((e) => e.slot)).size, starts.length, `${s}: a slot ran twice`);
      assert.deepEqual(
        new Set(ends.map((e) => e.run_id)), new Set(starts.map((e) => e.run_id)),
        `${s}: every start has its end, and nothing else was written`,
      );
      assert.ok(ends.slice(0, 3).every((e) => e.outcome === 'success'), `${s}: ${JSON.stringify(ends.slice(0, 3))}`);
    }
  });
});
