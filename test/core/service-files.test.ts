// The service files, validated by real parsers: the `plist` package for launchd, and
// `systemd-analyze verify` (Debian's systemd) for the units.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'plist';
import { launchdPlist, serviceFilePath, systemdUnit, type ServiceSpec } from '../../main/core/install/service-files.ts';
import { ROOT, tempHome } from '../helpers/home.ts';

const program = [process.execPath, join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'];
const spec = (o: Partial<ServiceSpec> = {}): ServiceSpec => ({
  platform: 'linux', scope: 'user', program, home: '/home/ann/.openclaw', ...o,
});
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

function verify(unitText: string): { status: number | null; output: string } {
  const t = tempHome('ck-unit-');
  try {
    const file = join(t.home, 'clawkeeper.service');
    writeFileSync(file, unitText);
    const r = spawnSync(SYSTEMD_ANALYZE, ['verify', file], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    t.cleanup();
  }
}

describe('launchd plist', () => {
  it('is a valid plist with RunAtLoad, KeepAlive, ProcessType Interactive and absolute paths', () => {
    const p = parse(launchdPlist(spec({ platform: 'darwin', home: '/Users/ann/.openclaw & co' }))) as Record<string, unknown>;
    assert.equal(p.Label, 'org.clawkeeper.host');
    assert.deepEqual(p.ProgramArguments, program);
    assert.ok((p.ProgramArguments).every((a, i) => i >= 2 || a.startsWith('/')));
    assert.equal(p.RunAtLoad, true);
    assert.equal(p.KeepAlive, true);
    assert.equal(p.ProcessType, 'Interactive');
    assert.equal(p.WorkingDirectory, '/Users/ann/.openclaw & co');
    const env = p.EnvironmentVariables as Record<string, string>;
    assert.equal(env.CLAWKEEPER_HOME, '/Users/ann/.openclaw & co');
    assert.equal(env.CLAWKEEPER_LOG_FILE, '/Users/ann/.openclaw & co/logs/host.log');
    assert.equal(p.StandardOutPath, '/dev/null', 'the host logs to its own rotating file');
    assert.equal(p.UserName, undefined);
  });

  it('a LaunchDaemon runs as the installing user', () => {
    const p = parse(launchdPlist(spec({ platform: 'darwin', scope: 'system', user: 'ann' }))) as Record<string, unknown>;
    assert.equal(p.UserName, 'ann');
  });
});

describe('systemd unit', { skip: spawnSync(SYSTEMD_ANALYZE, ['--version']).error ? 'skipped: no systemd-analyze' : false }, () => {
  it('a user unit passes systemd-analyze verify and restarts always', () => {
    const text = systemdUnit(spec({ home: '/home/ann/my 100% home' }));
    const r = verify(text);
    assert.equal(r.status, 0, r.output);
    assert.match(text, /^Restart=always$/m);
    assert.match(text, /^WantedBy=default\.target$/m);
    assert.match(text, /^Environment="CLAWKEEPER_HOME=\/home\/ann\/my 100%% home"$/m);
  });

  it('a system unit passes systemd-analyze verify and runs as the installing user', () => {
    const text = systemdUnit(spec({ scope: 'system', user: 'root' }));
    const r = verify(text);
    assert.equal(r.status, 0, r.output);
    assert.match(text, /^User=root$/m);
    assert.match(text, /^WantedBy=multi-user\.target$/m);
  });

  it('systemd-analyze catches a broken unit (the check can fail)', () => {
    const r = verify(systemdUnit(spec({ program: ['relative/node', 'x'] })));
    assert.notEqual(r.status, 0);
  });
});

describe('serviceFilePath', () => {
  it('puts each kind of service where its manager looks, under the given root', () => {
    assert.equal(serviceFilePath('/r', 'darwin', 'user', '/Users/ann'), '/r/Users/ann/Library/LaunchAgents/org.clawkeeper.host.plist');
    assert.equal(serviceFilePath('/r', 'darwin', 'system', '/Users/ann'), '/r/Library/LaunchDaemons/org.clawkeeper.host.plist');
    assert.equal(serviceFilePath('/r', 'linux', 'user', '/home/ann'), '/r/home/ann/.config/systemd/user/clawkeeper.service');
    assert.equal(serviceFilePath('/r', 'linux', 'system', '/home/ann'), '/r/etc/systemd/system/clawkeeper.service');
  });
});
