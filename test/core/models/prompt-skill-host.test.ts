import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startHostProcess } from '../../helpers/host-process.ts';
import { readLedger, waitFor, writeSkill } from '../../helpers/home.ts';
import { modelHomePerTest } from '../../helpers/model-home.ts';
import { cleanupsPerTest } from '../../helpers/per-test.ts';

describe('a prompt skill on a real headless host', () => {
  // Added first: the host stops before the model server closes and the home is removed.
  const afterTest = cleanupsPerTest();
  const modelHome = modelHomePerTest();

  it('runs on its schedule with the key from the host environment, and the key stays out of every file', async () => {
    const sentinel = 'sk-HOST-SENTINEL-1234567890';
    const t = await modelHome({ fallback: { text: 'scheduled reply' }, model: { apiKeyEnv: 'CK_HOST_TEST_KEY' } });
    const { server } = t;
    writeSkill(t.home, 'every-second', { schedule: '* * * * * *', model: true, prompt: 'Tick {{slot}}', catchUp: 'skip' });
    const host = await startHostProcess(t.home, { CK_HOST_TEST_KEY: sentinel });
    afterTest(() => host.stop());
    const end = await waitFor(
      'a scheduled run of the prompt skill', () => readLedger(t.home, 'every-second').find((e) => e.type === 'end'),
      30_000, 50,
    );
    await host.stop();
    assert.equal(end.outcome, 'success', String(end.error));
    assert.equal(end.trigger, 'schedule');
    assert.equal((end.usage as { total_tokens: number }).total_tokens, 20);
    assert.equal(server.requests[0]!.headers.authorization, `Bearer ${sentinel}`);
    const outputs = readdirSync(join(t.home, 'outputs', 'every-second'));
    assert.ok(outputs.length >= 1);
    assert.equal(readFileSync(join(t.home, 'outputs', 'every-second', outputs[0]!), 'utf8'), 'scheduled reply\n');
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap(
      (e) => (e.isDirectory() ? walk(join(d, e.name)) : e.isSocket() ? [] : [join(d, e.name)]),
    );
    for (const f of walk(t.home)) assert.ok(!readFileSync(f, 'utf8').includes(sentinel), `the key leaked into ${f}`);
    assert.ok(!host.output().includes(sentinel), 'the key leaked into the host output');
  });
});
