import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import { DEFAULT_USAGE, type OpenAIServer, type Reply } from '../../helpers/openai-server.ts';
import { readLedger, writeSkill } from '../../helpers/home.ts';
import { localHost, modelHomePerTest, runOnce } from '../../helpers/model-home.ts';

const KEY_ENV = 'CK_TEST_MODEL_KEY';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe('ctx.model: calls in the skill process, usage in the ledger and status line', () => {
  let server: OpenAIServer | null = null;
  const modelHome = modelHomePerTest();
  afterEach(() => {
    delete process.env[KEY_ENV];
  });

  async function setup(script: Reply[] = []) {
    const m = await modelHome({ script, model: { apiKeyEnv: KEY_ENV, timeoutMs: 5000 } });
    server = m.server;
    return m.home;
  }

  it('sums the usage of two calls exactly, as the server counted them, in the ledger and the status line', async () => {
    const home = await setup([{ usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } }, {
      usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
    }]);
    writeSkill(home, 'two-calls', { schedule: '0 9 * * *', model: true }, 'model-two-calls.mjs');
    const { end, status } = await runOnce(home, 'two-calls');
    assert.equal(end.outcome, 'success', end.error);
    assert.equal(server!.requests.length, 2);
    assert.deepEqual(end.usage, { calls: 2, prompt_tokens: 41, completion_tokens: 19, total_tokens: 60, model: 'test-model' });
    assert.equal(status.tokens, '60');
    assert.equal(status.model, 'test-model');
    assert.equal(server!.requests[1]!.body.max_tokens, 50);
  });

  it('counts a streamed call with the usage the stream carried', async () => {
    const home = await setup([{ sse: ['Hel', 'lo ', 'there'], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } }]);
    writeSkill(home, 'streamed', { schedule: '0 9 * * *', model: 'default' }, 'model-stream.mjs');
    const { end, status } = await runOnce(home, 'streamed');
    assert.equal(end.outcome, 'success', end.error);
    assert.equal(status.text, 'Hello there');
    assert.equal(server!.requests[0]!.body.stream, true);
    assert.deepEqual(end.usage, { calls: 1, prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, model: 'test-model' });
    assert.equal(status.tokens, '12');
  });

  it('counts a stream without usage with the tokenizer and marks it estimated', async () => {
    const home = await setup([{ sse: ['one ', 'two ', 'three'], usage: null }]);
    writeSkill(home, 'streamed', { schedule: '0 9 * * *', model: true }, 'model-stream.mjs');
    const { end } = await runOnce(home, 'streamed');
    assert.equal(end.outcome, 'success', end.error);
    assert.equal(end.usage!.estimated, true);
    assert.equal(end.usage!.completion_tokens, 3, '"one two three" is three cl100k tokens');
    assert.ok(end.usage!.prompt_tokens > 0);
    assert.equal(end.usage!.total_tokens, end.usage!.prompt_tokens + 3);
  });

  it('keeps the usage of a call made before the skill crashed', async () => {
    const home = await setup();
    writeSkill(home, 'crasher', { schedule: '0 9 * * *', model: true }, 'model-crash-after-call.mjs');
    const { end, status } = await runOnce(home, 'crasher');
    assert.equal(end.outcome, 'crashed');
    assert.deepEqual(end.usage, { calls: 1, ...DEFAULT_USAGE, model: 'test-model' });
    assert.equal(status.tokens, String(DEFAULT_USAGE.total_tokens));
  });

  it('sends the API key to the server only: it is in no file under the home folder, no log, no run environment', async () => {
    const sentinel = 'sk-SENTINEL-9f8e7d6c5b4a';
    const home = await setup();
    process.env[KEY_ENV] = sentinel;
    writeSkill(home, 'keyed', { schedule: '0 9 * * *', model: true }, 'model-one-call.mjs');
    writeSkill(home, 'env-dump', {
      schedule: '0 9 * * *', command: ['sh', '-c', 'env; echo "{\\"seen\\": \\"${CK_TEST_MODEL_KEY:-none}\\"}"'],
    });
    const logger = createMemoryLogger();
    const host = localHost(home, undefined, logger);
    const end = await host.runLocal('keyed');
    assert.equal(end?.outcome, 'success', end?.error);
    const dump = await host.runLocal('env-dump');
    assert.equal(dump?.outcome, 'success');
    assert.equal(server!.requests[0]!.headers.authorization, `Bearer ${sentinel}`, 'the key reached the server');
    const files = filesUnder(home);
    assert.ok(files.some((f) => f.endsWith('.log')), 'run logs exist to be checked');
    for (const f of files) assert.ok(!readFileSync(f, 'utf8').includes(sentinel), `the key leaked into ${f}`);
    assert.equal(readLedger(home, 'env-dump').length, 2);
    assert.ok(logger.lines.length > 0);
    assert.ok(!logger.lines.join('\n').includes(sentinel), 'the key leaked into the host log');
  });
});
