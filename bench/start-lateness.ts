// Start lateness with 100 skills due on the same second: node-schedule with one cron job per
// skill (the naive use), croner (the baseline the issue names), our Trigger (node-schedule as the
// timer, grouped by instant), and the whole host (ledger entry written, process launched).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import schedule from 'node-schedule';
import { Cron } from 'croner';
import { skillSlots } from '../main/core/scheduling/slots.ts';
import { Trigger } from '../main/core/scheduling/trigger.ts';
import { Host } from '../main/core/host/host.ts';
import { createMemoryLogger } from '../main/core/home/logger.ts';
import { nodeLauncher } from '../main/core/runs/launcher.ts';
import { RemoteLauncher } from '../main/core/runs/run-launcher/remote-launcher.ts';
import { tempHome, waitFor } from '../test/helpers/home.ts';
import { percentile, report, row } from './lib.ts';

const N = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const EXPR = '* * * * * *';

async function collect(setup: (record: (slot: number) => void) => () => void): Promise<number[]> {
  const lateness: number[] = [];
  let stop = () => {};
  let rounds = 0;
  let seen = 0;
  await new Promise<void>((resolve) => {
    stop = setup((slot) => {
      lateness.push(Date.now() - slot + (performance.now() % 1) * 0); // ms resolution of Date
      if (++seen % N === 0 && ++rounds >= ROUNDS) resolve();
    });
  });
  stop();
  return lateness;
}

const nodeSchedule = await collect((rec) => {
  const jobs = Array.from({ length: N }, () => schedule.scheduleJob(EXPR, (fireDate: Date) => rec(fireDate.getTime())));
  return () => jobs.forEach((j) => j.cancel());
});

const croner = await collect((rec) => {
  const jobs = Array.from({ length: N }, () => {
    const c: Cron = new Cron(EXPR, () => rec(Math.floor(Date.now() / 1000) * 1000));
    return c;
  });
  return () => jobs.forEach((j) => j.stop());
});

const trigger = await collect((rec) => {
  const t = new Trigger((names, slot) => {
    for (let i = 0; i < names.length; i++) rec(slot);
  }, () => Date.now());
  t.set(Array.from({ length: N }, (_, i) => ({ name: `s${i}`, slots: skillSlots(`s${i}`, { schedule: EXPR }) })));
  return () => t.clear();
});

