import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clawkeeper } from '../../helpers/cli-process.ts';
import { tempHome, writeSkill } from '../../helpers/home.ts';

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

function verify(dir: string, files: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(SYSTEMD_ANALYZE, ['verify', ...files.map((f) => `./${f}`)], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

function skills(home: string): void {
  writeSkill(home, 'poster', { schedule: '0 9 * * MON-FRI', timezone: 'America/New_York', timeoutSeconds: 120, catchUp: 'once' }, 'ok.mjs');
  writeSkill(home, 'digest', { schedule: '30 2 * * *', timezone: 'Europe/Berlin', overlap: 'queue', catchUp: 'skip' }, 'ok.mjs');
  writeSkill(home, 'either', { schedule: '0 12 13 * 5', timezone: 'UTC', catchUp: { mode: 'all', max: 3 } }, 'ok.mjs');
  writeSkill(home, 'month-end', { schedule: '0 4 L * *' }, 'ok.mjs');
  writeSkill(home, 'odd%name', { schedule: '0 4 * * *' }, 'ok.mjs');
}

describe('clawkeeper export systemd', {
  skip: existsSync(SYSTEMD_ANALYZE) ? false : `${SYSTEMD_ANALYZE} is missing (.ci/run installs systemd)`,
}, () => {
  it('writes a service and a timer per skill that systemd-analyze verify accepts, even for a home path with % and spaces', async () => {
    const t = tempHome('ck sd%i-');
    try {
      skills(t.home);
      const out = join(t.home, 'units');
      const r = await clawkeeper(t.home, ['export', 'systemd', '--out', out]);
      assert.equal(r.code, 0, r.out + r.err);
      const units = readdirSync(out).filter((f) => f.startsWith('clawkeeper-'));
      for (const skill of ['poster', 'digest', 'either']) {
        assert.ok(units.includes(`clawkeeper-${skill}.service`) && units.includes(`clawkeeper-${skill}.timer`), skill);
      }
      const v = verify(out, units);
      assert.equal(v.status, 0, v.stderr);
      assert.doesNotMatch(v.stderr, /ignoring|bad|fail|not executable/i);
      assert.match(readFileSync(join(out, 'clawkeeper-poster.service'), 'utf8'), /Environment=".*ck sd%%i-/);
    } finally {
      t.cleanup();
    }
  });

  it('has systemd-analyze verify reject a unit it should (the check is real)', () => {
    const t = tempHome();
    try {
      writeFileSync(join(t.home, 'x.service'), '[Service]\nType=oneshot\nExecStart=/nonexistent/clawkeeper run-once x\n');
      writeFileSync(join(t.home, 'x.timer'), '[Timer]\nOnCalendar=someday 99:99\n');
      const v = verify(t.home, ['x.service', 'x.timer']);
      assert.notEqual(v.status, 0);
      assert.match(v.stderr, /not executable|Failed to parse calendar/);
    } finally {
      t.cleanup();
    }
  });

  it('converts the schedule, zone, catchUp and timeout, runs run-once by absolute path, and lists what does not map', async () => {
    const t = tempHome();
    try {
      skills(t.home);
      const out = join(t.home, 'units');
      const r = await clawkeeper(t.home, ['export', 'systemd', '--out', out]);
      const read = (f: string) => readFileSync(join(out, f), 'utf8');
      assert.match(read('clawkeeper-poster.timer'), /^OnCalendar=Mon\.\.Fri \*-\*-\* 09:00:00 America\/New_York$/m);
      assert.match(read('clawkeeper-poster.timer'), /^Persistent=true$/m);
      assert.match(read('clawkeeper-digest.timer'), /^Persistent=false$/m);
      // day of month OR weekday: two OnCalendar lines, which a timer unites
      assert.deepEqual(read('clawkeeper-either.timer').match(/^OnCalendar=.*$/gm), [
        'OnCalendar=Fri *-*-* 12:00:00 UTC', 'OnCalendar=*-*-13 12:00:00 UTC',
      ]);
      const service = read('clawkeeper-poster.service');
      assert.match(service, /^TimeoutStopSec=120$/m);
      const exec = /^ExecStart="([^"]+)" "([^"]+)" run-once poster$/m.exec(service);
      assert.ok(exec, service);
      assert.ok(existsSync(exec[1]!) && existsSync(exec[2]!), 'ExecStart names files that exist');
      assert.match(service, new RegExp(`^Environment="CLAWKEEPER_HOME=${t.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`, 'm'));
      assert.match(
        r.out,
        /digest: schedule "30 2 \* \* \*" meets a DST change of Europe\/Berlin on \d{4}-03-\d\d.*ClawKeeper runs it at 03:00 local and systemd does not/,
      );
      assert.match(r.out, /digest: overlap "queue"/);
      assert.match(r.out, /either: catchUp "all"/);
      assert.match(r.out, /month-end: schedule "0 4 L \* \*" has no OnCalendar equivalent.*no units written/);
      assert.match(r.out, /odd%name: invalid, not exported/);
      assert.match(read('clawkeeper-digest.timer'), /^# Not exact: schedule "30 2 \* \* \*" meets a DST change/m);
      assert.equal(existsSync(join(out, 'clawkeeper-month-end.timer')), false);
    } finally {
      t.cleanup();
    }
  });
});

describe('clawkeeper export (arguments)', () => {
  it('names the valid targets when the target is unknown, and exits 64', async () => {
    const t = tempHome();
    try {
      const r = await clawkeeper(t.home, ['export', 'nomad']);
      assert.equal(r.code, 64);
      assert.match(r.err, /unknown target "nomad"; valid targets: kubernetes, systemd, launchd/);
    } finally {
      t.cleanup();
    }
  });

  it('explains every target and option in --help', async () => {
    const t = tempHome();
    try {
      const r = await clawkeeper(t.home, ['export', '--help']);
      assert.equal(r.code, 0);
      for (const word of [
        'kubernetes', 'systemd', 'launchd', '--out', '--image', '--namespace', 'run-once',
      ]) assert.ok(r.out.includes(word), word);
      const k = await clawkeeper(t.home, ['export', 'systemd', '--image', 'x']);
      assert.equal(k.code, 64);
      assert.match(k.err, /--image and --namespace are for the kubernetes target only/);
    } finally {
      t.cleanup();
    }
  });
});
