// `clawkeeper service`: files under a temporary root, the service manager through a recording
// runner (never the real launchctl/systemctl), and the real CLI with CLAWKEEPER_SERVICE_ROOT.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'plist';
import { hostProgram, serviceCommand, type ToolResult, type ServiceContext } from '../../main/cli/service.ts';
import { ROOT, tempHome } from '../helpers/home.ts';

function setup(
  platform: NodeJS.Platform,
  answer: (cmd: string, args: string[]) => ToolResult = () => ({ code: 0, output: '', missing: false }), uid = 501,
) {
  const t = tempHome('ck-svc-');
  const calls: string[] = [];
  const lines: string[] = [];
  const ctx: ServiceContext = {
    env: { CLAWKEEPER_HOME: join(t.home, 'home') },
    out: (l) => lines.push(l),
    err: (l) => lines.push(`ERR ${l}`),
    platform,
    root: join(t.home, 'root'),
    userHome: '/Users/ann',
    uid,
    userName: 'ann',
    program: ['/usr/local/bin/node', '/opt/clawkeeper/bin/clawkeeper.js', 'start', '--headless'],
    runner: { run: (cmd, args) => (calls.push(`${cmd} ${args.join(' ')}`), answer(cmd, args)) },
  };
  return { ctx, calls, lines, t };
}

