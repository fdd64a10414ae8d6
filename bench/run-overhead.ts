// Per-run overhead: a no-op JS skill run through the runner (ledger-free: fork, import, result,
// exit, log file) against a bare child_process.fork of an empty script that exits.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../main/core/scheduling/clock.ts';
import { nodeLauncher } from '../main/core/runs/launcher.ts';
import { startRun } from '../main/core/runs/runner.ts';
import { tempHome } from '../test/helpers/home.ts';
import { mean, percentile, report, row } from './lib.ts';

const N = Number(process.env.BENCH_RUNS ?? 20);
const { home, cleanup } = tempHome('ck-bench-');
const dir = join(home, 'skills', 'noop');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'index.mjs'), 'export default async function noop() { return {}; }\n');
const empty = join(home, 'empty.mjs');
writeFileSync(empty, '');

async function bare(): Promise<number> {
  const t = performance.now();
  await new Promise<void>(
    (resolve) => fork(empty, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] }).on('close', () => resolve()),
  );
  return performance.now() - t;
}

async function ours(i: number): Promise<number> {
  const t = performance.now();
  const h = startRun(
    {
      manifest: {
        name: 'noop', description: '', schedule: '* * * * *', entry: 'index.mjs', timeoutSeconds: 30,
        retries: { max: 0, backoffSeconds: 0 }, overlap: 'skip', catchUp: { mode: 'skip', max: 1 }, env: {},
        enabled: true, needs: [], breaker: false,
      },
      dir,
      runId: `r${i}`,
      slot: null,
      trigger: 'manual',
      attempt: 1,
      home,
    },
    { launcher: nodeLauncher, clock: systemClock, logsDir: join(home, 'logs') },
  );
  const r = await h.done;
  if (r.outcome !== 'success') throw new Error(`noop run failed: ${r.error}`);
  return performance.now() - t;
}

await bare();
await ours(-1); // warm both paths
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < N; i++) {
  // alternate so that machine noise hits both alike
  a.push(await bare());
  b.push(await ours(i));
}
cleanup();
report('run-overhead', 'bare fork of an empty script', [
  row('per run, mean', mean(b), mean(a), 'ms', 'ratio <= 1.2', (r) => r <= 1.2),
  row('per run, p50', percentile(b, 50), percentile(a, 50), 'ms', 'ratio <= 1.2', (r) => r <= 1.2),
  row('per run, p95', percentile(b, 95), percentile(a, 95), 'ms', 'info', () => true),
], { runs: N });
