import assert from 'node:assert/strict';
import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callHost } from '../../main/cli/host-client.ts';
import { runCli } from '../helpers/cli.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { startHostProcess, waitOperational, type HostProcess } from '../helpers/host-process.ts';
import { freePort } from '../helpers/net.ts';

// The CLI as a user runs it: no port in the environment, so config.json decides.
const NO_PORT_ENV = { CLAWKEEPER_GATEWAY_PORT: undefined, CLAWKEEPER_SESSION_PORT: undefined };

describe('clawkeeper health and the ports in config.json, against a real host', () => {
  let h: HostProcess;
  let cleanup = () => {};
  before(async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    writeSkill(t.home, 'quick', { schedule: '0 0 1 1 *' }, 'ok.mjs');
    h = await startHostProcess(t.home);
    writeFileSync(join(t.home, 'config.json'), JSON.stringify({ gatewayPort: h.gatewayPort, sessionPort: h.sessionPort }));
    await waitOperational(h);
  });
  after(async () => {
    await h?.stop();
    cleanup();
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

  it('with the gateway gone: graceful degradation (exit 1) while a status file is fresh, down (exit 2) once none is', async () => {
    const run = await callHost(h.home, { id: 1, op: 'run', skill: 'quick' });
    assert.ok(run?.ok, JSON.stringify(run));
    await waitFor('the run to end', () => readLedger(h.home, 'quick').some((e) => e.type === 'end'));
    await h.stop();
    const degraded = await runCli(h.home, ['health'], NO_PORT_ENV);
    assert.equal(degraded.code, 1, degraded.out);
    assert.match(degraded.out, /: FAIL/);
    assert.match(degraded.out, /Skill status files updated in the last 60 minutes: [1-9]/);
    assert.match(degraded.out, /Gateway down but skills running - Graceful degradation mode/);
    // Every status file two hours old, no host: nothing says skills run.
    const statusDir = join(h.home, 'skills', 'status');
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const f of readdirSync(statusDir)) utimesSync(join(statusDir, f), old, old);
    const down = await runCli(h.home, ['health'], NO_PORT_ENV);
    assert.equal(down.code, 2, down.out);
    assert.doesNotMatch(down.out, /All systems operational/);
    assert.match(down.out, /Host: not running/);
    assert.match(down.out, /Gateway down and no skill status updated in the last 60 minutes - skills are not running/);
  });
});
