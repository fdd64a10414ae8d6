import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SkillManifest } from '../../main/common/types.ts';
import { systemClock } from '../../main/core/scheduling/clock.ts';
import { nodeLauncher, type ProcessLauncher } from '../../main/core/runs/launcher.ts';
import { RemoteLauncher } from '../../main/core/runs/run-launcher/remote-launcher.ts';
import { startRun, type FinishedRun } from '../../main/core/runs/runner.ts';
import { RunCgroups } from '../../main/core/runs/processes/run-cgroup.ts';
import { parseProcStat, parsePsOutput } from '../../main/core/runs/processes/process-table.ts';
import { RunProcesses } from '../../main/core/runs/processes/run-processes.ts';
import { spawn } from 'node:child_process';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { running } from '../helpers/pids.ts';

function manifest(name: string, extra: Partial<SkillManifest>): SkillManifest {
  return {
    name, description: '', schedule: '* * * * *', timeoutSeconds: 30, retries: { max: 0, backoffSeconds: 0 }, overlap: 'skip',
    catchUp: { mode: 'skip', max: 1 }, env: {}, needs: [], breaker: false, enabled: true, ...extra,
  };
}

const homes: (() => void)[] = [];
after(() => homes.forEach((c) => c()));

const cgroups = RunCgroups.probe();
const remote = new RemoteLauncher(nodeLauncher, createMemoryLogger());
remote.start();
after(() => remote.stop());

/** The ways a run's processes are followed here: a cgroup (where this machine allows one), the /proc walk, the `ps` walk (macOS's). */
const modes: { name: string; cgroups: RunCgroups | null; table?: 'ps' }[] = [
  ...(cgroups ? [{ name: 'a cgroup per run', cgroups }] : []),
  { name: 'the process-tree walk', cgroups: null },
  { name: 'the process-tree walk through ps', cgroups: null, table: 'ps' as const },
];
const launchers: { name: string; launcher: () => ProcessLauncher }[] = [
  { name: 'started by the host', launcher: () => nodeLauncher },
  { name: 'started by the run launcher', launcher: () => remote },
];

async function run(
  m: Partial<SkillManifest>, mode: (typeof modes)[number], launcher: ProcessLauncher, fixture?: string,
): Promise<{ r: FinishedRun; pidFile: string; ms: number }> {
  const t = tempHome();
  homes.push(t.cleanup);
  const dir = writeSkill(t.home, 'escape', {}, fixture);
  const pidFile = join(t.home, 'grandchild.pid');
  if (mode.table) process.env.CLAWKEEPER_PROCESS_TABLE = mode.table;
  else delete process.env.CLAWKEEPER_PROCESS_TABLE;
  const t0 = Date.now();
  const h = startRun(
    {
      manifest: manifest('escape', { ...(fixture ? { entry: 'index.mjs' } : {}), env: { PIDFILE: pidFile }, ...m }),
      dir, runId: `r${Date.now().toString(36)}`, slot: null, trigger: 'manual', attempt: 1, home: t.home,
    },
    { launcher, clock: systemClock, logsDir: join(t.home, 'logs'), cgroups: mode.cgroups },
  );
  const r = await h.done;
  delete process.env.CLAWKEEPER_PROCESS_TABLE;
  return { r, pidFile, ms: Date.now() - t0 };
}

await waitFor('the run launcher', () => remote.active, 10_000);

