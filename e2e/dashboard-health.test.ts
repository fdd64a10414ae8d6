import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.ts';
import { ROOT, waitFor, writeSkill } from '../test/helpers/home.ts';
import { hostForSuite, http } from '../test/helpers/host-process.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';

const ARTIFACTS = join(ROOT, 'test-results');

function status(home: string): {
  code: number;
  json: { mode: string; scenario: { id: string; title: string } | null; layers: Record<string, { status: string; reason: string }> };
} {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'status', '--json'], {
    env: { ...process.env, CLAWKEEPER_HOME: home }, encoding: 'utf8',
  });
  return { code: r.status ?? -1, json: JSON.parse(r.stdout) as never };
}

describe('health in the dashboard, the API and the CLI against a real host: one failing skill, a partition, a frozen host', () => {
  let up: Upstream;
  let page: Page;
  let closeBrowser = async () => {};

  // Added before the host's hooks: the browser closes (and a frozen host wakes) before it stops.
  after(async () => {
    await closeBrowser();
    h.proc.kill('SIGCONT');
  });
  const h = hostForSuite(async (home) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    up = await startUpstream();
    writeFileSync(join(home, 'config.json'), JSON.stringify({ dependencies: { network: { everySeconds: 1, timeoutMs: 300 } } }));
    writeSkill(home, 'backup', { schedule: '* * * * * *', description: 'Copies the notes (fails: fixture)', breaker: false }, 'throws.mjs');
    writeSkill(home, 'daily-digest', { schedule: '*/2 * * * * *', description: 'Digest of the day' }, 'ok.mjs');
    writeSkill(home, 'heartbeat-check', { schedule: '*/2 * * * * *', description: 'Machine vitals' }, 'ok.mjs');
    writeSkill(
      home, 'poster',
      { schedule: '*/2 * * * * *', description: 'Posts to the feed (needs the network)', needs: ['network'] }, 'ok.mjs',
    );
  }, () => ({ CLAWKEEPER_NETWORK_PROBE: up.url }));
  after(() => up.kill());
  before(async () => {
    const b = await launchChromium();
    closeBrowser = b.close;
    page = await b.context.newPage();
    await page.goto(h.loginUrl);
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
  });

  it('one failing skill among healthy ones: degraded (never down), the runtime ok, the banner names it, status exits 1', async () => {
    await page.locator('main[data-mode="degraded"] [role="alert"][data-scenario="skills-not-ok"]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('[role="alert"]').innerText(), /1 skill failing: backup/);
    assert.equal(await page.locator('[data-layer="runtime"]').getAttribute('data-color'), 'green');
    assert.equal(await page.locator('tr[data-skill="backup"]').getAttribute('data-state'), 'failing');
    assert.equal(await page.locator('[data-dependency="network"]').getAttribute('data-color'), 'green');
    const pub = (await http(h.gatewayPort, 'GET', '/health')).json() as { status: string; layers: Record<string, string> };
    assert.equal(pub.status, 'degraded');
    assert.equal(pub.layers.runtime, 'ok');
    const st = status(h.home);
    assert.equal(st.code, 1);
    assert.equal(st.json.scenario?.title, '1 skill failing: backup');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-one-failing.png'), fullPage: true });
  });

  it('a partition: the Dependencies row turns red and the partition banner appears within 2 s of the detection', async () => {
    await up.kill();
    const log = join(h.home, 'health', 'dependencies.jsonl');
    const down = await waitFor('network down in the log', () => {
      if (!existsSync(log)) return null;
      const l = readFileSync(log, 'utf8').trim().split('\n').map((x) => JSON.parse(x) as { status: string; at: string });
      return l.find((x) => x.status === 'down');
    }, 10_000);
    await page.locator('[role="alert"][data-scenario="network-partition"]').waitFor({ timeout: 10_000 });
    const shownAt = Date.now();
    assert.ok(shownAt - Date.parse(down.at) < 2000, `banner ${shownAt - Date.parse(down.at)} ms after the detection`);
    assert.equal(await page.locator('[data-dependency="network"]').getAttribute('data-color'), 'red');
    const banner = await page.locator('[role="alert"]').innerText();
    assert.match(banner, /Network partition/);
    assert.match(banner, /waiting: poster/);
    assert.match(banner, /still running: .*daily-digest/);
    await waitFor(
      'poster shows what it waits for',
      async () => (await page.locator('tr[data-skill="poster"]').innerText()).includes('waiting for network'), 5_000,
    );
    const st = status(h.home);
    assert.equal(st.code, 1);
    assert.equal(st.json.scenario?.id, 'network-partition');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-partition.png'), fullPage: true });
    up = await startUpstream(up.port);
    await page.locator('[data-dependency="network"][data-color="green"]').waitFor({ timeout: 10_000 });
  });

  it('the host frozen (SIGSTOP): /health, /api/health, the dashboard and status say the runtime is not responding; ok again after SIGCONT', async () => {
    const auth = { authorization: `Bearer ${h.token()}` };
    h.proc.kill('SIGSTOP');
    const frozenAt = Date.now();
    try {
      await waitFor(
        '/health to say down',
        async () => ((await http(h.gatewayPort, 'GET', '/health')).json() as { status: string }).status === 'down',
        10_000, 100,
      );
      const seenAfter = Date.now() - frozenAt;
      assert.ok(seenAfter < 8000, `seen after ${seenAfter} ms (threshold 5 s, refreshed every second, polled)`);
      const full = (await http(h.gatewayPort, 'GET', '/api/health', { headers: auth })).json() as {
        mode: string; layers: { runtime: { status: string; reason: string } };
      };
      assert.equal(full.mode, 'down');
      assert.match(full.layers.runtime.reason, /not responding/);
      await page.locator('main[data-mode="down"] [data-layer="runtime"][data-color="red"]').waitFor({ timeout: 5_000 });
      assert.match(await page.locator('[role="alert"]').innerText(), /Skills down: the host is not responding/);
      const st = status(h.home);
      assert.equal(st.code, 2);
      assert.match(st.json.layers.runtime!.reason, /not responding/);
    } finally {
      h.proc.kill('SIGCONT');
    }
    const thawedAt = Date.now();
    await waitFor(
      '/health to leave down',
      async () => ((await http(h.gatewayPort, 'GET', '/health')).json() as { status: string }).status !== 'down',
      10_000, 100,
    );
    assert.ok(Date.now() - thawedAt < 5000, `recovered ${Date.now() - thawedAt} ms after SIGCONT`);
    await page.locator('[data-layer="runtime"][data-color="green"]').waitFor({ timeout: 5_000 });
  });
});
