import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { summarize } from '../../main/common/health.js';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { homePaths } from '../../main/core/home/paths.ts';
import { buildStatusReport, latestLayerStates } from '../../main/core/health/status-report.ts';
import { killAndHoldPort } from '../helpers/hijack.ts';
import { ROOT, readLedger, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, type HostProcess, http, snapshotOf, waitOperational } from '../helpers/host-process.ts';

function cli(h: HostProcess, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), ...args], {
      env: { ...process.env, CLAWKEEPER_HOME: h.home, CLAWKEEPER_GATEWAY_PORT: String(h.gatewayPort), NO_COLOR: '1' },
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

const successes = (h: HostProcess) => readLedger(h.home, 'tick').filter((e) => e.type === 'end' && e.outcome === 'success').length;

describe('the three SEED.md scenarios, as /health and `clawkeeper status` report them', () => {
  // Without warm standbys: a standby takes over in ~20 ms, too short a window to observe both
  // layers `restarting` at once from outside (the scenario's naming is covered for every
  // combination in test/common/health-views.test.ts).
  const h = hostForSuite((home) => writeSkill(home, 'tick', { schedule: '* * * * * *' }, 'ok.mjs'), { CLAWKEEPER_STANDBY: '0' });
  before(async () => {
    await waitOperational(h);
  });

  it('all layers up: operational, exit 0', async () => {
    await waitFor('a first successful run', () => successes(h) > 0, 15_000);
    const health = (await http(h.gatewayPort, 'GET', '/health')).json() as { status: string };
    assert.equal(health.status, 'ok');
    const st = await cli(h, ['status']);
    assert.equal(st.code, 0, st.out);
    assert.match(st.out, /OPERATIONAL/);
  });

  it('WebSocket disconnect: session failed, gateway and skills fine → degraded, named, and skills keep running', async () => {
    const snap = await snapshotOf(h);
    const held = await killAndHoldPort(snap.host.layerPids.session, h.sessionPort);
    try {
      await waitFor(
        'session failed', () => latestLayerStates(homePaths(h.home), createMemoryLogger()).session?.status === 'failed',
        30_000,
      );
      // The file is written first; the gateway's view follows over IPC a moment later.
      const health = await waitFor('/health to show it', async () => {
        const b = (await http(h.gatewayPort, 'GET', '/health')).json() as {
          status: string; scenario: string; layers: Record<string, string>;
        };
        return b.scenario === 'websocket-disconnect' ? b : null;
      }, 10_000);
      assert.equal(health.status, 'degraded');
      assert.equal(health.scenario, 'websocket-disconnect');
      assert.deepEqual(health.layers, { session: 'failed', gateway: 'ok', runtime: 'ok' });
      const st = await cli(h, ['status']);
      assert.equal(st.code, 1);
      assert.match(st.out, /DEGRADED — WebSocket disconnect/);
      assert.match(st.out, /session\s+failed .*EADDRINUSE|session\s+failed .*in use/);
      const before = successes(h);
      await waitFor('skills still running', () => successes(h) >= before + 2, 10_000);
    } finally {
      await held.release();
    }
    await waitOperational(h);
  });

  it('Gateway and session down (both failed) → the article check and `status` say degraded, named as such (no longer a network partition); skills keep running', async () => {
    await waitOperational(h);
    const snap = await snapshotOf(h);
    const heldS = await killAndHoldPort(snap.host.layerPids.session, h.sessionPort);
    const heldG = await killAndHoldPort(snap.host.layerPids.gateway, h.gatewayPort);
    try {
      await waitFor('both failed', () => {
        const l = latestLayerStates(homePaths(h.home), createMemoryLogger());
        return l.session?.status === 'failed' && l.gateway?.status === 'failed';
      }, 30_000);
      const st = await cli(h, ['status']);
      assert.equal(st.code, 1);
      assert.match(st.out, /DEGRADED — Gateway and session down/);
      const article = await cli(h, ['health']);
      assert.match(article.out, /Gateway down but skills running - Graceful degradation mode/);
      const before = successes(h);
      await waitFor('skills still running', () => successes(h) >= before + 2, 10_000);
    } finally {
      await heldS.release();
      await heldG.release();
    }
    await waitOperational(h);
  });

  it('Process restart: both layers restarting → recognized as such; cron resumes by itself', async () => {
    await waitOperational(h);
    const snap = await snapshotOf(h);
    process.kill(snap.host.layerPids.gateway, 'SIGKILL');
    process.kill(snap.host.layerPids.session, 'SIGKILL');
    // The window is short (they are back in well under a second): watch the files closely.
    const seen = await waitFor('both layers restarting at once', () => {
      const r = buildStatusReport(homePaths(h.home), null, createMemoryLogger());
      return r.scenario?.id === 'process-restart' ? r : null;
    }, 5_000, 5);
    assert.equal(seen.mode, 'degraded');
    assert.equal(summarize(seen.layers, {}, [])?.scenario?.title, 'Process restart');
    await waitOperational(h);
    const before = successes(h);
    await waitFor('cron going on', () => successes(h) >= before + 2, 10_000);
  });
});
