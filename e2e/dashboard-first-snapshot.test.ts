import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.ts';
import { tempHome, writeSkill } from '../test/helpers/home.ts';
import { http, startHostProcess, type HostProcess } from '../test/helpers/host-process.ts';

/**
 * Issue #21, item 6: the first snapshot is asked for by renderer/first-snapshot.js while the
 * dashboard's modules load, not by app.js once they have. Chromium's DevTools protocol names the
 * script that started each request, so this checks who asked, what was sent, and that the page
 * used that answer (and never asked twice for it), a 401 included.
 */
interface SnapshotRequest {
  id: string;
  by: string;
  headers: Record<string, string>;
  status?: number;
}

const header = (r: SnapshotRequest | undefined, name: string) => Object.entries(r?.headers ?? {}).find(
  ([k]) => k.toLowerCase() === name.toLowerCase(),
)?.[1];

/** Every GET /api/snapshot the page sends, with the script that started it (the top of its stack). */
async function watchSnapshots(page: Page, context: BrowserContext): Promise<SnapshotRequest[]> {
  const seen: SnapshotRequest[] = [];
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!e.request.url.endsWith('/api/snapshot')) return;
    const frames = e.initiator.stack?.callFrames ?? [];
    seen.push({
      id: e.requestId,
      by: frames.map((f) => f.url.replace(/^.*\//, '')).find((u) => u) ?? e.initiator.url ?? e.initiator.type,
      headers: e.request.headers,
    });
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = seen.find((s) => s.id === e.requestId);
    if (r) r.status = e.response.status;
  });
  return seen;
}

async function loginUrl(h: HostProcess): Promise<string> {
  const r = await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: { authorization: `Bearer ${h.token()}` } });
  return `http://127.0.0.1:${h.gatewayPort}/login#code=${(r.json() as { code: string }).code}`;
}

describe('the dashboard asks for its first snapshot before its modules have loaded (Chromium, a real host)', () => {
  let h: HostProcess;
  let cleanup = () => {};
  const browsers: (() => Promise<void>)[] = [];

  before(async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    writeSkill(t.home, 'tick', { schedule: '0 0 1 1 *', description: 'Only runs when asked' }, 'ok.mjs');
    h = await startHostProcess(t.home);
  });
  after(async () => {
    for (const close of browsers) await close();
    await h.stop();
    cleanup();
  });

  async function newPage() {
    const b = await launchChromium();
    browsers.push(b.close);
    const page = await b.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    return { page, context: b.context, errors };
  }

  it('the first snapshot request comes from first-snapshot.js, with the session header and no cookie; it is asked once, and the poll asks for every later one naming the snapshot it has', async () => {
    const { page, context, errors } = await newPage();
    const seen = await watchSnapshots(page, context);
    await page.goto(await loginUrl(h));
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
    // The poll's next request is half a second away: read what was sent before it could go.
    await page.locator('tr[data-skill="tick"]').waitFor({ timeout: 10_000 });
    const session = await page.evaluate(() => sessionStorage.getItem('clawkeeper.session'));
    assert.ok(session, 'logged in');
    assert.ok(seen.length >= 1);
    assert.equal(seen[0]!.by, 'first-snapshot.js');
    assert.equal(header(seen[0], 'X-ClawKeeper-Session'), session);
    assert.equal(header(seen[0], 'cookie'), undefined);
    // Only one early request per page, and every later one is the poll's.
    assert.equal(seen.filter((s) => s.by === 'first-snapshot.js').length, 1);
    await page.waitForTimeout(2500);
    assert.ok(seen.length >= 3, 'the poll went on');
    for (const s of seen.slice(1)) assert.notEqual(s.by, 'first-snapshot.js');
    // Polls name the snapshot they have: twice a second against one a second, some get 304.
    assert.equal(header(seen[0], 'If-None-Match'), undefined);
    assert.ok(seen.slice(1).every((s) => header(s, 'If-None-Match')?.startsWith('"')), JSON.stringify(seen));
    assert.ok(seen.some((s) => s.status === 304), JSON.stringify(seen.map((s) => s.status)));
    assert.equal(await page.locator('tr[data-skill="tick"]').count(), 1, 'a 304 keeps the table as it was');
    // No CSP report (a classic script file, not an inline one) and no other error.
    assert.deepEqual(errors, []);
  });

  it('without a session it asks nothing early, and the page goes to the login page', async () => {
    const { page, context } = await newPage();
    const seen = await watchSnapshots(page, context);
    // 'commit': the page leaves for /login on its own, perhaps before its load event.
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/`, { waitUntil: 'commit' });
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/login`, { timeout: 10_000 });
    assert.equal(seen.filter((s) => s.by === 'first-snapshot.js').length, 0);
  });

  it('an early request refused with 401 (a session no longer valid) forgets the session and shows the login page', async () => {
    const { page, context } = await newPage();
    const seen = await watchSnapshots(page, context);
    // A page of ours first, to own the origin's sessionStorage, then a bad session in it.
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/login`);
    await page.evaluate(() => sessionStorage.setItem('clawkeeper.session', 'not-a-session'));
    // 'commit': the page leaves for /login on its own, perhaps before its load event.
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/`, { waitUntil: 'commit' });
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/login`, { timeout: 10_000 });
    assert.equal(seen.filter((s) => s.by === 'first-snapshot.js').length, 1);
    assert.equal(header(seen.find((s) => s.by === 'first-snapshot.js'), 'X-ClawKeeper-Session'), 'not-a-session');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('clawkeeper.session')), null);
  });
});