describe('clawkeeper service', () => {
  it('install on macOS writes the LaunchAgent under the root and bootstraps it in the user\'s GUI domain', () => {
    const { ctx, calls, lines, t } = setup('darwin');
    try {
      assert.equal(serviceCommand(ctx, 'install', false), 0);
      const file = join(ctx.root, 'Users/ann/Library/LaunchAgents/org.clawkeeper.host.plist');
      const p = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(p.ProgramArguments, ctx.program);
      assert.deepEqual(calls, ['launchctl bootout gui/501/org.clawkeeper.host', `launchctl bootstrap gui/501 ${file}`]);
      assert.match(lines.join('\n'), /enabled and started/);
      assert.ok(statSync(join(t.home, 'home')).isDirectory(), 'the home folder (working directory) exists');
    } finally {
      t.cleanup();
    }
  });

  it('install --system on Linux writes /etc/systemd/system under the root and enables it', () => {
    const { ctx, calls, t } = setup('linux', undefined, 0);
    try {
      assert.equal(serviceCommand(ctx, 'install', true), 0);
      const unit = readFileSync(join(ctx.root, 'etc/systemd/system/clawkeeper.service'), 'utf8');
      assert.match(unit, /^User=ann$/m);
      assert.deepEqual(calls, ['systemctl daemon-reload', 'systemctl enable --now clawkeeper.service']);
    } finally {
      t.cleanup();
    }
  });

  it('still writes the unit where systemctl cannot be reached, and says how to enable it', () => {
    const { ctx, lines, t } = setup('linux', () => ({ code: 1, output: 'Failed to connect to bus: No medium found', missing: false }));
    try {
      assert.equal(serviceCommand(ctx, 'install', false), 0);
      assert.ok(existsSync(join(ctx.root, 'Users/ann/.config/systemd/user/clawkeeper.service')));
      const text = lines.join('\n');
      assert.match(text, /failed: Failed to connect to bus/);
      assert.match(text, /systemctl --user daemon-reload && systemctl --user enable --now clawkeeper\.service/);
    } finally {
      t.cleanup();
    }
  });

  it('refuses --system without root on the real root, naming sudo, and writes nothing', () => {
    const { ctx, lines, calls, t } = setup('linux');
    try {
      ctx.root = '/';
      assert.equal(serviceCommand(ctx, 'install', true), 1);
      assert.match(lines.join('\n'), /needs root: run it with sudo/);
      assert.deepEqual(calls, []);
    } finally {
      t.cleanup();
    }
  });

  it('status does not call a host the service\'s own when the service manager did not start it (a `clawkeeper start` in a terminal)', () => {
    let mainPid = '0';
    const { ctx, lines, t } = setup(
      'linux',
      (_c, args) => (args.includes('is-active') ? {
        code: 3, output: 'inactive', missing: false,
      } : args.includes('MainPID') ? { code: 0, output: mainPid, missing: false } : { code: 0, output: '', missing: false }),
    );
    try {
      serviceCommand(ctx, 'install', false);
      const home = ctx.env.CLAWKEEPER_HOME!;
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'host.lock'), String(process.pid));
      lines.length = 0;
      assert.equal(serviceCommand(ctx, 'status', false), 1, 'the service is not what runs the host');
      assert.match(
        lines.join('\n'),
        new RegExp(`host: running \\(pid ${process.pid}\\) with .*, but not started by the service \\(the service is inactive\\)`),
      );
      mainPid = String(process.pid);
      lines.length = 0;
      assert.equal(serviceCommand(ctx, 'status', false), 0);
      assert.match(lines.join('\n'), /, started by the service/);
    } finally {
      t.cleanup();
    }
  });

  it('status reports the file, the manager and the host; uninstall stops and removes it', () => {
    const { ctx, calls, lines, t } = setup(
      'linux',
      (_c, args) => ({ code: args.includes('is-active') ? 3 : 0, output: args.includes('is-active') ? 'inactive' : '', missing: false }),
    );
    try {
      assert.equal(serviceCommand(ctx, 'status', false), 3, 'not installed');
      serviceCommand(ctx, 'install', false);
      lines.length = 0;
      assert.equal(serviceCommand(ctx, 'status', false), 1, 'installed, host not running');
      assert.match(lines.join('\n'), /service manager: inactive/);
      assert.match(lines.join('\n'), /host: not running/);
      calls.length = 0;
      assert.equal(serviceCommand(ctx, 'uninstall', false), 0);
      assert.equal(existsSync(join(ctx.root, 'Users/ann/.config/systemd/user/clawkeeper.service')), false);
      assert.deepEqual(calls, ['systemctl --user disable --now clawkeeper.service', 'systemctl --user daemon-reload']);
    } finally {
      t.cleanup();
    }
  });

  it('runs the app\'s own binary headless when it is the packaged app, node + clawkeeper.js otherwise', () => {
    assert.deepEqual(hostProgram('/Applications/ClawKeeper.app/Contents/MacOS/ClawKeeper', { ...process.versions, electron: '45.5.0' }), [
      '/Applications/ClawKeeper.app/Contents/MacOS/ClawKeeper', '--headless',
    ]);
    assert.deepEqual(hostProgram(
      '/usr/bin/node', { ...process.versions, node: '24.1.0' }, '/opt/ck',
    ), ['/usr/bin/node', '/opt/ck/bin/clawkeeper.js', 'start', '--headless']);
    // A system Node too old for ClawKeeper: the unit runs the Node 24 the package installs.
    assert.deepEqual(hostProgram('/usr/bin/node', { ...process.versions, node: '20.20.2' }, ROOT), [
      join(ROOT, 'node_modules', 'node', 'bin', 'node'), join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless',
    ]);
  });

  it('the real CLI with CLAWKEEPER_SERVICE_ROOT writes only under that root and never calls the service manager', () => {
    const t = tempHome('ck-svc-cli-');
    try {
      const root = join(t.home, 'root');
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'service', 'install'], {
        env: { ...process.env, CLAWKEEPER_SERVICE_ROOT: root, CLAWKEEPER_HOME: join(t.home, 'home') },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /is not available here; the file is in place/);
      const written = readdirSync(root, { recursive: true }).map(String).filter(
        (f) => /clawkeeper\.service$|org\.clawkeeper\.host\.plist$/.test(f),
      );
      assert.equal(written.length, 1, written.join(', '));
      assert.match(readFileSync(join(root, written[0]!), 'utf8'), new RegExp(`clawkeeper\\.js`));
    } finally {
      t.cleanup();
    }
  });
});
