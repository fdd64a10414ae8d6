import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createUtilityLauncher } from '../../main/electron/utility-launcher.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = undefined;
  stdout = new PassThrough();
  stderr = new PassThrough();
  posted: unknown[] = [];
  killed = 0;
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  kill() {
    this.killed++;
    return true;
  }
}

describe('ProcessLauncher on Electron utilityProcess', () => {
  it('forks with piped stdio, the env, cwd and a service name, and maps messages and exits', () => {
    const forks: unknown[] = [];
    const child = new FakeUtilityProcess();
    const launcher = createUtilityLauncher({ fork: (modulePath, args, options) => (forks.push({ modulePath, args, options }), child) });
    const h = launcher.fork('/app/skill-child.js', [], { cwd: '/skills/x', env: { A: '1' }, name: 'skill x' });
    assert.deepEqual(forks, [{
      modulePath: '/app/skill-child.js', args: [],
      options: { cwd: '/skills/x', env: { A: '1' }, stdio: 'pipe', serviceName: 'skill x' },
    }]);
    const got: unknown[] = [];
    const exits: unknown[] = [];
    h.onMessage((m) => got.push(m));
    h.onExit((e) => exits.push(e));
    let sent = false;
    h.send({ type: 'snapshot' }, () => (sent = true));
    assert.deepEqual(child.posted, [{ type: 'snapshot' }]);
    assert.equal(sent, true);
    child.emit('message', { type: 'result' });
    assert.deepEqual(got, [{ type: 'result' }]);
    assert.equal(h.kill('SIGTERM'), true, 'no pid yet: falls back to utilityProcess.kill()');
    assert.equal(child.killed, 1);
    child.emit('exit', 0);
    assert.deepEqual(exits, [{ code: null, signal: 'SIGTERM' }]);
    assert.equal(h.kill('SIGKILL'), false, 'an exited child is not killed again');
  });

  it('keeps command skills on child_process.spawn', () => {
    const launcher = createUtilityLauncher({ fork: () => assert.fail('commands must not go through utilityProcess') });
    const h = launcher.spawn('true', [], { cwd: '/', env: process.env, name: 'true' });
    assert.ok(typeof h.pid === 'number');
    h.kill('SIGKILL');
  });

  it('moves a utility process into the run\'s cgroup as soon as it has a pid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-cgroup-'));
    const procs = join(dir, 'cgroup.procs');
    writeFileSync(procs, '');
    const child = new FakeUtilityProcess();
    const launcher = createUtilityLauncher({ fork: () => child });
    launcher.fork('/app/skill-child.js', [], { cwd: '/', env: {}, name: 'skill x', cgroupProcs: procs });
    assert.equal(readFileSync(procs, 'utf8'), '', 'no pid yet: nothing written');
    child.pid = 4242;
    child.emit('spawn');
    assert.equal(readFileSync(procs, 'utf8'), '4242');
    rmSync(dir, { recursive: true, force: true });
  });
});
