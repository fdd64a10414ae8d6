// Isolation: skill start lateness (ledger start time minus its slot) with 10 skills every second,
// idle against while the gateway takes sustained autocannon load, in the same run.
import autocannon from 'autocannon';
import { readLedger, tempHome } from '../test/helpers/home.ts';
import { startHostProcess } from '../test/helpers/host-process.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, report, row } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const N = 10;
const { home, cleanup } = tempHome('ck-bench-');
for (let i = 0; i < N; i++) {
  const dir = join(home, 'skills', `s${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'skill.json'), JSON.stringify({ name: `s${i}`, schedule: '* * * * * *', command: ['true'] }));
}
const h = await startHostProcess(home, process.env.CLAWKEEPER_RUN_LAUNCHER ? { CLAWKEEPER_RUN_LAUNCHER: process.env.CLAWKEEPER_RUN_LAUNCHER } : {});

function lateness(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    for (const e of readLedger(home, `s${i}`)) {
      if (e.type !== 'start' || e.trigger !== 'schedule') continue;
      const slot = Date.parse(e.slot as string);
      if (slot >= from && slot < to) out.push(Date.parse(e.started_at as string) - slot);
    }
  }
  return out;
}

await new Promise((r) => setTimeout(r, 2000));
const idleFrom = Date.now();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const idleTo = Date.now();
const loadFrom = Date.now();
const load = await autocannon({ url: `http://127.0.0.1:${h.gatewayPort}/api/skills`, connections: 50, duration: SECONDS, headers: { host: `127.0.0.1:${h.gatewayPort}`, authorization: `Bearer ${h.token()}` } });
const loadTo = Date.now();
await h.stop();
const idle = lateness(idleFrom, idleTo);
const loaded = lateness(loadFrom, loadTo);
cleanup();
// Lateness is in whole milliseconds: floor both at 1 ms so the ratio means something.
report('isolation', 'idle gateway', [
  row('skill start lateness p50', percentile(loaded, 50), Math.max(1, percentile(idle, 50)), 'ms', 'info', () => true),
  row('skill start lateness p99', percentile(loaded, 99), Math.max(1, percentile(idle, 99)), 'ms', 'ratio <= 1.2', (r) => r <= 1.2),
], { seconds: SECONDS, skills: N, samples: { idle: idle.length, loaded: loaded.length }, gatewayRequestsPerSecond: load.requests.average });
process.exit(0);
