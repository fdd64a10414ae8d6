// The dashboard leads with the skills (issue 21), in Debian's Chromium against a real headless
// host and a local OpenAI-compatible server: the first skill row inside the first viewport at
// 1280×800 and 420×900; nothing clipped; the skill page's actions change what the CLI reports;
// a prompt skill's reply readable on its run's row; every run in one view; axe-core clean in
// light and dark. Screenshots go to test-results/ (looked at by hand).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.ts';
import { runCli } from '../test/helpers/cli.ts';
import { ROOT, readLedger, waitFor, writeSkill } from '../test/helpers/home.ts';
import { hostForSuite } from '../test/helpers/host-process.ts';
import { startOpenAIServer, type OpenAIServer } from '../test/helpers/openai-server.ts';
import { axeViolations } from '../test/helpers/axe.ts';

const ARTIFACTS = join(ROOT, 'test-results');
const YEARLY = '0 0 1 1 *';
const REPLY = '# Morning digest\n\n- **3** new issues\n- a [link](https://example.com/x)\n\n<script>window.__pwned = 1</script>\n\n[click](javascript:window.__pwned=2)';

interface StatusSkill {
  name: string; state: string; paused: boolean; pauseNote?: string | null; breaker: { state: string } | null;
  lastRun: { runId: string } | null;
}

