// `clawkeeper start` with the gateway's port held by another program: the user is told why
// there is no dashboard (never silence), and the dashboard comes up by itself once the port is free.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempHome, waitFor } from '../helpers/home.ts';
import { freePort } from '../helpers/net.ts';

describe('clawkeeper start with the gateway port taken', () => {
  it('prints why there is no Dashboard line, then the Dashboard line once the port is free', async () => {
    const t = tempHome();
    const port = await freePort();
    const blocker = createServer(() => undefined);
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
      env: {
        ...process.env, CLAWKEEPER_HOME: t.home, CLAWKEEPER_GATEWAY_PORT: String(port),
        CLAWKEEPER_SESSION_PORT: String(await freePort()), NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const line = await waitFor(
        'the reason there is no dashboard', () => /^Dashboard: not available — .*$/m.exec(out)?.[0], 20_000, 50,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${out}`);
      });
      assert.match(
        line,
        new RegExp(`port ${port} is in use by another program; stop it or set CLAWKEEPER_GATEWAY_PORT; retrying by itself`),
      );
      // Said once per reason, not once per retry.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(out.match(/Dashboard: not available/g)?.length, 1, out);
      await new Promise<void>((r) => blocker.close(() => r()));
      await waitFor(
        'the dashboard line once the port is free',
        () => new RegExp(`Dashboard: http://127\\.0\\.0\\.1:${port}/login#code=\\S+`).test(out), 30_000, 100,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${out}`);
      });
    } finally {
      blocker.close();
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const k = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(k);
      t.cleanup();
    }
  });
});
