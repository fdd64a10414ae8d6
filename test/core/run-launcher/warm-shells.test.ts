import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { execLine, findExecutable, WarmShells } from '../../../main/core/runs/run-launcher/warm-shells.js';
import { tempHome, waitFor } from '../../helpers/home.ts';
import { alive } from '../../helpers/pids.ts';

function runIn(sh: ChildProcess, line: string): Promise<{ out: string; code: number | null }> {
  let out = '';
  sh.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<{ out: string; code: number | null }>((r) => sh.once('close', (code) => r({ out, code })));
  sh.stdin!.end(line);
  return done;
}

describe('warm shells: idle sh processes that become a run with one pipe write', () => {
  it('a run in a warm shell gets its arguments verbatim (quotes, newlines, $), exactly its environment, and its folder', async () => {
    const t = tempHome();
    const pool = new WarmShells(1, 1);
    after(() => {
      pool.stop();
      t.cleanup();
    });
    pool.refill();
    await waitFor('a warm shell', () => pool.idle.length === 1, 10_000);
    const sh = pool.take()!;
    const node = process.execPath;
    const script = 'console.log(JSON.stringify({ argv: process.argv.slice(1), env: Object.keys(process.env).sort(), '
      + 'a: process.env.A, cwd: process.cwd() }))';
    const r = await runIn(
      sh,
      execLine({
        file: node, args: ['-e', script, "it's", 'two\nlines', '$HOME'], cwd: t.home,
        env: { A: "x 'y' $z", PATH: '/usr/bin:/bin' }, ipc: false,
      }),
    );
    const got = JSON.parse(r.out) as { argv: string[]; env: string[]; a: string; cwd: string };
    assert.equal(r.code, 0);
    assert.deepEqual(got.argv, ["it's", 'two\nlines', '$HOME']);
    assert.equal(got.a, "x 'y' $z");
    assert.equal(got.cwd, t.home);
    assert.deepEqual(got.env.filter((k) => !['PWD', 'OLDPWD', 'SHLVL', '_'].includes(k)), ['A', 'PATH']);
  });

  it('grows to the largest burst asked for and refills in the background', async () => {
    const pool = new WarmShells(2, 8);
    after(() => pool.stop());
    pool.refill();
    await waitFor('2 warm', () => pool.idle.length === 2, 10_000);
    const taken = [pool.take(), pool.take(), pool.take(), pool.take(), pool.take()];
    assert.equal(taken.filter(Boolean).length, 2, 'two were warm; the others start directly');
    await waitFor('5 warm for the next burst', () => pool.idle.length === 5, 20_000);
    for (const sh of taken) sh?.stdin?.end();
    pool.stop();
  });

  it('idle shells exit by themselves once the pool stops (their stdin closes): no orphan', async () => {
    const pool = new WarmShells(3, 3);
    pool.refill();
    await waitFor('3 warm', () => pool.idle.length === 3, 10_000);
    const pids = pool.idle.map((s) => s.pid!);
    pool.stop();
    await waitFor('all gone', () => pids.every((p) => !alive(p)), 10_000);
  });

  it('finds a program as execvp would, and nothing for one that does not exist', () => {
    assert.equal(findExecutable('sh', '/', { PATH: '/nonexistent:/bin' }), '/bin/sh');
    assert.equal(findExecutable('clawkeeper-no-such-program', '/', { PATH: '/bin:/usr/bin' }), null);
  });
});