describe('a run cannot outlive its deadline: every process it started is stopped', () => {
  for (const mode of modes) {
    for (const l of launchers) {
      it(`stops a setsid grandchild at the deadline and records the end within 6 s of it (${mode.name}, ${l.name})`, async () => {
        const { r, pidFile, ms } = await run(
          { timeoutSeconds: 2, command: ['sh', '-c', 'setsid sleep 40.0417 & echo $! > "$PIDFILE"; sleep 30'] }, mode,
          l.launcher(),
        );
        const pid = Number(readFileSync(pidFile, 'utf8'));
        assert.equal(r.outcome, 'timeout');
        assert.ok(ms < 8000, `the end came ${ms} ms after the start (deadline 2 s)`);
        assert.equal(running(pid), false, `the setsid grandchild ${pid} is gone`);
        assert.equal(r.unstoppable, undefined);
      });

      it(`stops a detached JS grandchild that holds the run's output once the run returns (${mode.name}, ${l.name})`, async () => {
        const { r, pidFile, ms } = await run({ timeoutSeconds: 20 }, mode, l.launcher(), 'detached-child.mjs');
        const pid = Number(readFileSync(pidFile, 'utf8'));
        assert.equal(r.outcome, 'success');
        assert.ok(ms < 6000, `the run ended ${ms} ms after its start, not when the grandchild would have`);
        assert.equal(running(pid), false, `the detached grandchild ${pid} is gone`);
        assert.ok(r.warnings.some((w) => w.includes(`sleep (pid ${pid})`)), `the warning names it: ${r.warnings.join(' | ')}`);
      });
    }
  }

  for (const mode of modes) {
    it(`stops what the run starts while it is being stopped (its SIGTERM handler), ${mode.name}`, async () => {
      const script = 'trap \'setsid sleep 40.0417 & echo $! > "$PIDFILE"; exit 0\' TERM; sleep 30 & wait';
      const { r, pidFile } = await run({ timeoutSeconds: 1, command: ['sh', '-c', script] }, mode, nodeLauncher);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.equal(r.outcome, 'timeout');
      assert.equal(running(pid), false, `the process started by the TERM handler (${pid}) is gone`);
    });

    it(`stops a daemon that double-forked away before any walk saw it (${mode.name}; the walk finds it by the run id in its environment)`, async () => {
      const { r, pidFile } = await run(
        { timeoutSeconds: 10, command: ['sh', '-c', '(setsid sleep 40.0417 & echo $! > "$PIDFILE") ; exit 0'] }, mode,
        nodeLauncher,
      );
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.equal(r.outcome, 'success');
      assert.equal(running(pid), false, `the daemon ${pid} is gone`);
    });
  }

  it('leaves nothing behind that ps can find', () => {
    // `sleep 40.0417`: a duration no other program on this machine sleeps, so a match is ours.
    const ours = execFileSync('ps', ['-A', '-o', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('sleep 40.0417'));
    assert.deepEqual(ours, []);
  });
});

describe('a process that cannot be stopped', () => {
  it('is named with its pid once SIGKILL did not end it, and one that obeyed is listed as stopped', async () => {
    // A real tree: sh with two sleeps. The "ignoring" one stands for a process the host may not
    // signal (another user's, say): the signal seam drops what is sent to it.
    const sh = spawn('sh', ['-c', 'sleep 40.0417 & echo $!; sleep 40.0418 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pids = await new Promise<number[]>((resolve) => {
      let out = '';
      sh.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const got = out.split('\n').filter(Boolean).map(Number);
        if (got.length === 2) resolve(got);
      });
    });
    const [obeys, ignores] = pids as [number, number];
    const procs = new RunProcesses('rtest-unstoppable', null, () => sh.pid, (pid, sig) => {
      if (pid !== ignores) process.kill(pid, sig);
    });
    try {
      await new Promise((r) => setTimeout(r, 400)); // a walk or two sees both
      const report = await procs.stop(300);
      assert.deepEqual(report.unstoppable, [{ pid: ignores, name: 'sleep' }]);
      assert.ok(report.stopped.some((p) => p.pid === obeys));
      assert.equal(running(obeys), false);
    } finally {
      procs.release();
      process.kill(ignores, 'SIGKILL');
      sh.kill('SIGKILL');
    }
  });
});

describe('reading the process table', () => {
  it('reads a /proc stat line whose name holds spaces and parentheses', () => {
    const line = '4242 (my (odd) name) S 7 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10';
    assert.deepEqual(parseProcStat(4242, line), { pid: 4242, ppid: 7, start: '987654', name: 'my (odd) name' });
  });

  it('skips zombies: they are dead already', () => {
    assert.equal(parseProcStat(5, '5 (sh) Z 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77'), null);
  });

  it('reads ps lines with their start time (macOS and procps print the same columns)', () => {
    const t = parsePsOutput('  123     1 Ss   Sat Dec  5 10:59:27 2026 /usr/sbin/sshd\n  456   123 Z    Sat Dec  5 11:00:01 2026 sh\n');
    assert.deepEqual([...t.values()], [{ pid: 123, ppid: 1, start: 'Sat Dec  5 10:59:27 2026', name: 'sshd' }]);
  });
});
