import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { afterEach, describe, it } from 'node:test';
import { DEFAULT_LIVENESS, judgeSilence } from '../../main/core/supervision/liveness.ts';
import { parsePsLine, processActivity, type Activity } from '../../main/core/supervision/process-activity.ts';
import { waitFor } from '../helpers/home.ts';

// Issue #18, item 4: a starved process is busy, not hung. The verdict as a pure function of what
// the OS says, then what the OS says of real processes: stopped, spinning, asleep, starved.

const o = DEFAULT_LIVENESS;
const act = (state: Activity['state'], cpuMs: number | null): Activity => ({ state, cpuMs });

describe('judgeSilence: hung or only starved, from IPC silence and the CPU the process used', () => {
  it('says nothing before silentMs, whatever the process does', () => {
    assert.equal(judgeSilence(999, act('stopped', 10), 10, o), null);
  });
  it('a stopped process is hung once silent for silentMs', () => {
    assert.match(judgeSilence(1000, act('stopped', 10), 10, o)!.why, /stopped/);
    assert.equal(judgeSilence(1000, act('stopped', 10), 10, o)!.kind, 'hung');
  });
  it('silent while it burned wedgedCpuMs of CPU: its event loop is blocked, hung', () => {
    const v = judgeSilence(1200, act('running', 5000 + o.wedgedCpuMs), 5000, o);
    assert.equal(v?.kind, 'hung');
    assert.match(v.why, /event loop is blocked: silent for 1200 ms while it used 800 ms of CPU/);
  });
  it('silent while runnable and given little CPU: busy, not hung, for as long as overloadedMs', () => {
    assert.equal(judgeSilence(20_000, act('running', 5100), 5000, o), null);
    const v = judgeSilence(o.overloadedMs, act('running', 5100), 5000, o);
    assert.equal(v?.kind, 'overloaded');
    assert.match(v.why, /only 100 ms of CPU \(waiting for a core\): the machine is overloaded/);
    assert.doesNotMatch(v.why, /hung/);
  });
  it('silent while waiting for the disk: load too', () => {
    assert.equal(judgeSilence(10_000, act('io', 5000), 5000, o), null);
  });
  it('silent while asleep in a system call (a starved loop would be runnable): hung after unknownSilentMs', () => {
    assert.equal(judgeSilence(4000, act('sleeping', 5000), 5000, o), null);
    assert.match(judgeSilence(o.unknownSilentMs, act('sleeping', 5000), 5000, o)!.why, /blocked in a system call/);
  });
  it('without CPU figures: hung only after unknownSilentMs; a gone process is left to its exit', () => {
    assert.equal(judgeSilence(4000, act('unknown', null), null, o), null);
    assert.equal(judgeSilence(o.unknownSilentMs, act('running', 10), null, o)?.kind, 'hung');
    assert.equal(judgeSilence(60_000, act('gone', null), 5, o), null);
  });
});

describe('parsePsLine: `ps -o stat=,time=` where there is no /proc (macOS)', () => {
  it('reads the state letter and the CPU time in its macOS and procps forms', () => {
    assert.deepEqual(parsePsLine('T      0:00.05\n'), { state: 'stopped', cpuMs: 50 });
    assert.deepEqual(parsePsLine('R+   12:03.50'), { state: 'running', cpuMs: 723_500 });
    assert.deepEqual(parsePsLine('Ss   01:02:03'), { state: 'sleeping', cpuMs: 3_723_000 });
    assert.deepEqual(parsePsLine('U    1-00:00:01'), { state: 'io', cpuMs: 86_401_000 });
    assert.equal(parsePsLine(''), null);
  });
});

describe('processActivity: what the OS says of real processes', {
  skip: process.platform === 'win32' ? 'no process states on Windows' : false,
}, () => {
  const procs: ChildProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
  });
  const node = (code: string) => {
    const p = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
    procs.push(p);
    return p;
  };
  const cpuOf = async (pid: number) => (await processActivity(pid)).cpuMs!;

  it('a stopped process is stopped; a killed one is gone', async () => {
    const p = node('setInterval(() => {}, 1000)');
    await waitFor('it runs', async () => (await processActivity(p.pid!)).state === 'sleeping', 10_000);
    p.kill('SIGSTOP');
    await waitFor('stopped', async () => (await processActivity(p.pid!)).state === 'stopped', 5000);
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
    assert.equal((await processActivity(p.pid!)).state, 'gone');
  });

  it('a busy loop is running and its CPU time grows; a blocked one (Atomics.wait) sleeps and uses none', async () => {
    const spin = node('for (;;) {}');
    const blocked = node('Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)');
    await new Promise((r) => setTimeout(r, 600));
    const [s0, b0] = [await cpuOf(spin.pid!), await cpuOf(blocked.pid!)];
    await new Promise((r) => setTimeout(r, 1500));
    const spinning = await processActivity(spin.pid!);
    const sleeping = await processActivity(blocked.pid!);
    assert.equal(spinning.state, 'running');
    // On a machine shared with other work a spinner may get little of a core; it still grows.
    assert.ok(spinning.cpuMs! - s0 >= 40, `the spinner used ${spinning.cpuMs! - s0} ms of CPU in 1.5 s`);
    assert.equal(sleeping.state, 'sleeping');
    assert.ok(sleeping.cpuMs! - b0 <= 20, `the blocked one used ${sleeping.cpuMs! - b0} ms`);
    // As the supervisor would judge them after a silence of 2 s with these figures.
    assert.equal(judgeSilence(2000, spinning, s0 - o.wedgedCpuMs, o)?.kind, 'hung');
  });

  it('a process at nice 19 beside two busy loops at nice 0 is starved: runnable, little CPU, so not hung', async (t) => {
    const starved = node('for (;;) {}');
    try {
      setPriority(starved.pid!, 19);
    } catch {
      return t.skip('cannot lower a priority here');
    }
    node('for (;;) {}');
    node('for (;;) {}');
    await new Promise((r) => setTimeout(r, 500));
    const c0 = await cpuOf(starved.pid!);
    await new Promise((r) => setTimeout(r, 1500));
    const a = await processActivity(starved.pid!);
    const used = a.cpuMs! - c0;
    assert.equal(a.state, 'running');
    // With the cores taken at nice 0 it gets a few percent of one: far under a wedged loop's share.
    assert.ok(used < o.wedgedCpuMs, `the starved process used ${used} ms of CPU in 1.5 s`);
    assert.equal(judgeSilence(1500, a, c0, o), null, 'not hung');
  });
});
