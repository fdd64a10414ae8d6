import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { launchChromium } from '../test/helpers/browser.ts';
import { tempHome, waitFor, writeSkill } from '../test/helpers/home.ts';
import { http, startHostProcess } from '../test/helpers/host-process.ts';
import { freePort } from '../test/helpers/net.ts';
import { startRecorder } from '../test/helpers/recorder.ts';
import { writeConfig, writeSecret } from '../test/core/alerts/fixtures.ts';

describe('the dashboard shows each alert channel\'s last delivery and error (real host, Chromium)', () => {
  it('a delivered channel shows when, a broken one shows its error in red, and no secret reaches the page', async () => {
    const rec = await startRecorder();
    const t = tempHome();
    const closed = await freePort();
    writeSecret(t.home, 'secrets/slack', `${rec.url}/services/T0/B0/very-secret-slack-token`);
    writeConfig(t.home, {
      alerts: {
        channels: {
          hook: { type: 'webhook', url: `${rec.url}/hook` }, team: { type: 'slack', urlFile: 'secrets/slack' },
          phone: { type: 'ntfy', url: `http://127.0.0.1:${closed}/topic` },
        },
      },
    });
    writeSkill(t.home, 'backup', { schedule: '0 0 1 1 *' }, 'throws.mjs');
    const h = await startHostProcess(t.home, { CLAWKEEPER_NETWORK_PROBE: `${rec.url}/probe` });
    const b = await launchChromium();
    try {
      const page = await b.context.newPage();
      await page.goto(h.loginUrl);
      await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
      const run = await http(h.gatewayPort, 'POST', '/api/skills/backup/run', { headers: { authorization: `Bearer ${h.token()}` } });
      assert.equal(run.status, 202);
      await waitFor('the webhook got the failure', () => rec.requests.some((r) => r.path === '/hook'));
      await page.waitForSelector('[data-target="phone"][data-failing="true"]', { timeout: 20_000 });
      const hook = await page.locator('[data-target="hook"]').innerText();
      assert.match(hook, /hook\s+webhook\s+\d+s ago/);
      assert.equal(await page.locator('[data-target="hook"]').getAttribute('data-failing'), 'false');
      assert.match(await page.locator('[data-target="phone"]').innerText(), /cannot connect \(ECONNREFUSED\)/);
      assert.ok(!(await page.content()).includes('very-secret-slack-token'));
      const api = await http(h.gatewayPort, 'GET', '/api/snapshot', { headers: { authorization: `Bearer ${h.token()}` } });
      assert.ok(!api.body.includes('very-secret-slack-token'), 'nor the API');
      await waitFor('the Slack hook used', () => rec.requests.some((r) => r.path === '/services/T0/B0/very-secret-slack-token'));
      assert.ok(!h.output().includes('very-secret-slack-token'), 'nor the host\'s log');
      assert.ok(!readFileSync(join(t.home, 'alerts', 'outbox.json'), 'utf8').includes('very-secret-slack-token'), 'nor the outbox');
      assert.ok(!readFileSync(join(t.home, 'runs', 'backup.jsonl'), 'utf8').includes('very-secret-slack-token'), 'nor the ledger');
    } finally {
      await b.close();
      await h.stop();
      await rec.close();
      t.cleanup();
    }
  });
});
