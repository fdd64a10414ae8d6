import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { http, startHostProcess } from '../helpers/host-process.ts';

/**
 * Found by a newcomer following the README: Ctrl-C in the host's terminal recorded a running run
 * `interrupted` (SIGKILL 5 s later) although the README says it lets in-flight runs finish. The
 * terminal signals the whole foreground process group (the JS run, the run launcher, the layers,
 * and a wrapper such as npx that forwards it once more), not just the host.
 */
describe('Ctrl-C in the host terminal', () => {
  const t = tempHome();
  after(() => t.cleanup());

  it('SIGINT to the whole process group, delivered twice within milliseconds, lets a running run finish as success', async () => {
    writeSkill(t.home, 'slow', { schedule: '0 0 1 1 *', timeoutSeconds: 30 }, 'slow.mjs');
    const h = await startHostProcess(t.home, {}, { detached: true });
    try {
      const r = await http(h.gatewayPort, 'POST', '/api/skills/slow/run', {
        body: '{}', headers: { authorization: `Bearer ${h.token()}`, 'content-type': 'application/json' },
      });
      assert.equal(r.status, 202, r.body);
      const ledger = join(t.home, 'runs', 'slow.jsonl');
      await waitFor('the run started', () => readFileSync(ledger, 'utf8').includes('"type":"start"'), 10_000);
      await new Promise((res) => setTimeout(res, 300));
      process.kill(-h.proc.pid!, 'SIGINT');
      process.kill(-h.proc.pid!, 'SIGINT');
      await waitFor('the host exited', () => h.proc.exitCode !== null || h.proc.signalCode !== null, 30_000, 50);
      const end = readFileSync(ledger, 'utf8').trim().split('\n').map(
        (l) => JSON.parse(l) as { type: string; outcome?: string; error?: string },
      ).find((e) => e.type === 'end');
      assert.equal(end?.outcome, 'success', JSON.stringify(end));
      assert.equal(h.proc.exitCode, 0, h.output());
      assert.doesNotMatch(
        h.output(), /standby ended \(SIGINT\)|run launcher died/,
        'no other process of the group took the Ctrl-C as its own',
      );
    } finally {
      await h.stop('SIGKILL');
    }
  });
});
