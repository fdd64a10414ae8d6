import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { SkillManifest } from '../../../main/common/types.ts';
import { systemClock } from '../../../main/core/scheduling/clock.ts';
import { nodeLauncher, type ChildHandle, type ExitInfo } from '../../../main/core/runs/launcher.ts';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import { RemoteLauncher } from '../../../main/core/runs/run-launcher/remote-launcher.ts';
import { startRun } from '../../../main/core/runs/runner.ts';
import { tempHome, waitFor, writeSkill } from '../../helpers/home.ts';
import { alive, ppidOf } from '../../helpers/pids.ts';

function manifest(name: string, extra: Partial<SkillManifest>): SkillManifest {
  return {
    name, description: '', schedule: '* * * * *', timeoutSeconds: 30, retries: { max: 0, backoffSeconds: 0 },
    overlap: 'skip', catchUp: { mode: 'skip', max: 1 }, env: {}, needs: [], breaker: false, enabled: true, ...extra,
  };
}

const exitOf = (c: ChildHandle) => new Promise<ExitInfo>((r) => c.onExit(r));

describe('run launcher: runs created by a small process of their own, the host only sends a message', () => {
  let rl: RemoteLauncher;
  let t: { home: string; cleanup: () => void };
  before(async () => {
    t = tempHome();
    rl = new RemoteLauncher(nodeLauncher, createMemoryLogger());
    rl.start();
    await waitFor('the launcher ready', () => rl.active, 20_000);
  });
  after(async () => {
    await rl.stop();
    t.cleanup();
  });

  it('a command run is the launcher’s child, and its output, stderr and exit code reach the host', async () => {
    const c = rl.spawn('sh', ['-c', 'echo out; echo err >&2; sleep 0.3; exit 3'], { cwd: t.home, env: process.env, name: 't' });
    let out = '';
    let err = '';
    c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const pid = await waitFor('a pid', () => c.pid, 10_000);
    assert.equal(ppidOf(pid), rl.pid, 'created by the launcher, not the host');
    assert.deepEqual(await exitOf(c), { code: 3, signal: null });
    assert.equal(out, 'out\n');
    assert.equal(err, 'err\n');
  });

  it('a JS skill run through the launcher succeeds with its fields, as from the host', async () => {
    const dir = writeSkill(t.home, 'okjs', {}, 'ok.mjs');
    const h = startRun({
      manifest: manifest('okjs', { entry: 'index.mjs' }), dir, runId: 'r1', slot: null, trigger: 'manual', attempt: 1,
      home: t.home,
    }, { launcher: rl, clock: systemClock, logsDir: join(t.home, 'logs') });
    const r = await h.done;
    assert.equal(r.outcome, 'success', r.error);
    assert.ok(Object.keys(r.fields).length > 0, 'the result message was relayed');
  });

  it('a run past its deadline is stopped through the launcher (its process group too) and recorded as a timeout', async () => {
    const dir = writeSkill(t.home, 'slow', {});
    const h = startRun({
      manifest: manifest('slow', { command: ['sh', '-c', 'sleep 30 & sleep 30'], timeoutSeconds: 1 }), dir, runId: 'r2',
      slot: null, trigger: 'manual', attempt: 1, home: t.home,
    }, { launcher: rl, clock: systemClock, logsDir: join(t.home, 'logs'), killGraceMs: 500 });
    const r = await h.done;
    assert.equal(r.outcome, 'timeout');
  });

  it('a command that cannot be started ends as a failure that says why', async () => {
    const dir = writeSkill(t.home, 'missing', {});
    const h = startRun({
      manifest: manifest('missing', { command: ['/nonexistent/clawkeeper-nothing'] }), dir, runId: 'r3', slot: null,
      trigger: 'manual', attempt: 1, home: t.home,
    }, { launcher: rl, clock: systemClock, logsDir: join(t.home, 'logs') });
    const r = await h.done;
    assert.equal(r.outcome, 'failure');
    assert.match(r.error ?? '', /ENOENT/);
  });

  it('when the host goes away (its channel closes), the launcher stops the runs it started and exits: no orphan', async () => {
    const proc = fork(fileURLToPath(
      new URL('../../../main/core/runs/run-launcher/launcher-process.js', import.meta.url),
    ), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const pids: number[] = [];
    proc.on('message', (m: { t: string; pid?: number }) => {
      if (m.t === 'spawned' && m.pid) pids.push(m.pid);
    });
    await new Promise((r) => proc.once('message', r)); // ready
    proc.send({ t: 'start', id: 1, req: { op: 'spawn', file: 'sleep', args: ['30'], cwd: t.home, env: process.env } });
    await waitFor('the run started', () => pids.length === 1, 10_000);
    const exited = new Promise((r) => proc.once('exit', r));
    proc.disconnect();
    await exited;
    await waitFor('the run gone', () => !alive(pids[0]!), 10_000);
  });

  it('when the launcher is killed, its runs are killed too (no orphan), they end as lost with it (recorded interrupted), and a new launcher takes over', async () => {
    const c = rl.spawn('sleep', ['30'], { cwd: t.home, env: process.env, name: 't' });
    const pid = await waitFor('a pid', () => c.pid, 10_000);
    const old = rl.pid!;
    const ended = exitOf(c);
    process.kill(old, 'SIGKILL');
    assert.deepEqual(await ended, { code: null, signal: 'SIGKILL', lost: 'the run launcher died during this run' });
    await waitFor('the run gone', () => !alive(pid), 10_000);
    await waitFor('a new launcher', () => rl.active && rl.pid !== old, 20_000);
  });
});
