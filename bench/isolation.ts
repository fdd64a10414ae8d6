// Isolation: skill start lateness (ledger start time minus its slot) with 20 skills due every
// second, while the gateway is idle against while it takes sustained load (autocannon, 50
// connections, GET /api/skills), in the same run. Idle and loaded windows alternate (ROUNDS
// pairs of WINDOW seconds), so a slow patch of a noisy machine lands on both sides.
//
// The load client is a separate process. Two loaded conditions: the client at nice 19, so that
// what it costs the machine is mostly the gateway's own work, as for a client on another machine
// (the target row), and the client at nice 0, as busy as the host on the same 2 cores (reported
// beside it). The layers run at CLAWKEEPER_LAYER_NICE (default 19); BENCH_LAYER_NICE=10 runs
// this bench with the old priority, for comparison.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLedger, tempHome } from '../test/helpers/home.ts';
import { startHostProcess } from '../test/helpers/host-process.ts';
import { percentile, report, row } from './lib.ts';

const WINDOW = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const N = 20;
const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));
const { home, cleanup } = tempHome('ck-bench-');
for (let i = 0; i < N; i++) {
  const dir = join(home, 'skills', `s${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'skill.json'), JSON.stringify({ name: `s${i}`, schedule: '* * * * * *', command: ['true'] }));
}
const h = await startHostProcess(home, {
  ...(process.env.CLAWKEEPER_RUN_LAUNCHER ? { CLAWKEEPER_RUN_LAUNCHER: process.env.CLAWKEEPER_RUN_LAUNCHER } : {}),
  ...(process.env.BENCH_LAYER_NICE ? { CLAWKEEPER_LAYER_NICE: process.env.BENCH_LAYER_NICE } : {}),
});

type Condition = 'idle' | 'client nice 19' | 'client nice 0';
const windows: { c: Condition; from: number; to: number }[] = [];
const rps: Record<string, number[]> = { 'client nice 19': [], 'client nice 0': [] };

async function loadWindow(nice: number): Promise<number> {
  const child = spawn('nice', ['-n', String(nice), process.execPath, CLIENT], {
    env: {
      ...process.env, BENCH_LOAD_URL: `http://127.0.0.1:${h.gatewayPort}/api/skills`, BENCH_LOAD_TOKEN: h.token(),
      BENCH_LOAD_SECONDS: String(WINDOW),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  return (JSON.parse(out) as { rps: number }).rps;
}

async function window(c: Condition): Promise<void> {
  // A second between windows: the slot at the edge belongs to neither.
  await new Promise((r) => setTimeout(r, 1000));
  const from = Date.now();
  if (c === 'idle') await new Promise((r) => setTimeout(r, WINDOW * 1000));
  else rps[c]!.push(await loadWindow(c === 'client nice 19' ? 19 : 0));
  windows.push({ c, from, to: Date.now() });
  process.stderr.write(`isolation: ${windows.length}/${ROUNDS * 3} windows\r`);
}

function lateness(c: Condition): number[] {
  const out: number[] = [];
  const spans = windows.filter((w) => w.c === c);
  for (let i = 0; i < N; i++) {
    for (const e of readLedger(home, `s${i}`)) {
      if (e.type !== 'start' || e.trigger !== 'schedule') continue;
      const slot = Date.parse(e.slot as string);
      if (spans.some((w) => slot >= w.from && slot < w.to)) out.push(Date.parse(e.started_at as string) - slot);
    }
  }
  return out;
}

await new Promise((r) => setTimeout(r, 2000));
for (let i = 0; i < ROUNDS; i++) for (const c of ['idle', 'client nice 19', 'client nice 0'] as const) await window(c);
await h.stop();
const idle = lateness('idle');
const remote = lateness('client nice 19');
const local = lateness('client nice 0');
cleanup();
const avg = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
// Lateness is in whole milliseconds: floor the baseline at 1 ms so the ratio means something.
const base = (p: number) => Math.max(1, percentile(idle, p));
report('isolation', 'idle gateway', [
  row('lateness p50, client at nice 19', percentile(remote, 50), base(50), 'ms', 'info', () => true),
  row('lateness p99, client at nice 19', percentile(remote, 99), base(99), 'ms', 'ratio <= 1.2', (r) => r <= 1.2),
  row('lateness p50, client at nice 0', percentile(local, 50), base(50), 'ms', 'info', () => true),
  row('lateness p99, client at nice 0', percentile(local, 99), base(99), 'ms', 'info', () => true),
], {
  layerNice: Number(process.env.BENCH_LAYER_NICE ?? 19), windowSeconds: WINDOW, rounds: ROUNDS, skills: N,
  samples: { idle: idle.length, 'client nice 19': remote.length, 'client nice 0': local.length },
  gatewayRequestsPerSecond: { 'client nice 19': avg(rps['client nice 19']!), 'client nice 0': avg(rps['client nice 0']!) },
});
process.exit(0);
