import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpenAIServer, Reply } from '../../helpers/openai-server.ts';
import { writeSkill } from '../../helpers/home.ts';
import { modelHomePerTest, runOnce } from '../../helpers/model-home.ts';

describe('provider errors: transient ones retried within the deadline, the rest reported honestly', () => {
  let server: OpenAIServer | null = null;
  const modelHome = modelHomePerTest();

  async function run(script: Reply[], fallback: Reply, skill: Record<string, unknown>, timeoutMs = 5000, fixture = 'model-one-call.mjs') {
    const t = await modelHome({ script, fallback, model: { timeoutMs } });
    server = t.server;
    writeSkill(t.home, 'agent', { schedule: '0 9 * * *', model: true, ...skill }, fixture);
    return runOnce(t.home, 'agent');
  }

  it('waits out a 429 with Retry-After in seconds, then succeeds', async () => {
    const { end } = await run([{ status: 429, headers: { 'retry-after': '1' } }], {}, {});
    assert.equal(end.outcome, 'success', end.error);
    const [a, b] = server!.requests;
    assert.equal(server!.requests.length, 2);
    assert.ok(b!.at - a!.at >= 1000, `retried after ${b!.at - a!.at} ms`);
  });

  it('waits out a 429 with Retry-After as an HTTP date, then succeeds', async () => {
    // An HTTP date has whole seconds: what the client must honour is that instant, not a duration.
    const until = new Date(Date.now() + 2500).toUTCString();
    const { end } = await run([{ status: 429, headers: { 'retry-after': until } }], {}, {});
    assert.equal(end.outcome, 'success', end.error);
    const [a, b] = server!.requests;
    assert.ok(b!.at >= Date.parse(until), `retried at ${new Date(b!.at).toISOString()}, before the Retry-After date ${until}`);
    assert.ok(b!.at > a!.at);
  });

  it('records upstream-failure with the status and the provider message when 503 lasts until the deadline', async () => {
    const { end, status } = await run([], { status: 503, json: { error: { message: 'model is loading' } } }, { timeoutSeconds: 3 });
    assert.equal(end.outcome, 'upstream-failure');
    assert.match(end.error!, /503 model is loading; tried \d+ times/);
    assert.ok(server!.requests.length >= 2, 'retried');
    assert.equal(status.status, 'upstream-failure');
  });

  it('retries a request that hangs past timeoutMs, then records upstream-failure before the run deadline', async () => {
    const { end } = await run([], { hang: true }, { timeoutSeconds: 3 }, 400);
    assert.equal(end.outcome, 'upstream-failure', end.error);
    assert.match(end.error!, /no answer within timeoutMs/);
    assert.ok(server!.requests.length >= 2, `${server!.requests.length} requests`);
  });

  it('reports malformed JSON from the server as a clear error, without retrying', async () => {
    const { end } = await run([], { raw: '{"choices": [' }, {});
    assert.equal(end.outcome, 'upstream-failure');
    assert.match(end.error!, /answered with malformed JSON/);
    assert.equal(server!.requests.length, 1);
  });

  it('does not retry a 401: the key is wrong, trying again cannot help', async () => {
    const { end } = await run([], { status: 401, json: { error: { message: 'invalid api key' } } }, {});
    assert.equal(end.outcome, 'upstream-failure');
    assert.match(end.error!, /401 invalid api key/);
    assert.equal(server!.requests.length, 1);
  });

  it('lets a skill with an optional model catch the failure and fall back', async () => {
    const { end, status } = await run(
      [], { status: 500 }, { model: { name: 'default', optional: true }, timeoutSeconds: 2 }, 5000, 'model-catch.mjs',
    );
    assert.equal(end.outcome, 'success', end.error);
    assert.equal(status.fell_back, 'yes');
    assert.equal(status.why, 'upstream-failure');
  });
});
