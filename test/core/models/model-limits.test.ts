import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createModelClient, validUsage, REPLY_MAX_BYTES } from '../../../main/core/models/model-client.js';
import { startOpenAIServer } from '../../helpers/openai-server.ts';

const server = await startOpenAIServer();
after(() => server.close());

function client(o: { timeoutMs?: number; streamIdleMs?: number; deadlineMs?: number; tokensPerRun?: number; sent?: unknown[] }) {
  return createModelClient({
    spec: {
      name: 'default', baseURL: server.baseURL, model: 'test-model', timeoutMs: o.timeoutMs ?? 5000,
      ...(o.streamIdleMs !== undefined ? { streamIdleMs: o.streamIdleMs } : {}), optional: false,
    },
    apiKey: null,
    budget: o.tokensPerRun !== undefined ? { tokensPerRun: o.tokensPerRun } : undefined,
    deadline: Date.now() + (o.deadlineMs ?? 30_000),
    send: (m: unknown) => Promise.resolve(void o.sent?.push(m)),
    signal: new AbortController().signal,
  });
}

const ask = { messages: [{ role: 'user', content: 'Summarise the day in one short sentence, please.' }] };

describe('the model client does not trust the server', () => {
  it('believes only whole, non-negative usage whose total covers its parts', () => {
    assert.deepEqual(validUsage({
      prompt_tokens: 12, completion_tokens: 8, total_tokens: 20,
    }), { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 });
    assert.equal(validUsage({ prompt_tokens: 12, completion_tokens: 8, total_tokens: -1_000_000 }), null);
    assert.equal(validUsage({ total_tokens: 1.5 }), null);
    assert.equal(validUsage({ total_tokens: Number.NaN }), null);
    assert.equal(validUsage({ prompt_tokens: -5, total_tokens: 10 }), null);
    assert.deepEqual(validUsage({ prompt_tokens: 30, completion_tokens: 20, total_tokens: 1 }), {
      prompt_tokens: 30, completion_tokens: 20, total_tokens: 50,
    });
  });

  it('a server answering total_tokens -1000000 buys no extra calls: its usage is counted here and the budget holds', async () => {
    server.requests.length = 0;
    server.fallback = { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: -1_000_000 } };
    const sent: unknown[] = [];
    const c = client({ tokensPerRun: 40, sent });
    let refused = 0;
    for (let i = 0; i < 5; i++) {
      try {
        await c.chat(ask);
      } catch (err) {
        assert.equal((err as { kind?: string }).kind, 'budget-exceeded');
        refused++;
      }
    }
    server.fallback = {};
    assert.ok(server.requests.length <= 2, `${server.requests.length} calls were sent on a budget of 40 tokens`);
    assert.equal(refused, 5 - server.requests.length);
    for (const m of sent as { usage: { total_tokens: number; estimated?: boolean } }[]) {
      assert.ok(m.usage.total_tokens > 0, `the usage recorded is what the call cost, not the server's word (${m.usage.total_tokens})`);
      assert.equal(m.usage.estimated, true);
    }
  });

  it('timeoutMs bounds the whole request: a server trickling one byte every 200 ms is cut, retried, and ends upstream-failure before the deadline', async () => {
    server.requests.length = 0;
    server.fallback = { trickleMs: 200 };
    const t0 = Date.now();
    await assert.rejects(client({ timeoutMs: 1000, deadlineMs: 5000 }).chat(ask), (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'upstream-failure');
      assert.match(err.message, /no answer within timeoutMs; tried \d+ times/);
      return true;
    });
    server.fallback = {};
    const took = Date.now() - t0;
    assert.ok(took < 5000, `ended after ${took} ms, before the run's deadline`);
    assert.ok(server.requests.length >= 2, `retried (${server.requests.length} requests)`);
  });

  it('a stream that trickles bytes but no event is cut the same way', async () => {
    server.fallback = { trickleMs: 200, sse: [] };
    await assert.rejects(
      client({ timeoutMs: 800, deadlineMs: 3000 }).chat({ ...ask, stream: true }),
      (err: Error & { kind?: string }) => err.kind === 'upstream-failure',
    );
    server.fallback = {};
  });

  // Issue #19 item 4: the idle bound, apart from the whole-request bound. timeoutMs is 20 s here,
  // so only the idle cut (streamIdleMs 500) can end an attempt within the few seconds measured.
  it('a stream that sends an event and then goes quiet is cut at streamIdleMs, long before timeoutMs, and the retry answers', async () => {
    server.requests.length = 0;
    server.script = [{ sse: ['half an answer '], stall: true }];
    server.fallback = { sse: ['the whole ', 'answer'] };
    const t0 = Date.now();
    const r = await client({ timeoutMs: 20_000, streamIdleMs: 500 }).chat({ ...ask, stream: true });
    const took = Date.now() - t0;
    server.fallback = {};
    assert.equal(r.text, 'the whole answer', 'the cut attempt\'s half answer is dropped, not glued to the retry\'s');
    assert.equal(server.requests.length, 2);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    // The cut (500 ms after the last event) plus the first backoff (500 ms).
    assert.ok(gap >= 950 && gap < 3000, `the retry came ${gap} ms after the first request`);
    assert.ok(took < 4000, `the call took ${took} ms: ended near the idle bound, not timeoutMs (20 s)`);
  });

  it('a stream that stays quiet on every try ends upstream-failure naming the idle cut, well before timeoutMs or the deadline', async () => {
    server.fallback = { sse: ['a start '], stall: true };
    const t0 = Date.now();
    await assert.rejects(client({
      timeoutMs: 20_000, streamIdleMs: 400, deadlineMs: 2500,
    }).chat({ ...ask, stream: true }), (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'upstream-failure');
      assert.match(err.message, /the stream sent no event for 400 ms \(streamIdleMs\); tried [2-4] times/);
      return true;
    });
    server.fallback = {};
    const took = Date.now() - t0;
    assert.ok(took < 2500, `ended after ${took} ms`);
  });

  it(`an endless reply is cut at ${REPLY_MAX_BYTES / 1024 / 1024} MiB: upstream-failure, and the process does not grow with it`, async () => {
    server.fallback = { endless: true };
    const before = process.memoryUsage().rss;
    await assert.rejects(client({ timeoutMs: 20_000 }).chat(ask), (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'upstream-failure');
      assert.match(err.message, /passed 16 MiB and was cut/);
      return true;
    });
    server.fallback = {};
    const grew = (process.memoryUsage().rss - before) / 1024 / 1024;
    assert.ok(grew < 200, `rss grew ${grew.toFixed(0)} MB`);
  });
});
