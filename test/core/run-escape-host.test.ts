import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { running } from '../helpers/pids.ts';

describe('a run that leaves a setsid grandchild does not block its skill', () => {
  it('timeoutSeconds 2 with `setsid sleep &`: every run ends within 6 s of its deadline, the next slots start on time, and ps finds nothing left', async () => {
    const t = tempHome();
    const pidFile = join(t.home, 'grandchildren.pid');
    writeSkill(t.home, 'escaper', {
      schedule: '*/4 * * * * *', timeoutSeconds: 2, overlap: 'skip', env: { PIDFILE: pidFile },
      command: ['sh', '-c', 'setsid sleep 40.0419 & echo $! >> "$PIDFILE"; sleep 30'],
    });
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger() });
    await host.start();
    try {
      await waitFor('three runs ended', () => readLedger(t.home, 'escaper').filter((e) => e.type === 'end').length >= 3, 30_000, 50);
    } finally {
      await host.stop(true);
    }
    const ledger = readLedger(t.home, 'escaper');
    assert.deepEqual(
      ledger.filter((e) => e.type === 'skip').map((e) => e.reason), [],
      'no slot skipped: the runs did not outlive their deadline',
    );
    const ends = ledger.filter((e) => e.type === 'end' && e.outcome === 'timeout');
    assert.ok(ends.length >= 3);
    for (const e of ends) assert.ok(Number(e.duration_ms) < 2000 + 6000, `a run ended ${String(e.duration_ms)} ms after its start`);
    for (const s of ledger.filter((e) => e.type === 'start')) {
      const late = Date.parse(String(s.started_at)) - Date.parse(String(s.slot));
      assert.ok(late < 1500, `slot ${String(s.slot)} started ${late} ms late`);
    }
    const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    assert.ok(pids.length >= 3);
    await waitFor('every grandchild gone', () => pids.every((p) => !running(p)), 6000);
    const left = execFileSync('ps', ['-A', '-o', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('sleep 40.0419'));
    assert.deepEqual(left, []);
    t.cleanup();
  });
});
