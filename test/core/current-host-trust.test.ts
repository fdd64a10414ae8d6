// The running-host pointer in a config folder other users can reach (a shared XDG_CONFIG_HOME):
// a pointer another user planted is not followed (it would send this user's commands, and their
// session token, to the other user's home), and a link planted at its name is replaced, never
// written through. The other user is a real one (uid 65534 through setpriv) when the tests run as root.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { followRunningHost } from '../../main/cli/cli-home.ts';
import { currentHostFile, inspectCurrentHost, leaveRunningHostPointer, writeCurrentHost } from '../../main/core/home/current-host.ts';
import { runCli } from '../helpers/cli.ts';
import { tempHomePerTest } from '../helpers/home.ts';

const newHome = tempHomePerTest('ck-ptr-');
const isRoot = process.getuid?.() === 0;
let setprivWorks = false;
try {
  execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  setprivWorks = isRoot;
} catch {
  // no setpriv: the other-user tests say they are skipped
}
const otherUser = setprivWorks ? false : 'needs root and setpriv to act as another user (uid 65534)';

/** Runs a shell command as uid/gid 65534 (another user). */
function asOther(script: string): void {
  execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script], { stdio: 'pipe' });
}

/** A config folder every user may write in (sticky, like /tmp), standing for a shared XDG_CONFIG_HOME. */
function sharedConfig(): { env: NodeJS.ProcessEnv; xdg: string; pointer: string; user: string } {
  const { home: user } = newHome();
  const xdg = join(user, 'shared-config');
  mkdirSync(xdg);
  chmodSync(user, 0o755);
  chmodSync(xdg, 0o1777);
  const env = { HOME: user, XDG_CONFIG_HOME: xdg };
  return { env, xdg, user, pointer: currentHostFile(env) };
}

const pointerJson = (home: string, pid: number) => JSON.stringify({
  home, pid, gatewayPort: 4000, sessionPort: 4001, startedAt: new Date().toISOString(),
});

describe('a running-host pointer another user planted', () => {
  it('is not followed by clawkeeper status, which says why and uses the default home', { skip: otherUser }, async () => {
    const s = sharedConfig();
    const evil = join(s.xdg, 'evilhome');
    // The attacker's home, lock (pid 1 is alive: the liveness check alone would pass) and pointer.
    asOther(
      `mkdir -m 755 ${evil} && echo 1 > ${evil}/host.lock && mkdir -m 755 ${s.xdg}/clawkeeper && echo '${pointerJson(evil, 1)}' > ${s.pointer}`,
    );
    assert.equal(lstatSync(s.pointer).uid, 65534);
    const r = await runCli('', ['status', '--json'], {
      ...s.env, CLAWKEEPER_HOME: undefined, CLAWKEEPER_GATEWAY_PORT: undefined, CLAWKEEPER_SESSION_PORT: undefined,
    });
    assert.match(
      r.err,
      new RegExp(
        `running-host pointer ${s.pointer} is ignored: its folder ${s.xdg}/clawkeeper belongs to another user \\(uid 65534\\); using ${join(s.user, '.openclaw')}`,
      ),
    );
    assert.doesNotMatch(r.out, /evilhome/);
  });

  it('in the user\'s own folder but naming another user\'s home is not followed', { skip: otherUser }, () => {
    const s = sharedConfig();
    const evil = join(s.xdg, 'evilhome');
    asOther(`mkdir -m 755 ${evil} && echo 1 > ${evil}/host.lock`);
    mkdirSync(join(s.xdg, 'clawkeeper'), { mode: 0o700 });
    writeFileSync(s.pointer, pointerJson(evil, 1), { mode: 0o600 });
    const followed = followRunningHost(s.env);
    assert.equal(followed.env.CLAWKEEPER_HOME, undefined);
    assert.match(followed.note ?? '', new RegExp(`is ignored: the home ${evil} belongs to another user \\(uid 65534\\)`));
  });

  it('naming the user\'s own home with a host.lock another user put there is not followed', { skip: otherUser }, () => {
    const s = sharedConfig();
    const { home } = newHome();
    chmodSync(home, 0o777);
    asOther(`echo 1 > ${home}/host.lock`);
    mkdirSync(join(s.xdg, 'clawkeeper'), { mode: 0o700 });
    writeFileSync(s.pointer, pointerJson(home, 1), { mode: 0o600 });
    assert.match(inspectCurrentHost(s.env).problem ?? '', /its host\.lock .* belongs to another user \(uid 65534\)/);
    assert.equal(followRunningHost(s.env).env.CLAWKEEPER_HOME, undefined);
  });
});