describe('a dashboard that leads with the skills', { timeout: 240_000 }, () => {
  let good: OpenAIServer | undefined;
  let bad: OpenAIServer | undefined;
  let page: Page;
  let closeBrowser = async () => {};
  const errors: string[] = [];
  const notFound: string[] = [];
  const base = () => `http://127.0.0.1:${h.gatewayPort}`;
  const status = async (name: string): Promise<StatusSkill> => {
    const r = await runCli(h.home, ['status', '--json']);
    return (JSON.parse(r.out) as { skills: StatusSkill[] }).skills.find((s) => s.name === name)!;
  };
  const shot = async (name: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      assert.deepEqual(await axeViolations(page), [], `${name} ${scheme}`);
      await page.screenshot({ path: join(ARTIFACTS, `${name}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: scheme === 'light' });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  /** The same page at 420 px too: axe in light and dark, and a screenshot (`<name>-420`). */
  const shotBoth = async (name: string) => {
    await shot(name);
    await page.setViewportSize({ width: 420, height: 900 });
    try {
      await page.waitForTimeout(200); // a re-layout; charts size to their box
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 420, `${name}: no horizontal scrolling at 420 px`);
      await shot(`${name}-420`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  };

  // Added before the host's hooks: the browser closes before the host stops.
  after(() => closeBrowser());
  const h = hostForSuite(async (home) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    good = await startOpenAIServer([], { text: REPLY });
    bad = await startOpenAIServer([], { status: 503, json: { error: { message: 'the model is overloaded' } } });
    writeFileSync(
      join(home, 'config.json'),
      JSON.stringify({
        models: { default: { baseURL: good.baseURL, model: 'llama3' }, busy: { baseURL: bad.baseURL, model: 'big', timeoutMs: 300 } },
      }),
    );
    writeSkill(home, 'digest', {
      schedule: '0 7 * * *', timezone: 'America/Los_Angeles', description: 'A morning digest written by the model',
      prompt: 'Summarize {{date}}', model: true, deliver: { webhook: 'http://127.0.0.1:1/hook' },
    });
    writeSkill(home, 'heartbeat', { schedule: '*/2 * * * * *', description: 'Checks in every two seconds' }, 'ok.mjs');
    writeSkill(
      home, 'flaky',
      { schedule: '* * * * * *', description: 'Always throws', breaker: { failures: 2, coolDownSeconds: 3600 } },
      'throws.mjs',
    );
    writeSkill(
      home, 'busy-writer',
      { schedule: YEARLY, description: 'Calls a provider that keeps answering 503', model: 'busy', timeoutSeconds: 2, breaker: false },
      'model-one-call.mjs',
    );
    writeSkill(home, 'broken', { schedule: 'every day', timeoutSeconds: -1 }, 'ok.mjs');
    // History enough for more than one page of the runs view (50 a page).
    writeSkill(home, 'archive', { schedule: YEARLY, description: 'Ran hourly last week' }, 'ok.mjs');
    mkdirSync(join(home, 'runs'), { recursive: true });
    writeFileSync(join(home, 'runs', 'archive.jsonl'), Array.from({ length: 120 }, (_, i) => {
      const at = new Date(Date.now() - 7 * 86_400_000 + i * 3_600_000).toISOString();
      const k = { run_id: `archive-${i}`, skill: 'archive', slot: at, trigger: 'schedule', attempt: 1, started_at: at };
      return `${JSON.stringify({ type: 'start', ...k, host_pid: 1 })}\n${JSON.stringify({
        type: 'end', ...k, ended_at: at, duration_ms: 40, outcome: 'success', exit_code: 0, signal: null,
      })}\n`;
    }).join(''));
  });
  after(async () => {
    await good?.close();
    await bad?.close();
  });
  before(async () => {
    // A reply to read, and a provider failure beside the skill's own.
    assert.equal((await runCli(h.home, ['run', 'digest'])).code, 0);
    await runCli(h.home, ['run', 'busy-writer']); // ends upstream-failure: exit 1
    await waitFor('the digest reply', () => readLedger(h.home, 'digest').some((e) => e.type === 'end' && e.output));
    const b = await launchChromium();
    closeBrowser = b.close;
    page = await b.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => r.status() === 404 && notFound.push(r.url()));
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(h.loginUrl);
    await page.waitForURL(`${base()}/`);
    await page.locator('tr[data-skill="heartbeat"]').waitFor();
    await page.waitForFunction(
      () => document.querySelector('tr[data-skill="flaky"]')?.getAttribute('data-state') === 'tripped', undefined,
      { timeout: 20_000 },
    );
  });

  it('1280×800: the banner and the first skill row are in the first viewport, after a compact layer strip; nothing clipped; no 404', async () => {
    const row = await page.locator('tr[data-skill]').first().boundingBox();
    assert.ok(row && row.y >= 0 && row.y < 800, `the first skill row starts at ${row?.y} px`);
    assert.ok((await page.locator('[role="alert"]').boundingBox())!.y < 200, 'the banner comes first');
    const strip = await page.locator('section.tiles').boundingBox();
    assert.ok(strip && strip.height < 70 && strip.y < row.y, `the layer strip is ${strip?.height} px high, above the skills`);
    for (const l of ['runtime', 'gateway', 'session']) assert.equal(
      await page.locator(`[data-layer="${l}"][data-color="green"]`).count(), 1,
    );
    // Dependencies, metrics and the timeline follow the skills.
    const metrics = await page.locator('section.metrics').boundingBox();
    assert.ok(metrics && metrics.y > row.y);
    assert.deepEqual(await clipped(page), []);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 1280, 'no horizontal scrolling');
    assert.match(await page.locator('tr[data-skill="flaky"] td.state').innerText(), /tripped until \d\d:\d\d/);
    assert.equal((await page.request.get(`${base()}/favicon.ico`)).status(), 200);
    await shot('dashboard-1280');
    assert.deepEqual(notFound, []);
  });

  it('420×900: each skill is a card with name, state, last run and next run, the first inside the viewport', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    try {
      await phoneCards();
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  async function phoneCards() {
    await page.goto(`${base()}/#/`);
    const first = page.locator('tr[data-skill]').first();
    await first.waitFor();
    const box = await first.boundingBox();
    assert.ok(box && box.y < 900, `the first card starts at ${box?.y} px`);
    const card = page.locator('tr[data-skill="heartbeat"]');
    for (const sel of ['a', 'td.state .badge', 'td.last', 'td.next']) {
      const b = await card.locator(sel).first().boundingBox();
      assert.ok(b && b.width > 10 && b.x >= 0 && b.x + b.width <= 420, `${sel} is visible in the card`);
    }
    assert.match(await card.locator('td.next').innerText(), /Next/);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 420, 'no horizontal scrolling');
    assert.deepEqual(await clipped(page), []);
    await shot('dashboard-420');
  }

  it('a run that ends shows on the open page within 1 s of its end entry', async () => {
    await page.goto(`${base()}/#/`);
    await page.locator('tr[data-skill="heartbeat"]').waitFor();
    // The moment the row's last run changes, by the page's clock (the same machine's as the host's).
    const seen = await page.evaluate(() => new Promise<{ runId: string; at: number }>((resolve) => {
      const row = document.querySelector('tr[data-skill="heartbeat"]')!;
      const before = row.querySelector('td[data-last-run]')!.getAttribute('data-last-run');
      const obs = new MutationObserver(() => {
        const now = document.querySelector('tr[data-skill="heartbeat"] td[data-last-run]')?.getAttribute('data-last-run');
        if (now && now !== before) {
          obs.disconnect();
          resolve({ runId: now, at: Date.now() });
        }
      });
      obs.observe(document.querySelector('tbody')!, { subtree: true, attributes: true, childList: true });
    }));
    const end = readLedger(h.home, 'heartbeat').find((e) => e.type === 'end' && e.run_id === seen.runId);
    assert.ok(end, `run ${seen.runId} has its end entry`);
    const lag = seen.at - Date.parse(String(end.ended_at));
    assert.ok(lag < 1000, `shown ${lag} ms after it ended`);
  });

  it('skill page: Pause with a note, Resume, Run now and Reset breaker each change what `clawkeeper status --json` reports', async () => {
    await page.goto(`${base()}/#/skill/heartbeat`);
    await page.locator('[data-actions="heartbeat"]').waitFor();
    await page.getByLabel('Note').fill('provider maintenance until 14:00');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-said="ok"]').waitFor();
    await waitFor('status: paused', async () => (await status('heartbeat')).paused, 10_000, 100);
    const paused = await status('heartbeat');
    assert.equal(paused.state, 'paused');
    assert.equal(paused.pauseNote, 'provider maintenance until 14:00');
    // Shown beside the state on the skill page and on the dashboard.
    await page.locator('.state-line [data-pause-note]').waitFor();
    assert.match(await page.locator('.state-line').innerText(), /paused.*provider maintenance until 14:00/s);
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitFor('status: resumed', async () => !(await status('heartbeat')).paused, 10_000, 100);

    await page.goto(`${base()}/#/skill/busy-writer`);
    await page.locator('[data-actions="busy-writer"]').waitFor();
    const before = (await status('busy-writer')).lastRun?.runId;
    await page.getByRole('button', { name: 'Run now' }).click();
    const said = await page.locator('[data-said="ok"]').innerText();
    const runId = /Started run (\S+)\./.exec(said)?.[1];
    assert.ok(runId, said);
    await waitFor('status: the new last run', async () => (await status('busy-writer')).lastRun?.runId === runId, 20_000, 200);
    assert.notEqual(before, runId);

    await page.goto(`${base()}/#/skill/flaky`);
    await page.locator('[data-actions="flaky"]').waitFor();
    assert.equal((await status('flaky')).state, 'tripped');
    await page.getByRole('button', { name: 'Reset breaker' }).click();
    await page.locator('[data-said="ok"]').waitFor();
    const reset = await status('flaky');
    assert.equal(reset.breaker?.state, 'closed');
    assert.notEqual(reset.state, 'tripped');
  });

  it('`clawkeeper reset-breaker` sends the same command: a tripped breaker closes, a closed one says so, an unknown skill is named', async () => {
    await waitFor('flaky tripped again', async () => (await status('flaky')).state === 'tripped', 20_000, 200);
    const r = await runCli(h.home, ['reset-breaker', 'flaky']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /flaky: breaker reset \(was (open|half-open)\)/);
    assert.equal((await status('flaky')).breaker?.state, 'closed');
    const again = await runCli(h.home, ['reset-breaker', 'heartbeat']);
    assert.match(again.out, /heartbeat: the breaker was not tripped; nothing to reset/);
    const none = await runCli(h.home, ['reset-breaker', 'nope']);
    assert.equal(none.code, 1);
    assert.match(none.err, /no skill named "nope"/);
  });

  it('a refused action reads exactly as the CLI\'s refusal', async () => {
    await page.goto(`${base()}/#/skill/broken`);
    await page.locator('[data-actions="broken"]').waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    const shown = await page.locator('[data-said="refused"]').innerText();
    const cli = await runCli(h.home, ['run', 'broken']);
    assert.equal(cli.code, 1);
    assert.equal(shown, cli.err.trim().replace(/^clawkeeper run: /, ''));
    assert.match(shown, /skill "broken" is invalid and cannot run/);
  });

  it('a prompt skill\'s reply is readable on its run\'s row: rendered Markdown, no script, safe links; tokens, delivery and a provider failure are columns', async () => {
    const end = readLedger(h.home, 'digest').find((e) => e.type === 'end' && e.output)!;
    await page.goto(`${base()}/#/skill/digest`);
    const link = page.locator(`[data-output-link="${String(end.run_id)}"]`);
    await link.click();
    const out = page.locator(`tr[data-output-for="${String(end.run_id)}"] .md`);
    await out.waitFor();
    assert.equal(await out.locator('h1').innerText(), 'Morning digest');
    assert.equal(await out.locator('strong').innerText(), '3');
    assert.match(await out.innerText(), /<script>window.__pwned = 1<\/script>/, 'raw HTML is shown as text');
    assert.equal(await out.locator('script').count(), 0);
    assert.equal(await out.locator('a[href^="javascript:"]').count(), 0);
    assert.equal(await out.locator('a[href="https://example.com/x"]').getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    const row = page.locator(`tr[data-run="${String(end.run_id)}"]`);
    assert.match(await row.locator('td.tok').innerText(), /\d+ tokens/);
    assert.match(await row.locator('td.deliv').innerText(), /not delivered/);
    assert.match(page.url(), new RegExp(`#/skill/digest/run/${String(end.run_id)}/output$`), 'the open reply has its own address');
    await shotBoth('skill-page-prompt');
    // A provider's failure is drawn apart from the skill's own.
    await page.goto(`${base()}/#/skill/busy-writer`);
    const provider = page.locator('tr[data-fault="provider"]').first();
    await provider.waitFor();
    assert.match(await provider.locator('td.outcome').innerText(), /provider failed/);
    assert.equal(await provider.locator('.badge.provider.c-amber').count(), 1);
    await page.goto(`${base()}/#/skill/flaky`);
    const own = page.locator('tr[data-fault="skill"]').first();
    await own.waitFor();
    assert.equal(await own.locator('.badge.c-red:not(.provider)').count(), 1);
  });

  it('the runs view: every skill newest first, filtered by skill, outcome and trigger, paged, linking to each run\'s log and reply', async () => {
    await page.goto(`${base()}/#/runs`);
    const rows = page.locator('tr[data-run]');
    /** Until the rows shown answer these filters (the view marks them; older rows may linger while it asks). */
    const shown = (filters: string) => page.waitForFunction(
      (f) => document.querySelector('[data-runs-query]')?.getAttribute('data-runs-query') === f, filters,
    );
    await shown('');
    await shotBoth('runs-view');
    const starts = await page.locator('tr[data-run] td.when').evaluateAll((tds) => tds.map((td) => td.getAttribute('title') ?? ''));
    assert.deepEqual(starts, [...starts].sort().reverse(), 'newest first');
    assert.ok(new Set(await page.locator('tr[data-run] td.skill').allInnerTexts()).size >= 3, 'runs of several skills');
    await page.getByLabel('Skill').selectOption('digest');
    await shown('skill=digest');
    assert.deepEqual([...new Set(await page.locator('tr[data-run] td.skill').allInnerTexts())], ['digest']);
    assert.match(page.url(), /#\/runs\?skill=digest$/);
    await page.goto(`${base()}/#/runs?outcome=failure&trigger=schedule`);
    await shown('outcome=failure&trigger=schedule');
    assert.ok(await rows.count() > 0);
    assert.deepEqual([...new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-outcome'))))], ['failure']);
    assert.ok(await page.locator('tr[data-run] td.trigger:has-text("manual")').count() === 0);
    // Paged (archive's 120 runs make three pages at least): page 2 follows page 1, no run on both.
    await page.goto(`${base()}/#/runs`);
    await shown('');
    assert.equal(await rows.count(), 50);
    const firstPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    assert.equal(firstPage.length, 50);
    await page.getByRole('link', { name: 'Older →' }).click();
    await shown('page=2');
    assert.equal(await rows.count(), 50);
    assert.match(await page.locator('nav.pager').innerText(), /Page 2 of \d+ · runs 51–100/);
    const secondPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')));
    assert.deepEqual(firstPage.filter((id) => secondPage.includes(id)), []);
    // A time range: the archive's week-old runs only.
    const day = new Date(Date.now() - 7 * 86_400_000 + 12 * 3_600_000);
    const iso = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    await page.goto(`${base()}/#/runs?from=${iso}&to=${iso}`);
    await shown(`from=${iso}&to=${iso}`);
    assert.ok(await rows.count() > 0);
    assert.deepEqual([...new Set(await page.locator('tr[data-run] td.skill').allInnerTexts())], ['archive']);
    await page.goto(`${base()}/#/runs?skill=digest`);
    await page.locator('tr[data-run] [data-output-link]').first().waitFor();
    await page.locator('tr[data-run] [data-output-link]').first().click();
    await page.locator('tr[data-output-for] .md h1').waitFor();
    assert.match(page.url(), /#\/skill\/digest\/run\/[^/]+\/output$/);
    assert.deepEqual(errors, []);
  });

  it('the runs API answers a bad filter with 400 naming it, and needs credentials', async () => {
    // The page's own credential: its session, sent in a header (never a cookie).
    const session = await page.evaluate(() => sessionStorage.getItem('clawkeeper.session'));
    const bad = await page.request.get(`${base()}/api/runs?outcome=nope`, { headers: { 'X-ClawKeeper-Session': session ?? '' } });
    assert.equal(bad.status(), 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /"outcome" is one of/);
    const anon = await fetch(`${base()}/api/runs`);
    assert.equal(anon.status, 401);
    const outAnon = await fetch(`${base()}/api/skills/digest/output/x`);
    assert.equal(outAnon.status, 401);
    assert.ok(readFileSync(join(h.home, 'token'), 'utf8').length > 0);
  });
});

/**
 * Elements whose text is cut: cells, badges, tiles and inputs whose content is wider than their box
 * (descriptions are cut on purpose, with a title).
 */
async function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const els = document.querySelectorAll('tr[data-skill] td, .badge, .tile .name, .tile .state, header.top, .skills-toolbar label');
    for (const el of els) {
      const e = el as HTMLElement;
      if (e.offsetParent === null) continue;
      if (e.scrollWidth > e.clientWidth + 1) out.push(
        `${e.tagName.toLowerCase()}.${e.className} "${(e.textContent ?? '').trim().slice(0, 40)}" ${e.scrollWidth}>${e.clientWidth}`,
      );
    }
    const search = document.querySelector<HTMLInputElement>('.skills-toolbar input[type="search"]');
    if (search) {
      const c = document.createElement('canvas').getContext('2d')!;
      c.font = getComputedStyle(search).font;
      const room = search.clientWidth - parseFloat(getComputedStyle(search).paddingLeft) - parseFloat(
        getComputedStyle(search).paddingRight,
      ) - 20;
      if (c.measureText(search.placeholder).width > room) out.push(`the filter's placeholder "${search.placeholder}"`);
    }
    return out;
  });
}
