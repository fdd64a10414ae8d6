// Issue #17 in a real browser against a real host: invalid skills, a tripped skill's page, and a
// full disk. Each screenshot is one a person must be able to read the truth from.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.ts';
import { ROOT, tempHome, waitFor, writeSkill } from '../test/helpers/home.ts';
import { http, startHostProcess, type HostProcess } from '../test/helpers/host-process.ts';
import { fillUp, unmount } from '../test/helpers/tmpfs.ts';

const ARTIFACTS = join(ROOT, 'test-results');

/** A host on `home` and a logged-in page of its dashboard; `run` gets both, then all is stopped. */
async function withDashboard(home: string, run: (page: Page, h: HostProcess) => Promise<void>): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const h = await startHostProcess(home);
  const b = await launchChromium();
  try {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(h.loginUrl);
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
    await run(page, h);
  } finally {
    await b.close();
    await h.stop('SIGKILL');
  }
}

describe('the dashboard is honest in every state (#17)', () => {
  it('invalid skills: the banner is amber and names each with why; the reason shows in the table without hovering', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'fine', { schedule: '*/2 * * * * *', description: 'Runs fine' }, 'ok.mjs');
      writeSkill(t.home, 'broken', { schedule: 'every day', timeoutSeconds: -1, description: 'Five problems' }, 'ok.mjs');
      writeSkill(t.home, 'needy', { schedule: '0 7 * * *', needs: ['nas'], description: 'Needs an unknown dependency' }, 'ok.mjs');
      await withDashboard(t.home, async (page) => {
        const banner = page.locator('main[data-mode="degraded"] [role="alert"][data-scenario="skills-not-ok"]');
        await banner.waitFor({ timeout: 15_000 });
        const text = await banner.innerText();
        assert.match(text, /2 skills invalid: broken — .*timeoutSeconds/);
        assert.match(text, /needy — needs: unknown dependency "nas"/);
        const reason = page.locator('tr[data-skill="needy"] .state-reason');
        assert.ok(await reason.isVisible(), 'the reason is on the page, not in a tooltip');
        assert.match(await reason.innerText(), /unknown dependency "nas"/);
        await page.screenshot({ path: join(ARTIFACTS, 'dashboard-invalid.png'), fullPage: true });
      });
    } finally {
      t.cleanup();
    }
  });

  it('a tripped skill\'s page: tripped until a time with no raw ISO, next run after the cool-down, and every one of the next 10 slots marked skipped', async () => {
    const t = tempHome();
    try {
      writeSkill(
        t.home, 'flaky',
        { schedule: '* * * * * *', description: 'Fails every time', breaker: { failures: 2, coolDownSeconds: 600 }, retries: { max: 0 } },
        'throws.mjs',
      );
      await withDashboard(t.home, async (page, h) => {
        await waitFor('the breaker to trip', async () => {
          const s = (await http(h.gatewayPort, 'GET', '/api/skills/flaky', {
            headers: { authorization: `Bearer ${h.token()}` },
          })).json() as { state?: string; skill?: { state: string } };
          return (s.state ?? s.skill?.state) === 'tripped';
        }, 30_000, 250);
        // The dashboard's row: the next run after the cool-down, not "in 1s".
        const row = page.locator('tr[data-skill="flaky"]');
        await page.waitForFunction(
          () => /after cool-down/.test(document.querySelector<HTMLElement>('tr[data-skill="flaky"]')?.innerText ?? ''),
          undefined, { timeout: 10_000 },
        );
        assert.doesNotMatch(await row.innerText(), /in \d+s/);
        await page.goto(`http://127.0.0.1:${h.gatewayPort}/#/skill/flaky`);
        await page.locator('[data-skill-page="flaky"]').waitFor();
        await page.waitForFunction(
          () => document.querySelectorAll('[data-slot-skip="breaker-open"]').length === 10, undefined,
          { timeout: 15_000 },
        );
        const header = await page.locator('header.top').innerText();
        assert.match(header, /tripped until \d\d:\d\d/);
        const next = await page.locator('[data-next-run]').innerText();
        assert.match(next, /^Next run: \d\d:\d\d — after cool-down$/);
        assert.doesNotMatch(await page.locator('main').innerText(), /\d{4}-\d\d-\d\dT\d\d:\d\d/, 'no raw ISO time a person must read');
        await page.screenshot({ path: join(ARTIFACTS, 'skill-page-tripped.png'), fullPage: true });
      });
    } finally {
      t.cleanup();
    }
  });

  it('a full disk: the banner says Disk full with the free space, the layers stay ok (the host is alive)', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount a small tmpfs (CI runs as root)');
    const home = mkdtempSync(join(tmpdir(), 'ck-e2e-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', home], { stdio: 'pipe' });
    try {
      writeSkill(home, 'chatty', { schedule: '*/2 * * * * *', description: 'Prints 50 KB a second' }, 'slow-flood.mjs');
      writeSkill(home, 'tick', { schedule: '* * * * * *', description: 'Every second' }, 'ok.mjs');
      await withDashboard(home, async (page) => {
        await page.locator('[role="alert"][data-scenario="storage"]').waitFor({ timeout: 90_000 });
        fillUp(join(home, 'filler'));
        await page.locator('main[data-mode="down"] [role="alert"][data-scenario="storage"]').waitFor({ timeout: 30_000 });
        const text = await page.locator('[role="alert"]').innerText();
        assert.match(
          text,
          /^Disk full: disk full: .*\/runs — \d+ (bytes|KiB) free on the file system of .*; runs cannot be recorded, so none start/,
        );
        assert.doesNotMatch(text, /not responding|not running/);
        assert.equal(await page.locator('[data-layer="gateway"]').getAttribute('data-status'), 'ok');
        assert.equal(await page.locator('[data-layer="session"]').getAttribute('data-status'), 'ok');
        await page.waitForFunction(
          () => document.querySelector<HTMLElement>('tr[data-skill="tick"]')?.innerText.includes('when the disk has space again'),
          undefined, { timeout: 10_000 },
        );
        await page.screenshot({ path: join(ARTIFACTS, 'dashboard-disk-full.png'), fullPage: true });
      });
    } finally {
      unmount(home);
    }
  });
});
