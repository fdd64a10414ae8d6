import assert from 'node:assert/strict';
import { describe, it, after } from 'node:test';
import type { RunOutcome } from '../../main/common/types.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { retryDecision, type AttemptEnd } from '../../main/core/runs/run-lifecycle.ts';
import { runOnce } from '../../main/core/runs/run-once.ts';
import type { StopReason } from '../../main/core/runs/runner.ts';
import { startOpenAIServer } from '../helpers/openai-server.ts';
import { readLedger, tempHome, writeSkill } from '../helpers/home.ts';
import { localHost, readStatus, writeModels } from '../helpers/model-home.ts';

describe('the retry decision is a pure function of the outcome, the attempt and the policy', () => {
  const policy = { max: 2, backoffSeconds: 10 };
  const end = (outcome: RunOutcome, attempt: number, extra: Partial<AttemptEnd> = {}): AttemptEnd => ({
    outcome, stopReason: null, attempt, slot: '2026-01-01T00:00:00.000Z', stopping: false, ...extra,
  });
  const table: [string, AttemptEnd, ReturnType<typeof retryDecision>][] = [
    ['a success is never retried', end('success', 1), { retry: false, why: 'succeeded' }],
    ['a first failure is retried after the backoff', end('failure', 1), { retry: true, attempt: 2, delaySeconds: 10 }],
    ['the backoff doubles with each attempt', end('timeout', 2), { retry: true, attempt: 3, delaySeconds: 20 }],
    ['no attempt past retries.max + 1', end('crashed', 3), { retry: false, why: 'attempts-used' }],
    ['a budget refusal would only be refused again', end('budget-exceeded', 1), { retry: false, why: 'budget' }],
    ['a run a newer one replaced is not retried', end('interrupted', 1, {
      stopReason: 'replaced' as StopReason,
    }), { retry: false, why: 'replaced' }],
    ['nothing is retried while the host stops', end('interrupted', 1, {
      stopReason: 'shutdown' as StopReason, stopping: true,
    }), { retry: false, why: 'stopping' }],
    ['a manual run (no slot) is not retried', end('failure', 1, { slot: null }), { retry: false, why: 'no-slot' }],
    ['an upstream failure is retried like any failure', end('upstream-failure', 1), { retry: true, attempt: 2, delaySeconds: 10 }],
    ['an interrupted run (its host died) is retried', end('interrupted', 1), { retry: true, attempt: 2, delaySeconds: 10 }],
  ];
  for (const [name, input, want] of table) it(name, () => assert.deepEqual(retryDecision(input, policy), want));
});

/** What both callers must write alike: the ledger entries without run ids and times, and the status line without its times. */
function comparable(home: string, skill: string) {
  const ledger = readLedger(home, skill);
  for (const e of ledger.filter((x) => x.type === 'end')) {
    const start = ledger.find((x) => x.type === 'start' && x.run_id === e.run_id);
    assert.equal(e.started_at, start?.started_at, 'a run has one started_at, in its start and its end entry');
  }
  const entries = ledger.map((e) => {
    // `by` says who started it (run-once marks its starts; `clawkeeper health` reads it): checked apart.
    const { run_id: _r, started_at: _s, ended_at: _e, duration_ms: _d, host_pid: _p, log: _l, at: _a, by: _b, ...rest } = e;
    return rest;
  });
  const { timestamp: _t, duration_ms: _d, run_id: _r, ...status } = readStatus(home, skill);
  return { entries, status };
}

describe('one lifecycle: the host and run-once write the same entries, usage and status line', async () => {
  const server = await startOpenAIServer();
  after(() => server.close());
  const slot = '2026-01-10T09:00:00.000Z';
  const cases: { name: string; fixture: string; manifest: Record<string, unknown>; outcomes: RunOutcome[] }[] = [
    { name: 'a success, once', fixture: 'ok.mjs', manifest: { retries: { max: 2, backoffSeconds: 0 } }, outcomes: ['success'] },
    {
      name: 'a failure retried by the policy, then a success as attempt 2', fixture: 'flaky.mjs',
      manifest: { retries: { max: 2, backoffSeconds: 0 }, env: { SUCCEED_AT: '2' } }, outcomes: ['failure', 'success'],
    },
    {
      name: 'failures until the retries are spent', fixture: 'flaky.mjs',
      manifest: { retries: { max: 1, backoffSeconds: 0 }, env: { SUCCEED_AT: '9' } }, outcomes: ['failure', 'failure'],
    },
    {
      name: 'a timeout, not retried with retries.max 0', fixture: 'hang.mjs',
      manifest: { timeoutSeconds: 1, retries: { max: 0, backoffSeconds: 0 } }, outcomes: ['timeout'],
    },
    {
      name: 'a budget refusal past tokensPerRun: once, whatever retries.max says, with the usage of the call made',
      fixture: 'model-two-calls.mjs', manifest: {
        model: true, budget: { tokensPerRun: 25 }, retries: { max: 2, backoffSeconds: 0 },
      }, outcomes: ['budget-exceeded'],
    },
    {
      name: 'the day budget is passed to the run: a call past what is left of tokensPerDay is refused',
      fixture: 'model-two-calls.mjs', manifest: {
        model: true, budget: { tokensPerDay: 25 }, retries: { max: 2, backoffSeconds: 0 },
      }, outcomes: ['budget-exceeded'],
    },
    {
      name: 'model usage recorded in the end entry and the status line', fixture: 'model-one-call.mjs',
      manifest: { model: true }, outcomes: ['success'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const viaHost = tempHome();
      const viaRunOnce = tempHome();
      try {
        for (const t of [viaHost, viaRunOnce]) {
          writeModels(t.home, { default: { baseURL: server.baseURL, model: 'test-model', timeoutMs: 5000 } });
          writeSkill(t.home, 'same', { schedule: '0 9 * * *', ...c.manifest }, c.fixture);
        }
        const host = localHost(viaHost.home);
        host.dispatch({ skill: 'same', slot, trigger: 'schedule' });
        await host.idle();
        const r = await runOnce({
          home: viaRunOnce.home, bundledSkillsDir: null, skill: 'same', slot, trigger: 'schedule',
          logger: createMemoryLogger(), out: () => {}, killGraceMs: 500,
        });
        const a = comparable(viaHost.home, 'same');
        const b = comparable(viaRunOnce.home, 'same');
        assert.deepEqual(a.entries.filter((e) => e.type === 'end').map((e) => e.outcome), c.outcomes, 'the host ran it as the table says');
        assert.deepEqual(b, a, 'run-once wrote what the host wrote');
        const starter = (home: string) => {
          const starts = readLedger(home, 'same').filter((e) => e.type === 'start');
          return [...new Set(starts.map((e) => e.by ?? 'host'))];
        };
        assert.deepEqual(starter(viaRunOnce.home), ['run-once'], 'run-once marks its start entries');
        assert.deepEqual(starter(viaHost.home), ['host'], 'a host does not');
        assert.equal(r.ends.length, c.outcomes.length);
        if (c.fixture.startsWith('model')) assert.ok(a.status.tokens, 'the status line carries the tokens');
      } finally {
        viaHost.cleanup();
        viaRunOnce.cleanup();
      }
    });
  }
});
