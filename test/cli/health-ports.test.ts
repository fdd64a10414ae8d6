import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { callHost } from '../../main/cli/host-client.ts';
import { runCli } from '../helpers/cli.ts';
import { readLedger, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, waitOperational } from '../helpers/host-process.ts';
import { freePort } from '../helpers/net.ts';

// The CLI as a user runs it: no port in the environment, so config.json decides.
const NO_PORT_ENV = { CLAWKEEPER_GATEWAY_PORT: undefined, CLAWKEEPER_SESSION_PORT: undefined };

describe('clawkeeper health and the ports in config.json, against a real host', () => {
  const h = hostForSuite((home) => writeSkill(home, 'quick', { schedule: '0 0 1 1 *' }, 'ok.mjs'));
  before(async () => {
    writeFileSync(join(h.home, 'config.json'), JSON.stringify({ gatewayPort: h.gatewayPort, sessionPort: h.sessionPort }));
    await waitOperational(h);
  });

  it('health finds the gateway on the port config.json names, and says operational with exit 0', async () => {
    const r = await runCli(h.home, ['health'], NO_PORT_ENV);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`Gateway \\(127\\.0\\.0\\.1:${h.gatewayPort}/health\\): OK`));
    assert.match(r.out, /All systems operational/);
  });

  it('open prints a link on the port config.json names', async () => {
    const r = await runCli(h.home, ['open'], NO_PORT_ENV);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^http://127\\.0\\.0\\.1:${h.gatewayPort}/login#code=\\S+$`, 'm'));
  });

  it('the environment wins over config.json', async () => {
    const other = await freePort();
    const r = await runCli(h.home, ['health'], { CLAWKEEPER_GATEWAY_PORT: String(other) });
    assert.match(r.out, new RegExp(`Gateway \\(127\\.0\\.0\\.1:${other}/health\\): FAIL`));
  });

  it('with the host killed, health never says skills run: down (exit 2) with the last run\'s time, though a status file is minutes old', async () => {
    const run = await callHost(h.home, { id: 1, op: 'run', skill: 'quick' });
    assert.ok(run?.ok, JSON.stringify(run));
    await waitFor('the run to end', () => readLedger(h.home, 'quick').some((e) => e.type === 'end'));
    await h.stop();
    const down = await runCli(h.home, ['health'], NO_PORT_ENV);
    assert.equal(down.code, 2, down.out);
    assert.match(down.out, /: FAIL/);
    assert.match(down.out, /Skill status files updated in the last 60 minutes: [1-9]/);
    assert.match(down.out, /Host: not running/);
    assert.doesNotMatch(down.out, /All systems operational|skills running/);
    assert.match(down.out, /skills are not running \(the last run started quick at \d\d:\d\d\)/);
    // A scheduled run an earlier host started a moment ago (another pid) is no run-once: still down.
    const slot = '2025-01-01T00:00:00.000Z';
    const now = new Date().toISOString();
    appendFileSync(
      join(h.home, 'runs', 'quick.jsonl'),
      JSON.stringify({
        type: 'start', run_id: 'earlier-host', skill: 'quick', slot, trigger: 'schedule', attempt: 1, started_at: now,
        host_pid: 999_999,
      }) + '\n',
    );
    const earlier = await runCli(h.home, ['health'], NO_PORT_ENV);
    assert.equal(earlier.code, 2, earlier.out);
    assert.doesNotMatch(earlier.out, /skills running/);
    // An external scheduler's run-once start, within the skill's own period: skills do run.
    const once = await runCli(h.home, ['run-once', 'quick'], NO_PORT_ENV);
    assert.equal(once.code, 0, once.out + once.err);
    const running = await runCli(h.home, ['health'], NO_PORT_ENV);
    assert.equal(running.code, 1, running.out);
    assert.match(running.out, /Gateway down but skills running - Graceful degradation mode/);
    assert.match(running.out, /run-once started quick at \d\d:\d\d, within its period/);
  });
});
