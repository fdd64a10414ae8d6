// What a newcomer tries first with the CLI (issue #23, item 7), each through real `clawkeeper`
// processes: help, pause/resume, finding the running host without repeating its home and ports,
// JSON syntax errors with line and column, and the status line in `logs`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { ROOT, tempHome, writeSkill } from '../helpers/home.ts';
import { startHostProcess } from '../helpers/host-process.ts';

interface Skill {
  name: string;
  state: string;
}

/** A temp folder standing for the user's HOME and XDG_CONFIG_HOME, so no pointer or default home of the machine is touched. */
function userDirs() {
  const t = tempHome('ck-user-');
  const env = { HOME: t.home, XDG_CONFIG_HOME: join(t.home, '.config') };
  return { ...t, env, pointer: join(t.home, '.config', 'clawkeeper', 'current-host.json') };
}

/** A CLI call as a user in a new terminal makes it: no CLAWKEEPER_HOME, no port variables. */
function bareCli(env: Record<string, string>, args: string[]) {
  return runCli('', args, { ...env, CLAWKEEPER_HOME: undefined, CLAWKEEPER_GATEWAY_PORT: undefined, CLAWKEEPER_SESSION_PORT: undefined });
}

function skillsOf(out: string): Skill[] {
  return (JSON.parse(out) as { skills: Skill[] }).skills;
}

describe('clawkeeper help', () => {
  it('prints the usage, with every command, and exits 0', async () => {
    const t = tempHome();
    try {
      const r = await runCli(t.home, ['help']);
      assert.equal(r.code, 0, r.err);
      for (const c of [
        'start', 'status', 'pause <name>', 'resume <name>', 'logs <name>', 'run-once',
      ]) assert.match(r.out, new RegExp(`\\n  ${c}`));
      assert.equal(r.err, '');
    } finally {
      t.cleanup();
    }
  });

  it('an unknown command still exits 64 with the usage on stderr', async () => {
    const t = tempHome();
    try {
      const r = await runCli(t.home, ['hepl']);
      assert.equal(r.code, 64);
      assert.match(r.err, /unknown command "hepl"[\s\S]*usage: clawkeeper/);
    } finally {
      t.cleanup();
    }
  });

  it('npx clawkeeper runs this package\'s own command from the clone', async () => {
    const t = tempHome();
    try {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn('npx', ['--offline', 'clawkeeper', 'help'], {
          cwd: ROOT, env: { ...process.env, CLAWKEEPER_HOME: t.home, npm_config_update_notifier: 'false' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        p.stdout.on('data', (c: Buffer) => (out += c.toString()));
        p.on('close', (code) => resolve({ code, out }));
      });
      assert.equal(r.code, 0);
      assert.match(r.out, /usage: clawkeeper <command>/);
    } finally {
      t.cleanup();
    }
  });
});

describe('clawkeeper pause and resume', () => {
  it('with no host running, pause is kept in runs/_paused.json and status shows the skill paused; resume undoes it', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'nightly', { schedule: '0 3 * * *' }, 'ok.mjs');
      const p = await runCli(t.home, ['pause', 'nightly']);
      assert.equal(p.code, 0, p.err);
      assert.match(p.out, /nightly: paused \(no host is running/);
      const kept = JSON.parse(readFileSync(join(t.home, 'runs', '_paused.json'), 'utf8')) as { name: string }[];
      assert.deepEqual(kept.map((x) => x.name), ['nightly']);
      const s = await runCli(t.home, ['status', '--json']);
      assert.equal(skillsOf(s.out).find((x) => x.name === 'nightly')?.state, 'paused');
      const r = await runCli(t.home, ['resume', 'nightly']);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(readFileSync(join(t.home, 'runs', '_paused.json'), 'utf8')), []);
    } finally {
      t.cleanup();
    }
  });

  it('an unknown skill is refused with exit 1, naming it, and writes nothing', async () => {
    const t = tempHome();
    try {
      const r = await runCli(t.home, ['pause', 'nope']);
      assert.equal(r.code, 1);
      assert.match(r.err, /no skill named "nope"/);
      assert.equal(existsSync(join(t.home, 'runs', '_paused.json')), false);
    } finally {
      t.cleanup();
    }
  });

  it('pause without a skill name is a usage error (64)', async () => {
    const t = tempHome();
    try {
      const r = await runCli(t.home, ['pause']);
      assert.equal(r.code, 64);
      assert.match(r.err, /a skill name is needed/);
    } finally {
      t.cleanup();
    }
  });
});

