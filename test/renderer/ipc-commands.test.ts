import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeCommand } from '../../main/core/front/host-commands.ts';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { ipcSource } from '../../renderer/data-sources.js';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';

describe('the desktop window commands (renderer/data-sources.js ipcSource)', () => {
  it('run of an invalid skill rejects with the host\'s reason, for the window to show; a valid one runs', async () => {
    const t = tempHome();
    writeSkill(t.home, 'broken', { schedule: 'nope' }, 'ok.mjs');
    writeSkill(t.home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs');
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), useTrigger: false });
    await host.start();
    try {
      // The bridge as main/electron/main.ts wires it: the host's executeCommand behind IPC.
      const source = ipcSource({ command: (op: string, skill: string) => executeCommand(host, null, { id: 0, op: op as 'run', skill }) });
      await assert.rejects(source.run('broken'), /skill "broken" is invalid and cannot run: schedule/);
      await assert.rejects(source.run('nope'), /no skill named "nope"/);
      const ok = (await source.run('poster')) as { run_id: string };
      await waitFor('the run', () => readLedger(t.home, 'poster').some((e) => e.type === 'end' && e.run_id === ok.run_id));
      assert.deepEqual(await source.pause('poster'), { paused: true });
    } finally {
      await host.stop(true);
      t.cleanup();
    }
  });
});
