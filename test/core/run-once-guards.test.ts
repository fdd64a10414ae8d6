import assert from 'node:assert/strict';
import { chownSync } from 'node:fs';
import { describe, it } from 'node:test';
import { callHost } from '../../main/cli/host-client.ts';
import { startHeadless } from '../../main/core/app/headless.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { homePaths } from '../../main/core/home/paths.ts';
import { foreignHome, runOnce, RUN_ONCE_EXIT } from '../../main/core/runs/run-once.ts';
import { isSlotOf } from '../../main/core/scheduling/slot-of.ts';
import { readLedger, tempHome, writeSkill } from '../helpers/home.ts';

describe('a handed-over slot is a slot of the skill\'s schedule', () => {
  it('knows the slots of a cron schedule, in its time zone', () => {
    const m = { schedule: '30 9 * * *', timezone: 'Europe/Berlin' };
    assert.equal(isSlotOf(m, Date.parse('2026-01-10T08:30:00Z')), true);
    assert.equal(isSlotOf(m, Date.parse('2026-01-10T09:30:00Z')), false);
    assert.equal(isSlotOf(m, Date.parse('2026-01-10T08:30:00.001Z')), false);
    assert.equal(isSlotOf(m, Number.NaN), false);
  });

  it('host.sock run-once refuses 1970-01-01 and +275760-09-13 for an hourly skill, names the schedule, and records nothing', async () => {
    const t = tempHome();
    writeSkill(t.home, 'hourly', { schedule: '0 * * * *', command: ['true'] });
    const app = await startHeadless({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), env: {}, layers: false });
    try {
      for (const slot of ['1970-01-01T00:00:30Z', '+275760-09-13T00:00:00Z', '2026-01-10T09:17:00Z']) {
        const r = (await callHost(t.home, { id: 1, op: 'run-once', skill: 'hourly', slot })) as {
          ok: boolean; error?: { code: string; message: string };
        };
        assert.equal(r.ok, false, slot);
        assert.equal(r.error?.code, 'CK_BAD_REQUEST');
        assert.match(r.error?.message ?? '', /is not a slot of hourly's schedule "0 \* \* \* \*"/);
      }
      const ok = (await callHost(t.home, { id: 2, op: 'run-once', skill: 'hourly', slot: '2026-01-10T09:00:00Z' })) as { ok: boolean };
      assert.equal(ok.ok, true);
      assert.deepEqual([...new Set(readLedger(t.home, 'hourly').map((e) => e.slot))], ['2026-01-10T09:00:00.000Z']);
    } finally {
      await app.stop();
      t.cleanup();
    }
  });
});

describe('run-once runs only a home its caller owns', () => {
  it('accepts a home of its own, and a non-root caller on a root-owned volume', () => {
    const t = tempHome();
    const paths = homePaths(t.home);
    assert.equal(foreignHome(paths, process.getuid!()), null);
    if (process.getuid!() === 0) assert.equal(foreignHome(paths, 1000), null, 'root owns a mounted volume\'s root: uid 1000 may use it');
    t.cleanup();
  });

  it('refuses a home that belongs to another user before reading its skills, with exit code 77', {
    skip: process.getuid?.() !== 0 ? 'needs root to give the home to another user' : false,
  }, async () => {
    const t = tempHome();
    writeSkill(t.home, 'planted', { schedule: '0 * * * *', command: ['sh', '-c', 'echo ran > planted.txt'] });
    chownSync(t.home, 4242, 4242);
    const lines: string[] = [];
    const r = await runOnce({
      home: t.home, bundledSkillsDir: null, skill: 'planted', slot: '2026-01-10T09:00:00Z', trigger: 'schedule',
      logger: createMemoryLogger(), out: (l) => lines.push(l),
    });
    assert.equal(r.exitCode, RUN_ONCE_EXIT.notOwned);
    assert.match(r.message, /belongs to another user \(uid 4242, you are uid 0\)/);
    assert.deepEqual(readLedger(t.home, 'planted'), [], 'nothing ran, nothing was written');
    t.cleanup();
  });
});