describe('the CLI finds the running host', () => {
  it('a host started with CLAWKEEPER_HOME and ports is reached by pause, status and open in a new terminal, and forgotten when it stops', async () => {
    const u = userDirs();
    const t = tempHome();
    writeSkill(t.home, 'nightly', { schedule: '0 3 * * *' }, 'ok.mjs');
    const host = await startHostProcess(t.home, u.env);
    try {
      const ptr = JSON.parse(readFileSync(u.pointer, 'utf8')) as { home: string; gatewayPort: number };
      assert.equal(ptr.home, t.home);
      assert.equal(ptr.gatewayPort, host.gatewayPort);

      const p = await bareCli(u.env, ['pause', 'nightly']);
      assert.equal(p.code, 0, p.err);
      assert.match(p.out, /nightly: paused by the host/);
      assert.match(p.err, new RegExp(`using the running host's home ${t.home}`));
      const s = await bareCli(u.env, ['status', '--json']);
      assert.equal(skillsOf(s.out).find((x) => x.name === 'nightly')?.state, 'paused');
      // open prints the gateway's real port, which was only ever given to the host.
      const o = await bareCli(u.env, ['open']);
      assert.equal(o.code, 0, o.err);
      assert.match(o.out, new RegExp(`^http://127\\.0\\.0\\.1:${host.gatewayPort}/login#code=`));
      const r = await bareCli(u.env, ['resume', 'nightly']);
      assert.match(r.out, /nightly: resumed by the host/);
    } finally {
      await host.stop();
    }
    try {
      assert.equal(existsSync(u.pointer), false, 'a clean stop removes the pointer');
    } finally {
      t.cleanup();
      u.cleanup();
    }
  });

  it('an explicit CLAWKEEPER_HOME wins over the pointer, silently', async () => {
    const u = userDirs();
    const running = tempHome();
    const other = tempHome();
    writeSkill(running.home, 'only-there', { schedule: '0 3 * * *' }, 'ok.mjs');
    const host = await startHostProcess(running.home, u.env);
    try {
      const s = await runCli(other.home, ['status', '--json'], { ...u.env, CLAWKEEPER_GATEWAY_PORT: undefined });
      assert.equal(s.err, '');
      assert.equal(skillsOf(s.out).some((x) => x.name === 'only-there'), false);
    } finally {
      await host.stop();
      running.cleanup();
      other.cleanup();
      u.cleanup();
    }
  });

  it('a pointer whose host is gone is not followed, and the command says so', async () => {
    const u = userDirs();
    const gone = tempHome();
    try {
      writeSkill(gone.home, 'only-there', { schedule: '0 3 * * *' }, 'ok.mjs');
      mkdirSync(join(u.env.XDG_CONFIG_HOME, 'clawkeeper'), { recursive: true });
      // pid 2^22 + 1 is above Linux's pid_max: no process has it.
      writeFileSync(
        u.pointer,
        JSON.stringify({ home: gone.home, pid: 4194305, gatewayPort: 4000, sessionPort: 4001, startedAt: new Date().toISOString() }),
      );
      writeFileSync(join(gone.home, 'host.lock'), '4194305');
      const s = await bareCli(u.env, ['status', '--json']);
      assert.match(
        s.err,
        new RegExp(`host started last \\(pid 4194305, home ${gone.home}\\) is not running; using ${join(u.home, '.openclaw')}`),
      );
      assert.equal(skillsOf(s.out).some((x) => x.name === 'only-there'), false);
    } finally {
      gone.cleanup();
      u.cleanup();
    }
  });
});

describe('skill.json mistakes and the status line', () => {
  it('a trailing comma is reported with its line and column, and other skills stay valid', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'good', { schedule: '0 3 * * *' }, 'ok.mjs');
      mkdirSync(join(t.home, 'skills', 'typo'), { recursive: true });
      writeFileSync(join(t.home, 'skills', 'typo', 'skill.json'), '{\n  "name": "typo",\n  "schedule": "0 3 * * *",\n}\n');
      const r = await runCli(t.home, ['skills']);
      assert.equal(r.code, 1);
      assert.match(
        r.out,
        /typo\/skill\.json: \(file\): not valid JSON at line 4, column 1: .*a trailing comma, remove the comma before it/,
      );
      assert.match(r.out, /good\s+user\s+0 3 \* \* \*\s+valid/);
    } finally {
      t.cleanup();
    }
  });

  it('logs shows the status line the last run wrote', async () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'once', { schedule: '0 3 * * *' }, 'ok.mjs');
      const run = await runCli(t.home, ['run', 'once']);
      assert.equal(run.code, 0, run.err + run.out);
      const line = readFileSync(join(t.home, 'skills', 'status', 'once.txt'), 'utf8').trim();
      assert.match(line, /^status=success,/);
      const r = await runCli(t.home, ['logs', 'once']);
      assert.equal(r.code, 0, r.err);
      assert.ok(r.out.includes(`status line (${join(t.home, 'skills', 'status', 'once.txt')}):\n${line}\n`), r.out);
    } finally {
      t.cleanup();
    }
  });
});
