import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logsCommand, statusCommand } from '../../main/cli/commands.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { writeSkill } from '../helpers/home.ts';
import { localHost, modelHomePerTest } from '../helpers/model-home.ts';

describe('clawkeeper status and logs for agent skills', () => {
  const modelHome = modelHomePerTest();

  it('show tokens against the day budget, and a provider failure in its own words', async () => {
    const t = await modelHome({
      script: [{}, { status: 429, headers: { 'retry-after': '3600' }, json: { error: { message: 'rate limited' } } }],
    });
    writeSkill(t.home, 'agent', { schedule: '0 9 * * *', model: true, budget: { tokensPerDay: 100 } }, 'model-one-call.mjs');
    const host = localHost(t.home);
    assert.equal((await host.runLocal('agent'))?.outcome, 'success');
    assert.equal((await host.runLocal('agent'))?.outcome, 'upstream-failure');
    const lines: string[] = [];
    const ctx = {
      env: { CLAWKEEPER_HOME: t.home, NO_COLOR: '1' }, out: (l: string) => lines.push(l),
      err: (l: string) => lines.push(l), logger: createMemoryLogger(),
    };
    await statusCommand(ctx, false);
    const status = lines.join('\n');
    assert.match(status, /last run provider failed: model "default" \([^)]*\): 429 rate limited/);
    assert.match(status, /TOKENS\n {2}agent: 20 of 100 tokens today \(20%\)/);
    lines.length = 0;
    logsCommand(ctx, 'agent', 10);
    const logs = lines.join('\n');
    assert.match(logs, /success \(manual\).*tokens=20 in 1 call/);
    assert.match(
      logs,
      /upstream-failure \(manual\).*provider failed: .*429 rate limited; tried 1 time, the next try \(in 3600 s\) would be past the run's deadline/,
    );
  });
});
