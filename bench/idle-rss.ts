// Host RSS when idle with 20 skills loaded, against a bare Node process idling, in the same run.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempHome } from '../test/helpers/home.ts';
import { report, row } from './lib.ts';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function measure(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const p = spawn(process.execPath, args, { env, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, Number(process.env.BENCH_IDLE_MS ?? 6000)));
  const v = rssMb(p.pid!);
  p.kill('SIGKILL');
  return v;
}

const { home, cleanup } = tempHome('ck-bench-');
for (let i = 0; i < 20; i++) {
  const dir = join(home, 'skills', `skill-${i}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), 'export default async () => ({})\n');
  writeFileSync(
    join(dir, 'skill.json'),
    JSON.stringify({
      name: `skill-${i}`, schedule: `${i} 3 * * *`, entry: 'index.mjs',
      timezone: i % 2 ? 'Europe/Berlin' : 'America/New_York',
    }),
  );
}
const baseline = await measure(['-e', 'setInterval(() => {}, 1000)'], process.env);
const host = await measure([join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
  ...process.env, CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: '0', CLAWKEEPER_SESSION_PORT: '0',
});
cleanup();
report('idle-rss', 'bare node idling', [row('host RSS, idle, 20 skills', host, baseline, 'MB', '< 80 MB', (_r, ours) => ours < 80)]);
