import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pruneLogs } from '../../main/core/runs/run-output.ts';
import { clawkeeper } from '../helpers/cli-process.ts';
import { runCli } from '../helpers/cli.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';

// Issue #18, items 5 and 7: files written or deleted through links someone else planted.

/** A file that must survive: mode 0600, known content. */
function victim(dir: string, name = 'precious.conf'): { path: string; intact: () => boolean } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, 'do not touch\n', { mode: 0o600 });
  return { path, intact: () => readFileSync(path, 'utf8') === 'do not touch\n' && (statSync(path).mode & 0o777) === 0o600 };
}

describe('export --out never writes through a link and refuses a folder others can write', () => {
  it('replaces links planted at every unit name with the units, leaving the files they pointed to untouched', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'poster', { schedule: '0 9 * * *' }, 'ok.mjs');
      const first = await clawkeeper(t.home, ['export', 'systemd', '--out', join(t.home, 'scratch')]);
      assert.equal(first.code, 0, first.out + first.err);
      const names = readdirSync(join(t.home, 'scratch'));
      assert.ok(names.includes('clawkeeper-poster.service'), names.join(' '));
      const out = join(t.home, 'units');
      mkdirSync(out, { mode: 0o755 });
      const target = victim(join(t.home, 'elsewhere'));
      for (const n of names) symlinkSync(target.path, join(out, n));
      const r = await clawkeeper(t.home, ['export', 'systemd', '--out', out]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.ok(target.intact(), 'the linked file is unchanged');
      for (const n of names) {
        assert.ok(lstatSync(join(out, n)).isFile(), `${n} is now a file of its own`);
        assert.equal(readFileSync(join(out, n), 'utf8'), readFileSync(join(t.home, 'scratch', n), 'utf8'));
      }
      assert.deepEqual(readdirSync(out).sort(), [...names].sort(), 'no temp file left behind');
    } finally {
      t.cleanup();
    }
  });

  it('refuses a folder writable by every user, sticky or not, with a message that names it and what to do; writes nothing', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'poster', { schedule: '0 9 * * *' }, 'ok.mjs');
      for (const mode of [0o777, 0o1777]) {
        const out = join(t.home, `shared-${mode.toString(8)}`);
        mkdirSync(out);
        chmodSync(out, mode);
        const r = await clawkeeper(t.home, ['export', 'launchd', '--out', out]);
        assert.equal(r.code, 73, r.out + r.err);
        assert.match(
          r.err,
          new RegExp(`refusing to write into ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*writable by every user.*--out`),
        );
        assert.deepEqual(readdirSync(out), []);
      }
    } finally {
      t.cleanup();
    }
  });
});

describe('log clean-up and the status file never follow a link the host did not make', () => {
  it('clean-up deletes only run-id-named regular files: a user file and a link named like a run log are kept, the linked file untouched', () => {
    const t = tempHome();
    try {
      const dir = join(t.home, 'logs', 'poster');
      mkdirSync(dir, { recursive: true });
      const now = Date.now() / 1000;
      const runLogs = Array.from({ length: 8 }, (_, i) => `${(1_700_000_000_000 + i).toString(36)}-0000000${i}.log`);
      runLogs.forEach((f, i) => {
        writeFileSync(join(dir, f), 'run\n');
        utimesSync(join(dir, f), now - 100 + i, now - 100 + i);
      });
      writeFileSync(join(dir, 'notes.log'), 'mine\n');
      utimesSync(join(dir, 'notes.log'), now - 1000, now - 1000);
      const target = victim(join(t.home, 'elsewhere'), 'old-00000000.log');
      symlinkSync(target.path, join(dir, 'aaaa-ffffffff.log'));
      utimesSync(dir, now, now);
      pruneLogs(dir, 3);
      const left = readdirSync(dir).sort();
      assert.deepEqual(left, ['aaaa-ffffffff.log', 'notes.log', ...runLogs.slice(-3)].sort());
      assert.ok(target.intact());
    } finally {
      t.cleanup();
    }
  });

  it('with logs/<skill> a link to another folder, a real run deletes nothing there and writes nothing there', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs');
      const other = join(t.home, 'other-folder');
      mkdirSync(other);
      const theirs = Array.from({ length: 35 }, (_, i) => `${(1_600_000_000_000 + i).toString(36)}-${String(i).padStart(8, '0')}.log`);
      for (const f of theirs) writeFileSync(join(other, f), 'theirs\n');
      mkdirSync(join(t.home, 'logs'), { recursive: true });
      symlinkSync(other, join(t.home, 'logs', 'poster'));
      // 35 files named like run logs: past the 30 kept, a clean-up following the link would delete 5.
      const r = await runCli(t.home, ['run', 'poster']);
      assert.equal(r.code, 0, r.out + r.err);
      assert.deepEqual(readdirSync(other).sort(), theirs.sort(), 'the linked folder is as it was');
      for (const f of theirs) assert.equal(readFileSync(join(other, f), 'utf8'), 'theirs\n');
    } finally {
      t.cleanup();
    }
  });

  it('a link planted at skills/status/<skill>.txt is replaced by the status file, never written through', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs');
      mkdirSync(join(t.home, 'skills', 'status'), { recursive: true });
      const target = victim(join(t.home, 'elsewhere'));
      const status = join(t.home, 'skills', 'status', 'poster.txt');
      symlinkSync(target.path, status);
      const r = await runCli(t.home, ['run', 'poster']);
      assert.equal(r.code, 0, r.out + r.err);
      assert.ok(target.intact(), 'the linked file is unchanged');
      assert.ok(lstatSync(status).isFile());
      assert.match(readFileSync(status, 'utf8'), /^status=success,/);
      assert.equal(statSync(status).mode & 0o777, 0o600);
    } finally {
      t.cleanup();
    }
  });
});
