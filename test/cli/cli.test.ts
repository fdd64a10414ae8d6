import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { freePort } from '../helpers/net.ts';
import { readLedger, ROOT, tempHome, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';

async function cli(home: string, args: string[], env: Record<string, string> = {}) {
  const gw = await freePort();
  // spawnSync would block the event loop that an in-process host needs: run it async.
  const { spawn } = await import('node:child_process');
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), ...args], {
      env: { ...process.env, CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: String(gw), NO_COLOR: '1', ...env },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('clawkeeper CLI', () => {
  const afterTest = cleanupsPerTest();

  it('status says down (exit 2) when no host has run, from files alone', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    const r = await cli(t.home, ['status', '--json']);
    assert.equal(r.code, 2);
    const report = JSON.parse(r.out) as { mode: string; layers: { runtime: { reason: string } } };
    assert.equal(report.mode, 'down');
    assert.match(report.layers.runtime.reason, /never run/);
  });

  it('status sees a live host whose layers have no health record as degraded (exit 1)', async () => {
    const t = tempHome();
    writeSkill(t.home, 'quick', { schedule: '0 0 1 1 *' }, 'ok.mjs');
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger() });
    await host.start();
    afterTest(async () => {
      await host.stop(true);
      t.cleanup();
    });
    const r = await cli(t.home, ['status']);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /DEGRADED/);
    assert.match(r.out, /runtime\s+ok/);
    assert.match(r.out, /quick\s+pending/);
  });

  it('skills lists every problem of an invalid skill with file and field, and exits 1', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    writeSkill(t.home, 'broken', { schedule: 'nope', colour: 1 }, 'ok.mjs');
    const r = await cli(t.home, ['skills']);
    assert.equal(r.code, 1);
    assert.match(r.out, /broken\s+user\s+-\s+INVALID/);
    assert.match(r.out, /broken\/skill\.json: colour: unknown field/);
    assert.match(r.out, /broken\/skill\.json: schedule: cron "nope"/);
    assert.match(r.out, /heartbeat\s+bundled/);
  });

  it('run executes a skill now, records it as manual, and logs shows it', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    writeSkill(t.home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs');
    const r = await cli(t.home, ['run', 'poster']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /poster: success in \d+ ms/);
    assert.deepEqual(readLedger(t.home, 'poster').map((e) => [e.type, e.trigger]), [['start', 'manual'], ['end', 'manual']]);
    const logs = await cli(t.home, ['logs', 'poster']);
    assert.equal(logs.code, 0);
    assert.match(logs.out, /success \(manual\)/);
    assert.match(logs.out, /\[clawkeeper\] success/);
  });

  it('run of an unknown skill names it and says how to list them', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    const r = await cli(t.home, ['run', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.err, /no skill named "nope"; `clawkeeper skills` lists them/);
  });

  it('health prints the article verdict from the gateway probe and the fresh status files', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    writeSkill(t.home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs');
    // No gateway, no host, no fresh status file: down, never "All systems operational".
    const before = await cli(t.home, ['health']);
    assert.equal(before.code, 2, before.out);
    assert.doesNotMatch(before.out, /All systems operational/);
    // A run by hand leaves a fresh status file, but nothing runs the skills: still down (#17).
    await cli(t.home, ['run', 'poster']);
    const after = await cli(t.home, ['health']);
    assert.equal(after.code, 2, after.out);
    assert.match(after.out, /Gateway \(127\.0\.0\.1:\d+\/health\): FAIL/);
    assert.match(after.out, /skills are not running \(the last run started poster at \d\d:\d\d\)/);
    // An external scheduler's run-once: skills do run, without a host.
    await cli(t.home, ['run-once', 'poster']);
    const scheduled = await cli(t.home, ['health']);
    assert.equal(scheduled.code, 1, scheduled.out);
    assert.match(scheduled.out, /Gateway down but skills running - Graceful degradation mode/);
  });

  it('an unknown command prints usage and exits 64', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'frobnicate'], { encoding: 'utf8' });
    assert.equal(r.status, 64);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  it('an unknown option is a usage error too: named, with the usage, exit 64 (not a parser stack or exit 1)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'status', '--bogus'], { encoding: 'utf8' });
    assert.equal(r.status, 64);
    assert.match(r.stderr, /^clawkeeper: Unknown option '--bogus'\nusage: clawkeeper <command>/);
  });

  it('logs of a skill that does not exist says so and how to list them', () => {
    const t = tempHome();
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'logs', 'nosuch'], {
        encoding: 'utf8', env: { ...process.env, CLAWKEEPER_HOME: t.home },
      });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /no skill named "nosuch"; `clawkeeper skills` lists them/);
    } finally {
      t.cleanup();
    }
  });
});
