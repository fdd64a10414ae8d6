// Start lateness under the hostile loads of issue #18 (test/layers/load.test.ts has the verdicts:
// no `hung` replacement, an authenticated client served): 20 skills due every second, the ledger's
// start time minus the slot, in idle windows and in windows with each attack, interleaved (ROUNDS
// rounds of WINDOW seconds), so a slow patch of a shared machine lands on both sides. The attacks
// (test/fixtures/load-attacker.mjs) run as another local user's programs would: at nice 0.
// The busy loops take both cores from everyone, the host included: reported, not targeted.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLedger, tempHome } from '../test/helpers/home.ts';
import { startHostProcess } from '../test/helpers/host-process.ts';
import { percentile, report, row } from './lib.ts';

const WINDOW = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const N = 20;
const ATTACKER = fileURLToPath(new URL('../test/fixtures/load-attacker.mjs', import.meta.url));
const { home, cleanup } = tempHome('ck-bench-');
for (let i = 0; i < N; i++) {
  const dir = join(home, 'skills', `s${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'skill.json'), JSON.stringify({ name: `s${i}`, schedule: '* * * * * *', command: ['true'] }));
}
const h = await startHostProcess(home);

const ATTACKS: Record<string, () => string[][]> = {
  slowloris: () => [['slowloris', String(h.gatewayPort), String(WINDOW), '600']],
  'ws-flood': () => [['ws-flood', String(h.sessionPort), String(WINDOW), '5000']],
  publish: () => [['publish', String(h.sessionPort), String(WINDOW), h.token()]],
  'busy loops': () => [['spin', '_', String(WINDOW)], ['spin', '_', String(WINDOW)]],
};
type Condition = string;
const windows: { c: Condition; from: number; to: number }[] = [];

async function window(c: Condition): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000)); // the slot at the edge belongs to neither window
  const from = Date.now();
  if (c === 'idle') await new Promise((r) => setTimeout(r, WINDOW * 1000));
  else await Promise.all(
    ATTACKS[c]!().map((args) => new Promise((r) => spawn(process.execPath, [ATTACKER, ...args], { stdio: 'ignore' }).once('exit', r))),
  );
  windows.push({ c, from, to: Date.now() });
  process.stderr.write(`hostile-load: ${windows.length}/${ROUNDS * 5} windows\r`);
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
for (let i = 0; i < ROUNDS; i++) for (const c of ['idle', ...Object.keys(ATTACKS)] as Condition[]) await window(c);
await h.stop();
const hung = readFileSync(join(home, 'health', 'layers.jsonl'), 'utf8').split('\n').filter((l) => /"reason":"hung/.test(l)).length;
const idle = lateness('idle');
const base = (p: number) => Math.max(1, percentile(idle, p));
const rows = Object.keys(ATTACKS).flatMap((c) => {
  const xs = lateness(c);
  const target = c === 'busy loops' ? 'info' : 'ratio <= 1.5';
  return [
    row(`lateness p50, ${c}`, percentile(xs, 50), base(50), 'ms', 'info', () => true),
    row(`lateness p99, ${c}`, percentile(xs, 99), base(99), 'ms', target, (r) => target === 'info' || r <= 1.5),
  ];
});
cleanup();
report('hostile-load', 'idle', [...rows, row('layers replaced as hung', hung, 1, 'count', '0', (_r, v) => v === 0)], {
  windowSeconds: WINDOW, rounds: ROUNDS, skills: N,
  samples: Object.fromEntries(['idle', ...Object.keys(ATTACKS)].map((c) => [c, lateness(c).length])),
});
process.exit(0);