// The whole host: 100 command skills, each printing the time its process began (`date`, one exec). Lateness twice:
// when the host recorded and dispatched the run (its `run-start`), and when the skill's process
// actually ran (what the skill observes; on 2 cores 100 processes cannot all run at once). Once
// with the runs created by the host itself (fork/spawn on its event loop, the baseline), once
// through the run launcher process (main/core/runs/run-launcher/). Also the CPU each run costs the
// host (and the launcher), and the launcher's memory.
function cpuMsOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
}
/** The idle warm shells: the launcher's children that are still `sh`. RSS counts their shared pages in each; PSS shares them out. */
function shellsOf(launcherPid: number): { count: number; rssMb: number; pssMb: number } {
  let count = 0;
  let rss = 0;
  let pss = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== launcherPid || !/^Name:\s+(sh|dash)$/m.test(status)) continue;
      count++;
      rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${d}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { count, rssMb: rss / 1024, pssMb: pss / 1024 };
}
function rssMbOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}
async function wholeHost(viaLauncher: boolean) {
  const { home, cleanup } = tempHome('ck-bench-');
  for (let i = 0; i < N; i++) {
    const dir = join(home, 'skills', `s${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'skill.json'),
      JSON.stringify({ name: `s${i}`, schedule: EXPR, command: ['date', '+{"began":%s%3N}'], catchUp: 'skip' }),
    );
  }
  const rl = viaLauncher ? new RemoteLauncher(nodeLauncher, createMemoryLogger()) : null;
  rl?.start();
  if (rl) await waitFor('the run launcher', () => rl.active, 20_000);
  // As headless.ts does: as many warm shells as scheduled skills.
  rl?.reserve(N);
  const launcherCpu0 = rl ? cpuMsOf(rl.pid!) : 0;
  const host = new Host({ home, bundledSkillsDir: null, logger: createMemoryLogger(), ...(rl ? { launcher: rl } : {}) });
  const observed: number[] = [];
  // The first slot after the start is a warm-up (files created, shells still starting), for both variants.
  let warmupSlot = 0;
  let firstSlot = Infinity;
  let lastSlot = 0;
  host.on('run-end', (e) => {
    const slot = e.entry.slot ? Date.parse(e.entry.slot) : NaN;
    const began = Number(e.fields.began);
    if (slot >= firstSlot && slot <= lastSlot && Number.isFinite(began)) observed.push(began - slot);
  });
  const cpu0 = process.cpuUsage();
  let runs = 0;
  const dispatch = await collect((rec) => {
    host.on('run-start', (e) => {
      if (e.trigger !== 'schedule' || !e.slot) return;
      const slot = Date.parse(e.slot);
      runs++;
      warmupSlot ||= slot;
      if (slot === warmupSlot) return;
      firstSlot = Math.min(firstSlot, slot);
      lastSlot = Math.max(lastSlot, slot);
      rec(slot);
    });
    void host.start();
    return () => undefined;
  });
  await waitFor('the last round ended', () => observed.length >= dispatch.length, 10_000).catch(() => undefined);
  const cpu = process.cpuUsage(cpu0);
  const hostCpuMsPerRun = (cpu.user + cpu.system) / 1000 / runs;
  const launcherCpuMsPerRun = rl ? (cpuMsOf(rl.pid!) - launcherCpu0) / runs : 0;
  const launcherRssMb = rl ? rssMbOf(rl.pid!) : 0;
  await new Promise((r) => setTimeout(r, 1500)); // the pool refilled after the last burst
  const shells = rl ? shellsOf(rl.pid!) : { count: 0, rssMb: 0, pssMb: 0 };
  await host.stop();
  await rl?.stop();
  cleanup();
  // Per round (in order): the worst dispatch and observed lateness, to tell a first round apart.
  const rounds = Array.from(
    { length: Math.ceil(dispatch.length / N) },
    (_, i) => ({
      dispatchMax: Math.max(...dispatch.slice(i * N, (i + 1) * N)),
      observedMax: Math.max(...observed.slice(i * N, (i + 1) * N)),
    }),
  );
  console.log(`${viaLauncher ? 'launcher' : 'direct'}: per round ${JSON.stringify(rounds)}`);
  return { dispatch, observed, hostCpuMsPerRun, launcherCpuMsPerRun, launcherRssMb, shells, rounds };
}
const direct = await wholeHost(false);
const launched = await wholeHost(true);

const p = (xs: number[], q: number) => percentile(xs, q);
report('start-lateness', 'croner', [
  row('node-schedule, 1 cron job per skill: p50', p(nodeSchedule, 50), Math.max(1, p(croner, 50)), 'ms', 'info', () => true),
  row('node-schedule, 1 cron job per skill: p99', p(nodeSchedule, 99), Math.max(1, p(croner, 99)), 'ms', 'info', () => true),
  row('ClawKeeper trigger: p50', p(trigger, 50), Math.max(1, p(croner, 50)), 'ms', '-', () => true),
  row('ClawKeeper trigger: p99', p(trigger, 99), Math.max(1, p(croner, 99)), 'ms', 'p99 <= croner', (_r, ours) => ours <= p(croner, 99)),
], {
  skills: N, rounds: ROUNDS,
  samples: { nodeSchedule: nodeSchedule.length, croner: croner.length, trigger: trigger.length },
  croner_p99_ms: p(croner, 99),
});
// The whole host, against itself creating the runs on its own event loop (the baseline).
report('start-lateness-host', 'host spawns on its event loop', [
  row('100 due at once, dispatched (ledger + launch): p50', p(launched.dispatch, 50), p(direct.dispatch, 50), 'ms', 'info', () => true),
  row(
    '100 due at once, dispatched (ledger + launch): p99', p(launched.dispatch, 99), p(direct.dispatch, 99), 'ms',
    'p99 <= 200 ms', (_r, v) => v <= 200,
  ),
  row('100 due at once, process began (skill sees): p50', p(launched.observed, 50), p(direct.observed, 50), 'ms', 'info', () => true),
  row(
    '100 due at once, process began (skill sees): p99', p(launched.observed, 99), p(direct.observed, 99), 'ms',
    'p99 <= 200 ms', (_r, v) => v <= 200,
  ),
  row('host CPU per run', launched.hostCpuMsPerRun, direct.hostCpuMsPerRun, 'ms', 'info', () => true),
  row(
    'host + launcher CPU per run', launched.hostCpuMsPerRun + launched.launcherCpuMsPerRun, direct.hostCpuMsPerRun,
    'ms', 'info', () => true,
  ),
  row('launcher process RSS (vs none)', launched.launcherRssMb, 0, 'MB', 'info', () => true),
  row(`${launched.shells.count} idle warm shells, RSS summed (vs none)`, launched.shells.rssMb, 0, 'MB', 'info', () => true),
  row(`${launched.shells.count} idle warm shells, PSS summed (vs none)`, launched.shells.pssMb, 0, 'MB', 'info', () => true),
], {
  skills: N, rounds: ROUNDS, perRound: { direct: direct.rounds, launched: launched.rounds },
  samples: {
    direct: { dispatch: direct.dispatch.length, observed: direct.observed.length },
    launched: { dispatch: launched.dispatch.length, observed: launched.observed.length },
  },
});
process.exit(0);
