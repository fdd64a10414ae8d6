import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.ts';
import { ROOT, writeSkill } from '../test/helpers/home.ts';
import { hostForSuite } from '../test/helpers/host-process.ts';
import { startOpenAIServer, type OpenAIServer } from '../test/helpers/openai-server.ts';

const ARTIFACTS = join(ROOT, 'test-results');

describe('agent skills in the dashboard: tokens against the budget, 7 days of tokens, a provider outage in its own words', () => {
  let good: OpenAIServer;
  let bad: OpenAIServer;
  let page: Page;
  let closeBrowser = async () => {};

  // Added before the host's hooks: the browser closes before the host stops.
  after(() => closeBrowser());
  const h = hostForSuite(async (home) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    good = await startOpenAIServer();
    bad = await startOpenAIServer([], { status: 503, json: { error: { message: 'the model is overloaded' } } });
    writeFileSync(
      join(home, 'config.json'),
      JSON.stringify({
        models: { default: { baseURL: good.baseURL, model: 'llama3' }, busy: { baseURL: bad.baseURL, model: 'big', timeoutMs: 500 } },
      }),
    );
    writeSkill(
      home, 'summarize',
      { schedule: '*/2 * * * * *', description: 'Summarizes the day with a model', model: true, budget: { tokensPerDay: 1000 } },
      'model-one-call.mjs',
    );
    writeSkill(
      home, 'busy-writer',
      {
        schedule: '*/3 * * * * *', description: 'Calls a provider that keeps answering 503', model: 'busy',
        timeoutSeconds: 2, breaker: false,
      },
      'model-one-call.mjs',
    );
  });
  after(async () => {
    await good.close();
    await bad.close();
  });
  before(async () => {
    const b = await launchChromium();
    closeBrowser = b.close;
    page = await b.context.newPage();
    await page.goto(h.loginUrl);
    await page.waitForURL(`http://127.0.0.1:${h.gatewayPort}/`);
  });

  it('shows tokens today against the day budget as a bar, the 7-day chart, and upstream-failure as "provider failed" (amber), never as a broken skill', async () => {
    await page.waitForFunction(
      () => Number(document.querySelector('tr[data-skill="summarize"] [data-tokens-today]')?.getAttribute('data-tokens-today')) >= 40,
      undefined, { timeout: 20_000 },
    );
    const meter = page.locator('tr[data-skill="summarize"] [role="meter"]');
    assert.equal(await meter.getAttribute('aria-valuemax'), '1000');
    assert.match((await meter.getAttribute('aria-label')) ?? '', /of 1,000 tokens today/);
    const chart = page.locator('[data-chart="tokens"] .trow[data-skill="summarize"] .tday');
    assert.equal(await chart.count(), 7);
    await page.locator(
      'tr[data-skill="busy-writer"] td[data-last-run] .badge',
    ).filter({ hasText: 'provider failed' }).waitFor({ timeout: 20_000 });
    assert.match((await page.locator('tr[data-skill="busy-writer"] td[data-last-run] .badge').getAttribute('class')) ?? '', /c-amber/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-agent.png'), fullPage: true });
  });
});
