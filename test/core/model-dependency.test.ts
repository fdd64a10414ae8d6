import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { readLedger, readLines, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.ts';

const starts = (e: Record<string, unknown>[]) => e.filter((x) => x.type === 'start');

describe('a model server is a dependency of the skills that need its model', () => {
  const afterTest = cleanupsPerTest();

  it('model server killed: model skills wait as dependency-down while local skills run; back: one catch-up (catchUp=once); an optional model is no dependency', async () => {
    const t = tempHome();
    let server: OpenAIServer = await startOpenAIServer();
    const port = server.port;
    writeFileSync(
      join(t.home, 'config.json'),
      JSON.stringify({ models: { local: { baseURL: server.baseURL, model: 'llama3', timeoutMs: 2000 } }, dependencies: {} }),
    );
    writeSkill(t.home, 'summarize', { schedule: '* * * * * *', model: 'local', catchUp: 'once' }, 'model-one-call.mjs');
    writeSkill(t.home, 'fallback', { schedule: '* * * * * *', model: { name: 'local', optional: true } }, 'ok.mjs');
    writeSkill(t.home, 'local', { schedule: '* * * * * *' }, 'ok.mjs');
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300 });
    afterTest(async () => {
      await host.stop(true);
      await server.close();
      t.cleanup();
    });
    await host.start();
    const byName = new Map(host.listSkills().map((s) => [s.name, s.manifest]));
    assert.deepEqual(byName.get('summarize')!.needs, ['model:local']);
    assert.deepEqual(byName.get('fallback')!.needs, []);
    await waitFor(
      'a successful model run',
      () => readLedger(t.home, 'summarize').some((e) => e.type === 'end' && e.outcome === 'success'), 20_000,
    );
    await server.close();
    const log = join(t.home, 'health', 'dependencies.jsonl');
    // Probed every 15 s by default: the failed model run's refused connection is what probes at once.
    await waitFor(
      'model:local down',
      () => existsSync(log) && readLines(log).some((l) => l.includes('"model:local"') && l.includes('"down"')), 25_000,
    );
    assert.equal(host.deferredOn('summarize').join(), 'model:local');
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(
      starts(readLedger(t.home, 'summarize')).filter((e) => Date.parse(e.slot as string) > downAt).length, 0,
      'the model skill waits',
    );
    assert.ok(
      readLedger(t.home, 'local').filter((e) => e.type === 'end' && Date.parse(e.ended_at as string) > downAt).length >= 1,
      'the local skill runs',
    );
    assert.ok(
      starts(readLedger(t.home, 'fallback')).filter((e) => Date.parse(e.slot as string) > downAt).length >= 1,
      'an optional model does not hold a skill back',
    );
    const before = starts(readLedger(t.home, 'summarize')).length;
    server = await startOpenAIServer([], {}, port);
    await waitFor(
      'the catch-up run',
      () => starts(readLedger(t.home, 'summarize')).slice(before).some((e) => e.trigger === 'catch-up'), 25_000,
    );
    assert.equal(starts(readLedger(t.home, 'summarize')).slice(before).filter((e) => e.trigger === 'catch-up').length, 1);
    assert.ok(
      readLedger(t.home, 'summarize').some(
        (e) => e.type === 'skip' && e.reason === 'dependency-down' && String(e.detail).includes('model:local'),
      ),
    );
  });
});
