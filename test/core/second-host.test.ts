import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempHome, waitFor } from '../helpers/home.ts';

describe('a second host on a home already held', () => {
  // Regression: the run launcher and the token keeper started before the lock was checked and
  // were never stopped, so the refused second `start` hung instead of exiting.
  it('says which host holds it and exits, leaving the first one running', async () => {
    const t = tempHome();
    const env = { ...process.env, CLAWKEEPER_HOME: t.home, CLAWKEEPER_GATEWAY_PORT: '0', CLAWKEEPER_SESSION_PORT: '0' };
    const first = spawn(process.execPath, [
      join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless',
    ], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out1 = '';
    first.stdout.on('data', (c: Buffer) => (out1 += c.toString()));
    try {
      await waitFor('the first host', () => out1.includes('Dashboard:'), 30_000);
      const second = spawn(process.execPath, [
        join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless',
      ], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      second.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await Promise.race([
        new Promise<number | null>((r) => second.once('exit', (c) => r(c))),
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000)),
      ]);
      if (code === 'hung') second.kill('SIGKILL');
      assert.notEqual(code, 'hung', 'the second start exits by itself');
      assert.notEqual(code, 0);
      assert.match(err, new RegExp(`another ClawKeeper host \\(pid ${first.pid}\\) is already running`));
      assert.equal(first.exitCode, null, 'the first host keeps running');
    } finally {
      first.kill('SIGKILL');
      t.cleanup();
    }
  });
});
