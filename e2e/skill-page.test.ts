// The skill page, the skills toolbar and the dashboard's fit and accessibility, in Debian's
// Chromium against a real headless host. axe-core runs in the page (light and dark).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from '../test/helpers/axe.ts';
import { launchChromium } from '../test/helpers/browser.ts';
import { ROOT, writeSkill } from '../test/helpers/home.ts';
import { killAndHoldPort } from '../test/helpers/hijack.ts';
import { hostForSuite, snapshotOf } from '../test/helpers/host-process.ts';

const ARTIFACTS = join(ROOT, 'test-results');


describe('the skill page and the skills table in Chromium', { timeout: 120_000 }, () => {
  let page: Page;
  let closeBrowser = async () => {};
  const errors: string[] = [];

  // Added before the host's hooks: the browser closes before the host stops.
  after(() => closeBrowser());
  const h = hostForSuite((home) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeSkill(home, 'tick', { schedule: '* * * * * *', description: 'Runs every second' }, 'ok.mjs');
    // Runs 4 s every 2 s: it prints while it runs, and its overlapping slots are skipped.
    writeSkill(
      home, 'chatty',
      { schedule: '*/2 * * * * *', description: 'Prints a line every 100 ms', env: { CHATTY_LINES: '80' } },
      'chatty.mjs',
    );
    // Its breaker off: on a loaded machine five failures trip it before the page looks, and a
    // tripped skill reads `tripped`, not the `failing` this test waits for (issue #23).
    writeSkill(home, 'flaky', { schedule: '* * * * * *', description: 'Always throws', breaker: false }, 'throws.mjs');
    writeSkill(home, 'broken', { schedule: 'every day', timeoutSeconds: -1 }, 'ok.mjs');
    // Without warm standbys: a test holds the gateway's port to keep it down (killAndHoldPort),
    // a race a standby (which takes the port in ~20 ms) sometimes won.
  }, { CLAWKEEPER_STANDBY: '0' });
  before(async () => {
    const b = await launchChromium();
    closeBrowser = b.close;
    page = await b.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(h.loginUrl);
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
    await page.locator('tr[data-skill="tick"]').waitFor({ timeout: 10_000 });
  });

  it('fits a 1200-px window: every Pause button is inside it; failing skills come first', async () => {
    await page.waitForFunction(
      () => document.querySelector('tr[data-skill="flaky"]')?.getAttribute('data-state') === 'failing', undefined,
      { timeout: 15_000 },
    );
    // Inside its cell (a cell clips what overflows it) and inside the window.
    for (const b of await page.locator('tr[data-skill] button:has-text("Pause")').all()) {
      const box = await b.boundingBox();
      const cell = await b.locator('xpath=ancestor::td').boundingBox();
      assert.ok(
        box && cell && box.x + box.width <= cell.x + cell.width && box.x + box.width <= 1200,
        `a Pause button ends at ${box ? box.x + box.width : '?'} px, its cell at ${cell ? cell.x + cell.width : '?'}`,
      );
    }
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 1200, 'no horizontal scrolling');
    const order = await page.locator('tr[data-skill]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
    assert.equal(order[0], 'failing');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1200.png'), fullPage: true });
  });

  it('filters the skills table by text', async () => {
    const all = await page.locator('tr[data-skill]').count();
    await page.getByLabel('Filter').fill('broken');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-skill]').length === 1);
    assert.equal(await page.locator('tr[data-skill]').getAttribute('data-skill'), 'broken');
    await page.getByLabel('Filter').fill('');
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-skill]').length === n, all);
  });

  it('shows keyboard focus', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return el && el !== document.body ? getComputedStyle(el).outlineStyle : 'no focus';
    });
    assert.notEqual(outline, 'none');
    assert.notEqual(outline, 'no focus');
  });

  it('has no serious or critical axe-core violations on the dashboard, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      assert.deepEqual(await axeViolations(page), [], colorScheme);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('a skill page: run history, duration chart, a log that grows while the skill prints, next slots, skips, the manifest', async () => {
    await page.locator('tr[data-skill="chatty"] a').click();
    await page.locator('[data-skill-page="chatty"]').waitFor();
    // The running run's log is tailed live: it grows while the skill prints (80 lines over 8 s,
    // so a page that opens late in a run still sees it grow under a loaded machine).
    const log = page.locator('pre[data-log-run]');
    await log.waitFor({ timeout: 15_000 });
    const lines = async () => ((await log.textContent()) ?? '').split('\n').filter((l) => l.startsWith('chatty line')).length;
    await page.waitForFunction(
      () => (document.querySelector('pre[data-log-run]')?.textContent ?? '').includes('chatty line 3 '), undefined,
      { timeout: 10_000 },
    );
    const first = await lines();
    await page.waitForFunction(
      (n) => (document.querySelector('pre[data-log-run]')?.textContent ?? '').split('\n').filter(
        (l) => l.startsWith('chatty line'),
      ).length > n + 5,
      first, { timeout: 10_000 },
    );
    await page.waitForFunction(
      () => document.querySelectorAll('tr[data-run][data-outcome="success"]').length >= 1, undefined,
      { timeout: 25_000 },
    );
    assert.ok(await page.locator('[data-chart="durations"] canvas').count() >= 1);
    assert.equal(await page.locator('ol.slots li time').count(), 10);
    await page.waitForFunction(() => document.querySelector('tr[data-skip="skipped-overlap"]'), undefined, { timeout: 15_000 });
    assert.match((await page.locator('pre[data-manifest]').textContent()) ?? '', /"schedule": "\*\/2 \* \* \* \* \*"/);
    await page.screenshot({ path: join(ARTIFACTS, 'skill-page.png'), fullPage: true });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      assert.deepEqual(await axeViolations(page), [], colorScheme);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('an invalid skill\'s page lists every problem and its manifest', async () => {
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/#/skill/broken`);
    const problems = page.locator('section.problems li');
    await problems.first().waitFor();
    const text = (await problems.allTextContents()).join('\n');
    assert.match(text, /schedule/);
    assert.match(text, /timeoutSeconds/);
    assert.match((await page.locator('pre[data-manifest]').textContent()) ?? '', /every day/);
    assert.equal(await page.locator('ol.slots li time').count(), 0);
  });

  it('greys the gateway\'s figures with "as of HH:MM:SS" while the gateway is killed, and clears it when it is back', async () => {
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/#/`);
    await page.locator('main[data-mode]:not([data-stale])').waitFor();
    const held = await killAndHoldPort((await snapshotOf(h)).host.layerPids.gateway, h.gatewayPort);
    try {
      const note = page.locator('.stale-note');
      await note.waitFor({ timeout: 5000 });
      assert.match(await note.innerText(), /figures in grey are as of \d\d:\d\d:\d\d/);
      assert.equal(await page.locator('main').getAttribute('data-stale'), 'true');
      const asOf = Date.parse((await note.getAttribute('data-stale-as-of'))!);
      assert.ok(Date.now() - asOf < 60_000 && asOf <= Date.now());
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-stale.png'), fullPage: true });
    } finally {
      await held.release();
    }
    await page.locator('main[data-mode]:not([data-stale])').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.stale-note').count(), 0);
  });

  it('a 420-px window: no horizontal scrolling, names and actions still there', async () => {
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/#/`);
    await page.setViewportSize({ width: 420, height: 900 });
    await page.locator('tr[data-skill="tick"]').waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 420);
    for (const label of ['Run now', 'Pause']) {
      const b = await page.locator(`tr[data-skill="tick"] button:has-text("${label}")`).boundingBox();
      assert.ok(b && b.width > 20 && b.x + b.width <= 420, `${label} is visible`);
    }
    assert.ok(await page.locator('tr[data-skill="tick"] td:nth-child(7) .badge').isVisible(), 'the state badge is visible');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-narrow.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
