// Start lateness with 100 skills due on the same second: node-schedule with one cron job per
// skill (the naive use), croner (the baseline the issue names), our Trigger (node-schedule as the
// timer, grouped by instant), and the whole host (ledger entry written, process launched).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import schedule from 'node-schedule';
import { Cron } from 'croner';
import { Trigger } from '../main/core/trigger.ts';
import { Host } from '../main/core/host.ts';
import { createMemoryLogger } from '../main/core/logger.ts';
import { tempHome } from '../test/helpers/home.ts';
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
  t.set(Array.from({ length: N }, (_, i) => ({ name: `s${i}`, schedule: EXPR, timezone: undefined })));
  return () => t.clear();
});

// The whole host: 100 command skills (`true`), lateness = when the run's start is recorded.
const { home, cleanup } = tempHome('ck-bench-');
for (let i = 0; i < N; i++) {
  const dir = join(home, 'skills', `s${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'skill.json'), JSON.stringify({ name: `s${i}`, schedule: EXPR, command: ['true'], catchUp: 'skip' }));
}
const host = new Host({ home, bundledSkillsDir: null, logger: createMemoryLogger() });
const hostLateness = await collect((rec) => {
  host.on('run-start', (e) => {
    if (e.trigger === 'schedule' && e.slot) rec(Date.parse(e.slot));
  });
  void host.start();
  return () => undefined;
});
await host.stop();
cleanup();

const p = (xs: number[], q: number) => percentile(xs, q);
report('start-lateness', 'croner', [
  row('node-schedule, 1 cron job per skill: p50', p(nodeSchedule, 50), Math.max(1, p(croner, 50)), 'ms', 'info', () => true),
  row('node-schedule, 1 cron job per skill: p99', p(nodeSchedule, 99), Math.max(1, p(croner, 99)), 'ms', 'info', () => true),
  row('ClawKeeper trigger: p50', p(trigger, 50), Math.max(1, p(croner, 50)), 'ms', '-', () => true),
  row('ClawKeeper trigger: p99', p(trigger, 99), Math.max(1, p(croner, 99)), 'ms', 'p99 <= croner', (_r, ours) => ours <= p(croner, 99)),
  row('ClawKeeper host, run recorded + spawned: p50', p(hostLateness, 50), Math.max(1, p(croner, 50)), 'ms', 'info', () => true),
  row('ClawKeeper host, run recorded + spawned: p99', p(hostLateness, 99), Math.max(1, p(croner, 99)), 'ms', 'info', () => true),
], { skills: N, rounds: ROUNDS, samples: { nodeSchedule: nodeSchedule.length, croner: croner.length, trigger: trigger.length, host: hostLateness.length }, croner_p99_ms: p(croner, 99) });
process.exit(0);
