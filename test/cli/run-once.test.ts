import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { readLedger, ROOT, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';
import { startHostProcess } from '../helpers/host-process.ts';

interface Done {
  code: number | null;
  out: string;
  err: string;
}

function runOnceProcess(home: string, args: string[]): { done: Promise<Done>; kill: (s: NodeJS.Signals) => void; output: () => string } {
  const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'run-once', ...args], {
    env: { ...process.env, CLAWKEEPER_HOME: home, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (c: Buffer) => (out += c.toString()));
  p.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    done: new Promise((resolve) => p.on('close', (code) => resolve({ code, out, err }))),
    kill: (s) => p.kill(s),
    output: () => out,
  };
}

const SLOT = '2026-01-05T10:00:00.000Z';

describe('clawkeeper run-once', () => {
  const afterTest = cleanupsPerTest();

  it('runs a slot once, and a second run-once of the same slot is refused with exit 0', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    writeSkill(t.home, 'quick', { schedule: '0 * * * *', timezone: 'UTC' }, 'ok.mjs');
    const first = await runOnceProcess(t.home, ['quick', '--slot', SLOT]).done;
    assert.equal(first.code, 0, first.out + first.err);
    assert.match(first.out, /quick: success in \d+ ms/);
    const second = await runOnceProcess(t.home, ['quick', '--slot', SLOT]).done;
    assert.equal(second.code, 0, second.out + second.err);
    assert.match(second.out, /slot 2026-01-05T10:00:00.000Z is already in the ledger \(success\)/);
    assert.deepEqual(readLedger(t.home, 'quick').map((e) => e.type), ['start', 'end']);
  });

  it('of two run-once started together for one slot, exactly one runs it and the other is refused with exit 0', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    writeSkill(t.home, 'slow', { schedule: '0 * * * *', timezone: 'UTC', env: { SLEEP_MS: '1500' } }, 'ok.mjs');
    const [a, b] = await Promise.all([
      runOnceProcess(t.home, ['slow', '--slot', SLOT]).done, runOnceProcess(t.home, ['slow', '--slot', SLOT]).done,
    ]);
    assert.equal(a.code, 0, a.out + a.err);
    assert.equal(b.code, 0, b.out + b.err);
    const ran = [a, b].filter((r) => /slow: success/.test(r.out));
    const refused = [a, b].filter((r) => /being run by|already in the ledger/.test(r.out));
    assert.equal(ran.length, 1, a.out + '\n---\n' + b.out);
    assert.equal(refused.length, 1, a.out + '\n---\n' + b.out);
    const starts = readLedger(t.home, 'slow').filter((e) => e.type === 'start');
    assert.equal(starts.length, 1);
  });

  it('records a run stopped by SIGTERM as interrupted and exits 5', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    writeSkill(t.home, 'slow', { schedule: '0 * * * *', timezone: 'UTC', env: { SLEEP_MS: '30000' } }, 'ok.mjs');
    const p = runOnceProcess(t.home, ['slow', '--slot', SLOT]);
    await waitFor('the run to start', () => /started as run/.test(p.output()));
    p.kill('SIGTERM');
    const r = await p.done;
    assert.equal(r.code, 5, r.out + r.err);
    const end = readLedger(t.home, 'slow').find((e) => e.type === 'end');
    assert.equal(end?.outcome, 'interrupted');
  });

  it('refuses to run beside a host that holds the home but does not answer on host.sock (exit 75), and leaves the ledger untouched', async () => {
    const t = tempHome();
    writeSkill(t.home, 'quick', { schedule: '0 0 1 1 *', timezone: 'UTC' }, 'ok.mjs');
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger() });
    await host.start();
    afterTest(async () => {
      await host.stop(true);
      t.cleanup();
    });
    const r = await runOnceProcess(t.home, ['quick', '--slot', '2026-01-01T00:00:00Z']).done;
    assert.equal(r.code, 75, r.out + r.err);
    assert.match(r.err, /holds .* but does not answer|a ClawKeeper host is running/);
    assert.deepEqual(readLedger(t.home, 'quick'), []);
  });

  it('hands a slot to a running host, which runs it once, exits with its outcome, and a second hand-off of the slot is refused with exit 0', async () => {
    const t = tempHome();
    writeSkill(t.home, 'quick', { schedule: '0 0 1 1 *', timezone: 'UTC' }, 'ok.mjs');
    const host = await startHostProcess(t.home);
    afterTest(async () => {
      await host.stop();
      t.cleanup();
    });
    const r = await runOnceProcess(t.home, ['quick', '--slot', '2026-01-01T00:00:00Z']).done;
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /slot 2026-01-01T00:00:00.000Z handed to the running host \(run \S+\)/);
    assert.match(r.out, /quick: success in \d+ ms \(run \S+, attempt 1, by the host\)/);
    const again = await runOnceProcess(t.home, ['quick', '--slot', '2026-01-01T00:00:00Z']).done;
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(again.out, /already in the running host's ledger/);
    const starts = readLedger(t.home, 'quick').filter((e) => e.type === 'start');
    assert.equal(starts.length, 1);
    assert.equal(starts[0]!.host_pid, host.proc.pid, 'the host ran it, not run-once');
  });

  it('follows the host\'s retries of a handed slot and exits 1 when every attempt fails', async () => {
    const t = tempHome();
    writeSkill(
      t.home, 'flaky',
      { schedule: '0 0 1 1 *', timezone: 'UTC', retries: { max: 1, backoffSeconds: 0.1 }, env: { SUCCEED_AT: '9' } },
      'flaky.mjs',
    );
    const host = await startHostProcess(t.home);
    afterTest(async () => {
      await host.stop();
      t.cleanup();
    });
    const r = await runOnceProcess(t.home, ['flaky', '--slot', '2026-01-01T00:00:00Z']).done;
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /flaky: failure in \d+ ms \(run \S+, attempt 1, by the host\)/);
    assert.match(r.out, /flaky: failure in \d+ ms \(run \S+, attempt 2, by the host\)/);
  });

  it('runs as a non-root user in a home folder it cannot chmod (the root of a mounted volume, as in a pod)', {
    skip: process.getuid?.() === 0 ? false : 'needs root to run the child as another user',
  }, async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    writeSkill(t.home, 'quick', { schedule: '0 * * * *', timezone: 'UTC' }, 'ok.mjs');
    // As a volume writable by the pod's group (fsGroup): the root not ours to chmod. Not writable
    // by every user: run-once refuses a skills/ anyone could plant a skill in.
    spawnSync('chown', ['-R', '0:1000', t.home]);
    spawnSync('chmod', ['-R', 'ug+rwX,o-rwx', t.home]);
    const r = await new Promise<Done>((resolve) => {
      const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'run-once', 'quick', '--slot', SLOT], {
        uid: 1000, gid: 1000, env: { ...process.env, CLAWKEEPER_HOME: t.home },
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr.on('data', (c: Buffer) => (err += c.toString()));
      p.on('close', (code) => resolve({ code, out, err }));
    });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, /cannot make .* private \(0700\)/);
    assert.deepEqual(readLedger(t.home, 'quick').map((e) => e.type), ['start', 'end']);
  });

  it('names the problem and exits 64 on a bad --trigger, 66 on an unknown skill', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    const bad = await runOnceProcess(t.home, ['quick', '--trigger', 'catch-up']).done;
    assert.equal(bad.code, 64);
    assert.match(bad.err, /--trigger must be schedule or manual/);
    const unknown = await runOnceProcess(t.home, ['nope']).done;
    assert.equal(unknown.code, 66);
    assert.match(unknown.err, /no skill named "nope"/);
  });
});
