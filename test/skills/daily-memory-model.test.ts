import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { freePort } from '../helpers/net.ts';
import { openAIServerPerTest } from '../helpers/openai-server.ts';
import { BUNDLED_SKILLS, tempHomePerTest } from '../helpers/home.ts';
import { readStatus, writeModels } from '../helpers/model-home.ts';

function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

describe('daily-memory with an optional model turned on in config.json', () => {
  const startServer = openAIServerPerTest();
  const newHome = tempHomePerTest();

  async function run(baseURL: string) {
    const t = newHome();
    // Turned on without editing the bundled skill: a per-skill override in config.json.
    writeModels(t.home, { default: { baseURL, model: 'test-model', timeoutMs: 2000 } }, {
      skills: { 'daily-memory': { model: { name: 'default', optional: true } } },
    });
    mkdirSync(join(t.home, 'sessions'), { recursive: true });
    const now = new Date();
    writeFileSync(
      join(t.home, 'sessions', 's1.jsonl'),
      JSON.stringify({ seq: 1, ts: now.toISOString(), kind: 'message', data: { text: 'deployed the new build' } }) + '\n',
    );
    const host = new Host({ home: t.home, bundledSkillsDir: BUNDLED_SKILLS, logger: createMemoryLogger(), useTrigger: false });
    host.prepareLocal();
    const end = await host.runLocal('daily-memory');
    const day = localDate(now);
    return { end: end!, status: readStatus(t.home, 'daily-memory'), memory: readFileSync(join(t.home, 'memory', `${day}.md`), 'utf8') };
  }

  it('puts the model summary above the digest: mode=model, tokens counted', async () => {
    const server = await startServer([], { text: '- A new build was deployed.' });
    const { end, status, memory } = await run(server.baseURL);
    assert.equal(end.outcome, 'success', end.error);
    assert.equal(status.mode, 'model');
    assert.equal(status.tokens, '20');
    assert.match(memory, /## Summary\n\n- A new build was deployed\.\n\n## Session s1/);
    assert.match(memory, /message: deployed the new build/);
    assert.match(String((server.requests[0]!.body.messages as { content: string }[])[0]!.content), /deployed the new build/);
  });

  it('writes the digest alone when the model server is down: mode=digest, still a success', async () => {
    const port = await freePort(); // nothing listens there
    const { end, status, memory } = await run(`http://127.0.0.1:${port}/v1`);
    assert.equal(end.outcome, 'success', end.error);
    assert.equal(status.mode, 'digest');
    assert.equal(status.tokens, undefined);
    assert.doesNotMatch(memory, /## Summary/);
    assert.match(memory, /message: deployed the new build/);
  });
});
