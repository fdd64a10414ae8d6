// `npm run bench`: every benchmark in turn, each in its own process (so one's memory and timers
// do not disturb another's), each printing its table and writing bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const only = process.argv.slice(2);
const all = [
  'start-lateness', 'run-overhead', 'idle-rss', 'layer-recovery', 'gateway-throughput', 'isolation', 'hostile-load',
  'session-fanout', 'dashboard', 'dependencies', 'model-call', 'skill-page', 'soak',
];
let failed = 0;
for (const name of only.length ? only : all) {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
