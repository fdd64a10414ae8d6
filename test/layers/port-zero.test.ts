import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempHome, waitFor } from '../helpers/home.ts';

describe('layers on port 0 (any free port)', () => {
  // Regression: a layer told port 0 checked the Host header against port 0, so the supervisor's
  // own probes (Host: 127.0.0.1:<real port>) got 421 and both layers were replaced as "hung".
  it('answer the supervisor on the port they got: no hung verdict, every layer ok', async () => {
    const t = tempHome();
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
      env: { ...process.env, CLAWKEEPER_HOME: t.home, CLAWKEEPER_GATEWAY_PORT: '0', CLAWKEEPER_SESSION_PORT: '0' },
      stdio: 'ignore',
    });
    try {
      const file = join(t.home, 'health', 'layers.jsonl');
      const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(
        (l) => JSON.parse(l) as { layer: string; status: string; reason: string },
      ) : []);
      await waitFor(
        'both layers ok',
        () => ['gateway', 'session'].every((n) => lines().some((l) => l.layer === n && l.status === 'ok')), 20_000,
      );
      // Ten failed probes at 250 ms make a hung verdict: watch well past that.
      await new Promise((r) => setTimeout(r, 4000));
      assert.deepEqual(lines().filter((l) => /hung/.test(l.reason)), []);
    } finally {
      p.kill('SIGKILL');
      t.cleanup();
    }
  });
});
