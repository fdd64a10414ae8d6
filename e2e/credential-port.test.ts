import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.ts';
import { waitFor, writeSkill } from '../test/helpers/home.ts';
import { hostForSuite, http } from '../test/helpers/host-process.ts';
import { freePort } from '../test/helpers/net.ts';

/**
 * Issue #18, item 1: cookies are not scoped by port, so the session cookie we used to set went to
 * every program on 127.0.0.1 the browser visited. Here a second loopback server on another port
 * records every request the browser makes to it (its page, its favicon, an image, a fetch), after
 * a real login in Chromium; none may carry any credential of ours.
 */
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

function otherServer(port: number, seen: Seen[]): Promise<Server> {
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/') {
      res.writeHead(200, {
        'content-type': 'text/html',
        // Item 3's attack: a cookie planted for 127.0.0.1 (every port), named as ours used to be.
        'set-cookie': ['ck_session=planted; Path=/api', 'ck_session=planted-root; Path=/'],
      });
      res.end(
        '<!doctype html><title>another local program</title><img src="/pixel.png"><script>fetch("/beacon", { credentials: "include" })</script>',
      );
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('the dashboard credential reaches our port only (Chromium, two loopback servers)', () => {
  let context: BrowserContext;
  let page: Page;
  let other: Server;
  let otherPort = 0;
  const seen: Seen[] = [];
  let closeBrowser = async () => {};

  // Added before the host's hooks: the browser and the other server close before the host stops.
  after(async () => {
    await closeBrowser();
    await new Promise((r) => other.close(r));
  });
  const h = hostForSuite((home) => writeSkill(home, 'tick', { schedule: '* * * * * *', description: 'Runs every second' }, 'ok.mjs'));
  before(async () => {
    otherPort = await freePort();
    other = await otherServer(otherPort, seen);
    const b = await launchChromium();
    closeBrowser = b.close;
    context = b.context;
    page = await context.newPage();
  });

  it('after a login, a page on another loopback port receives no cookie, token or session of ours in any header', async () => {
    await page.goto(h.loginUrl);
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
    await page.locator('tr[data-skill="tick"]').waitFor({ timeout: 15_000 });
    const session = await page.evaluate(() => sessionStorage.getItem('clawkeeper.session'));
    assert.ok(session && session.length > 40, 'the page keeps its session in sessionStorage');
    assert.deepEqual((await context.cookies()).filter((c) => c.value !== ''), [], 'the browser holds no cookie at all');

    for (const host of ['127.0.0.1', 'localhost']) {
      await page.goto(`http://${host}:${otherPort}/`);
      await waitFor(
        `the other server saw the beacon via ${host}`,
        () => seen.some((s) => s.url === '/beacon' && s.headers.host === `${host}:${otherPort}`), 10_000,
      );
    }
    // The favicon request of the probe comes by itself, a little later.
    await waitFor('the favicon request', () => seen.some((s) => s.url === '/favicon.ico'), 10_000).catch(() => undefined);
    assert.ok(seen.length >= 4, `requests seen: ${seen.map((s) => s.url).join(' ')}`);
    const secrets = [session, h.token()];
    for (const s of seen) {
      assert.equal(s.headers.authorization, undefined, `${s.url}: no Authorization header`);
      assert.equal(s.headers['x-clawkeeper-session'], undefined, `${s.url}: no session header`);
      for (const [name, value] of Object.entries(s.headers)) {
        const text = String(value);
        for (const secret of secrets) assert.ok(!text.includes(secret), `${s.url}: header ${name} carries a credential of ours`);
        if (name === 'cookie') assert.doesNotMatch(text, /ck_session=(?!planted)/, `${s.url}: only the cookie this server planted itself`);
      }
    }
  });

  it('back on the dashboard, the planted cookie changes nothing: it loads without a new login, survives a reload, and the skill page loads its data', async () => {
    // The other server's cookies are now in the browser, sent to every port of 127.0.0.1.
    assert.ok((await context.cookies()).some((c) => c.name === 'ck_session' && c.value.startsWith('planted')));
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/`);
    await page.locator('tr[data-skill="tick"]').waitFor({ timeout: 15_000 });
    assert.equal(new URL(page.url()).pathname, '/', 'no detour to the login page');
    await page.reload();
    await page.locator('tr[data-skill="tick"]').waitFor({ timeout: 15_000 });
    assert.equal(new URL(page.url()).pathname, '/');
    await page.goto(`http://127.0.0.1:${h.gatewayPort}/#/skill/tick`);
    await page.locator('[data-skill-page="tick"] pre[data-manifest]').waitFor({ timeout: 15_000 });
    assert.match((await page.locator('pre[data-manifest]').textContent()) ?? '', /"schedule"/);
    // The page's live connection authenticated with its session (subprotocol, then first frame).
    await waitFor(
      'an authenticated WebSocket from the page',
      async () => ((await http(h.sessionPort, 'GET', '/health')).json() as { authenticated: number }).authenticated >= 1,
      10_000,
    );
  });

  it('a session taken from the page cannot mint a login code; the API token can', async () => {
    const session = await page.evaluate(() => sessionStorage.getItem('clawkeeper.session'));
    const bySession = await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: { 'x-clawkeeper-session': session! } });
    assert.equal(bySession.status, 403, bySession.body);
    assert.match(bySession.body, /API token/);
    assert.equal(
      (await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: { authorization: `Bearer ${h.token()}` } })).status,
      201,
    );
  });
});