describe('a running-host pointer the user cannot trust for other reasons', () => {
  it('a pointer file writable by everyone, or a link, is ignored with the reason', () => {
    const s = sharedConfig();
    const { home } = newHome();
    writeFileSync(join(home, 'host.lock'), String(process.pid));
    mkdirSync(join(s.xdg, 'clawkeeper'), { mode: 0o700 });
    // The user's own pointer to their own live home: followed (the control).
    writeFileSync(s.pointer, pointerJson(home, process.pid), { mode: 0o600 });
    assert.equal(followRunningHost(s.env).env.CLAWKEEPER_HOME, home);
    chmodSync(s.pointer, 0o666);
    assert.match(inspectCurrentHost(s.env).problem ?? '', /is ignored: it .*current-host\.json is writable by other users \(mode 666\)/);
    const real = join(home, 'pointer.json');
    writeFileSync(real, pointerJson(home, process.pid), { mode: 0o600 });
    rmSync(s.pointer);
    symlinkSync(real, s.pointer);
    const r = followRunningHost(s.env);
    assert.equal(r.env.CLAWKEEPER_HOME, undefined);
    assert.match(r.note ?? '', /is ignored: it .*current-host\.json is a symbolic link/);
  });

  it('a pointer folder writable by everyone is ignored when reading and refused when writing', () => {
    const s = sharedConfig();
    const { home } = newHome();
    mkdirSync(join(s.xdg, 'clawkeeper'));
    chmodSync(join(s.xdg, 'clawkeeper'), 0o777);
    assert.throws(
      () => writeCurrentHost(s.env, { home, pid: process.pid, gatewayPort: 1, sessionPort: 2, startedAt: '' }),
      /the folder .*clawkeeper is writable by other users \(mode 777\)/,
    );
    writeFileSync(s.pointer, pointerJson(home, process.pid), { mode: 0o600 });
    assert.match(inspectCurrentHost(s.env).problem ?? '', /its folder .*clawkeeper is writable by other users/);
  });
});

describe('writing the running-host pointer', () => {
  it('makes its folder 0700 and the pointer 0600', () => {
    const s = sharedConfig();
    const { home } = newHome();
    writeFileSync(join(home, 'host.lock'), String(process.pid));
    const clear = leaveRunningHostPointer(s.env, { home, gatewayPort: 1, sessionPort: 2 }, { warn: (m) => assert.fail(m) });
    assert.equal(lstatSync(join(s.xdg, 'clawkeeper')).mode & 0o777, 0o700);
    assert.equal(lstatSync(s.pointer).mode & 0o777, 0o600);
    assert.equal(inspectCurrentHost(s.env).host?.home, home);
    clear();
    assert.equal(inspectCurrentHost(s.env).host, null);
  });

  it('replaces a link planted at the pointer\'s name instead of overwriting the file it points to', () => {
    const s = sharedConfig();
    const { home } = newHome();
    const victim = join(home, 'precious.txt');
    writeFileSync(victim, 'keep me\n');
    mkdirSync(join(s.xdg, 'clawkeeper'), { mode: 0o700 });
    symlinkSync(victim, s.pointer);
    const warnings: string[] = [];
    leaveRunningHostPointer(s.env, { home, gatewayPort: 1, sessionPort: 2 }, { warn: (m) => warnings.push(m) });
    assert.deepEqual(warnings, []);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me\n');
    assert.ok(lstatSync(s.pointer).isFile());
    assert.equal((JSON.parse(readFileSync(s.pointer, 'utf8')) as { home: string }).home, home);
  });

  it('refuses, with a warning, a pointer folder another user made (and writes nothing through it)', { skip: otherUser }, () => {
    const s = sharedConfig();
    const { home } = newHome();
    const victim = join(home, 'precious.txt');
    writeFileSync(victim, 'keep me\n');
    chmodSync(home, 0o755);
    asOther(`mkdir -m 755 ${s.xdg}/clawkeeper && ln -s ${victim} ${s.pointer}`);
    const warnings: string[] = [];
    leaveRunningHostPointer(s.env, { home, gatewayPort: 1, sessionPort: 2 }, { warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /cannot leave the running-host pointer .*the folder .*clawkeeper belongs to another user \(uid 65534\)/);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me\n');
    assert.ok(lstatSync(s.pointer).isSymbolicLink());
  });
});
