import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempHomePerTest, writeSkill } from '../helpers/home.ts';

/**
 * Found by a newcomer: with alert channels configured, the host watches `network` for them (alerts
 * wait while it is down), and the dashboard said "Network partition", while the file-only `status`
 * listed no dependency at all. One list of watched dependencies (dependencies/needed-by.ts) now
 * feeds both.
 */
describe('status and the host watch the same dependencies', () => {
  const newHome = tempHomePerTest();

  it('with alert channels and no skill needing the network, status reports the network the host probed, and why it is watched', async () => {
    const { home } = newHome();
    writeSkill(home, 'local', { schedule: '0 3 * * *' }, 'ok.mjs');
    writeFileSync(
      join(home, 'config.json'),
      JSON.stringify({ alerts: { channels: { hook: { type: 'webhook', url: 'http://127.0.0.1:9/alerts' } } } }),
    );
    mkdirSync(join(home, 'health'), { recursive: true });
    writeFileSync(
      join(home, 'health', 'dependencies.jsonl'),
      JSON.stringify({
        dependency: 'network', status: 'down', at: new Date().toISOString(), reason: 'connect ECONNREFUSED 127.0.0.1:9',
      }) + '\n',
    );
    const json = await runCli(home, ['status', '--json']);
    const r = JSON.parse(json.out) as {
      dependencies: Record<string, { status: string; neededBy: string[] }>; scenario: { id: string } | null;
    };
    assert.equal(r.dependencies.network?.status, 'down', json.out);
    assert.deepEqual(r.dependencies.network?.neededBy, []);
    const text = await runCli(home, ['status']);
    assert.match(text.out, /network\s+down\s.*alerts and pings/);
  });

  it('without alerts, pings or a skill that needs it, the network is not watched and status lists no dependency', async () => {
    const { home } = newHome();
    writeSkill(home, 'local', { schedule: '0 3 * * *' }, 'ok.mjs');
    const json = await runCli(home, ['status', '--json']);
    assert.deepEqual((JSON.parse(json.out) as { dependencies: object }).dependencies, {});
  });
});
