import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.ts';
import { killAndHoldPort } from '../test/helpers/hijack.ts';
import { ROOT, writeSkill } from '../test/helpers/home.ts';
import { hostForSuite, snapshotOf } from '../test/helpers/host-process.ts';

const ARTIFACTS = join(ROOT, 'test-results');

describe('the dashboard in Chromium against a real headless host', () => {
  let page: Page;
  let closeBrowser = async () => {};
  const errors: string[] = [];

  // Added before the host's hooks: the browser closes before the host stops.
  after(() => closeBrowser());
  const h = hostForSuite((home) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeSkill(home, 'tick', { schedule: '* * * * * *', description: 'Runs every second' }, 'ok.mjs');
    writeSkill(home, 'on-demand', { schedule: '0 0 1 1 *', description: 'Only runs when asked' }, 'ok.mjs');
    // (An invalid skill would make this degraded, rightly: e2e/honest-states.test.ts shows that.)
    // Without warm standbys: a standby takes a killed layer's port in ~20 ms, and these tests hold
    // the port to keep the layer down (killAndHoldPort), a race the standby sometimes won.
  }, { CLAWKEEPER_STANDBY: '0' });
  before(async () => {
    const b = await launchChromium();
    closeBrowser = b.close;
    page = await b.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });

  const tile = (layer: string) => page.locator(`[data-layer="${layer}"]`);
  const runs = async (skill: string) => Number(await page.locator(`tr[data-skill="${skill}"]`).getAttribute('data-runs'));

  it('loads through the one-time login code, shows all green, and the code is gone from the address bar', async () => {
    await page.goto(h.loginUrl);
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
    await page.locator('main[data-mode="operational"]').waitFor({ timeout: 10_000 });
    for (const l of ['runtime', 'gateway', 'session']) assert.equal(await tile(l).getAttribute('data-color'), 'green');
    assert.equal(await page.locator('[role="alert"]').count(), 0);
    assert.doesNotMatch(page.url(), /code=/);
    await page.waitForFunction(
      () => Number(document.querySelector('tr[data-skill="tick"]')?.getAttribute('data-runs')) >= 2, undefined,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-operational.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it('killing the gateway turns its tile red with the degraded banner within 2 s, while the run count keeps rising; the banner clears when it is back', async () => {
    const pid = (await snapshotOf(h)).host.layerPids.gateway;
    const before = await runs('tick');
    const t0 = Date.now();
    const held = await killAndHoldPort(pid, h.gatewayPort);
    try {
      await page.locator('[data-layer="gateway"][data-color="red"]').waitFor({ timeout: 2000 });
      await page.locator('[role="alert"][data-scenario="gateway-down"]').waitFor({
        timeout: 2000 - (Date.now() - t0) > 0 ? 2000 - (Date.now() - t0) : 1,
      });
      assert.ok(Date.now() - t0 <= 2500, `shown after ${Date.now() - t0} ms`);
      assert.match(await page.locator('[role="alert"]').innerText(), /Gateway down: skills are still running/);
      await page.waitForFunction(
        (n) => Number(document.querySelector('tr[data-skill="tick"]')?.getAttribute('data-runs')) >= n + 2, before,
        { timeout: 10_000 },
      );
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-degraded.png'), fullPage: true });
    } finally {
      await held.release();
    }
    await page.locator('main[data-mode="operational"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[role="alert"]').count(), 0);
  });

  it('killing the session process shows its own banner', async () => {
    const pid = (await snapshotOf(h)).host.layerPids.session;
    const held = await killAndHoldPort(pid, h.sessionPort);
    try {
      await page.locator('[role="alert"][data-scenario="websocket-disconnect"]').waitFor({ timeout: 10_000 });
      assert.notEqual(await tile('session').getAttribute('data-color'), 'green');
      assert.equal(await tile('gateway').getAttribute('data-color'), 'green');
    } finally {
      await held.release();
    }
    await page.locator('main[data-mode="operational"]').waitFor({ timeout: 15_000 });
  });

  it('a run started from the dashboard appears in the table', async () => {
    const row = page.locator('tr[data-skill="on-demand"]');
    assert.equal(await row.getAttribute('data-runs'), '0');
    await row.getByRole('button', { name: 'Run now' }).click();
    await page.locator('tr[data-skill="on-demand"][data-runs="1"]').waitFor({ timeout: 10_000 });
    assert.match(await row.innerText(), /success/);
    assert.deepEqual(errors, []);
  });
});
