import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { type OpenAIServer } from '../../helpers/openai-server.ts';
import { readLedger, writeSkill } from '../../helpers/home.ts';
import type { LedgerEnd } from '../../../main/common/types.ts';
import { localHost, modelHomePerTest, readStatus, runOnce } from '../../helpers/model-home.ts';

describe('token budgets: per run refused before sending, per day skipped with reason budget', () => {
  let server: OpenAIServer | null = null;
  const modelHome = modelHomePerTest();

  async function home() {
    const m = await modelHome({ model: { timeoutMs: 5000 } });
    server = m.server;
    return m.home;
  }

  it('refuses a second call past tokensPerRun before it is sent: budget-exceeded, the first call counted, no retry', async () => {
    const h = await home();
    // The first call costs 20 tokens (the server's usage); 25 leaves too little for the second prompt.
    writeSkill(
      h, 'spender',
      { schedule: '0 9 * * *', model: true, budget: { tokensPerRun: 25 }, retries: { max: 2, backoffSeconds: 0 } },
      'model-two-calls.mjs',
    );
    const host = localHost(h);
    host.dispatch({ skill: 'spender', slot: '2026-01-10T09:00:00.000Z', trigger: 'schedule' });
    await host.idle();
    const ends = readLedger(h, 'spender').filter((e) => e.type === 'end');
    assert.equal(ends.length, 1, 'a budget refusal is not retried');
    const end = ends[0] as unknown as LedgerEnd;
    const status = readStatus(h, 'spender');
    assert.equal(server!.requests.length, 1, 'the second request never reached the server');
    assert.equal(end.outcome, 'budget-exceeded');
    assert.match(end.error!, /would pass the budget \(5 tokens left of tokensPerRun=25\); not sent/);
    assert.equal(end.usage!.total_tokens, 20);
    assert.equal(status.status, 'budget-exceeded');
    assert.equal(status.tokens, '20');
  });

  it('skips the slots after tokensPerDay is reached with reason budget, and runs again the next local day', async () => {
    const h = await home();
    writeSkill(
      h, 'hourly', { schedule: '0 * * * *', timezone: 'America/New_York', model: true, budget: { tokensPerDay: 40 } },
      'model-one-call.mjs',
    );
    // 20:00 in New York on the 9th is 01:00 UTC on the 10th: the local day is what counts.
    const clock = new FakeClock('2026-01-10T01:00:00Z');
    const host = localHost(h, clock);
    const slot = () => new Date(clock.now()).toISOString();
    for (let i = 0; i < 3; i++) {
      host.dispatch({ skill: 'hourly', slot: slot(), trigger: 'schedule' });
      await host.idle();
      clock.advance(3_600_000);
    }
    // 04:00 UTC = 23:00 in New York, still the 9th; 05:00 UTC is the 10th there.
    host.dispatch({ skill: 'hourly', slot: slot(), trigger: 'schedule' });
    await host.idle();
    clock.advance(3_600_000);
    host.dispatch({ skill: 'hourly', slot: slot(), trigger: 'schedule' });
    await host.idle();
    const entries = readLedger(h, 'hourly').filter((e) => e.type !== 'start');
    assert.deepEqual(
      entries.map((e) => [String(e.slot).slice(11, 16), e.type === 'end' ? e.outcome : e.reason]),
      [['01:00', 'success'], ['02:00', 'success'], ['03:00', 'budget'], ['04:00', 'budget'], ['05:00', 'success']],
    );
    assert.match(String(entries[2]!.detail), /tokensPerDay=40 reached: 40 tokens used on 2026-01-09 \(America\/New_York\)/);
    assert.equal(server!.requests.length, 3);
    const spend = JSON.parse(readFileSync(join(h, 'runs', '_spend', 'hourly.json'), 'utf8')) as { days: Record<string, number> };
    assert.deepEqual(spend.days, { '2026-01-09': 40, '2026-01-10': 20 });
  });

  it('passes each run what is left of its day, so a run cannot spend past tokensPerDay', async () => {
    const h = await home();
    writeSkill(h, 'daily', { schedule: '0 9 * * *', model: true, budget: { tokensPerDay: 25 } }, 'model-two-calls.mjs');
    const { end } = await runOnce(h, 'daily');
    assert.equal(end.outcome, 'budget-exceeded');
    assert.equal(server!.requests.length, 1);
    assert.match(end.error!, /tokensPerDay=25 \(25 left today when the run began\)/);
    assert.ok(existsSync(join(h, 'runs', '_spend', 'daily.json')));
  });
});
