// Dependencies: how fast a partition is seen (refused and blackholed apart), how fast the waiting
// skills catch up once the upstream answers again, and what probing 20 dependencies costs the host.
// Each row compares with its bound in the same run: detection with interval + 2 × timeout + 1 s
// (the target), return with 2 s, cost with the same host probing nothing.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Host } from '../main/core/host/host.ts';
import { createMemoryLogger } from '../main/core/home/logger.ts';
import { ROOT, tempHome, waitFor, writeSkill } from '../test/helpers/home.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { percentile, report, row } from './lib.ts';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 8);
const EVERY_S = 2;
const TIMEOUT_MS = 500;
const bound = EVERY_S * 1000 + 2 * TIMEOUT_MS + 1000;

async function partitions(): Promise<{ refused: number[]; blackholed: number[]; back: number[] }> {
  const t = tempHome('ck-bench-');
  let up: Upstream = await startUpstream();
  writeFileSync(
    join(t.home, 'config.json'),
    JSON.stringify({ dependencies: { network: { everySeconds: EVERY_S, timeoutMs: TIMEOUT_MS } } }),
  );
  writeSkill(t.home, 'poster', { schedule: '* * * * * *', needs: ['network'], catchUp: 'once' }, 'ok.mjs');
  writeSkill(t.home, 'local', { schedule: '* * * * * *' }, 'ok.mjs');
  const host = new Host({
    home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), killGraceMs: 300,
    env: { ...process.env, CLAWKEEPER_NETWORK_PROBE: up.url },
  });
  let catchUpAt = 0;
  host.on('run-start', (e) => {
    if (e.skill === 'poster' && e.trigger === 'catch-up') catchUpAt = performance.now();
  });
  await host.start();
  const out = { refused: [] as number[], blackholed: [] as number[], back: [] as number[] };
  for (let i = 0; i < CYCLES * 2; i++) {
    const kind = i % 2 === 0 ? 'refused' : 'blackholed';
    // A random phase against the probe cadence, as a real outage has.
    await new Promise((r) => setTimeout(r, 500 + Math.random() * EVERY_S * 1000));
    const cut = performance.now();
    if (kind === 'refused') await up.kill();
    else up.freeze();
    await waitFor('deferred', () => host.deferredOn('poster').length > 0, 20_000, 5);
    out[kind].push(performance.now() - cut);
    await new Promise((r) => setTimeout(r, 1500)); // a slot or two waits
    catchUpAt = 0;
    const back = performance.now();
    if (kind === 'refused') up = await startUpstream(up.port);
    else up.thaw();
    await waitFor('catch-up', () => catchUpAt > 0, 20_000, 5);
    out.back.push(catchUpAt - back);
    process.stdout.write(
      `  cycle ${i + 1}/${CYCLES * 2} ${kind}: detected ${Math.round(out[kind].slice(-1)[0]!)} ms, catch-up ${Math.round(out.back.slice(-1)[0]!)} ms\n`,
    );
  }
  await host.stop(true);
  await up.kill();
  t.cleanup();
  return out;
}

function procStat(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  return { rssMb: rss, cpuMs: (ticks * 1000) / 100 };
}

async function cost(withDeps: boolean, upstream: Upstream): Promise<{ rssMb: number; cpuMs: number }> {
  const t = tempHome('ck-bench-');
  const deps: Record<string, unknown> = {};
  for (let i = 0; i < 20; i++) {
    deps[`dep-${i}`] = { probe: upstream.url, everySeconds: 5, timeoutMs: 1000 };
    writeSkill(t.home, `skill-${i}`, { schedule: `${i} 3 * * *`, ...(withDeps ? { needs: [`dep-${i}`] } : {}) }, 'ok.mjs');
  }
  writeFileSync(join(t.home, 'config.json'), JSON.stringify({ dependencies: deps }));
  const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
    env: { ...process.env, CLAWKEEPER_HOME: t.home, CLAWKEEPER_GATEWAY_PORT: '0', CLAWKEEPER_SESSION_PORT: '0' },
    stdio: 'ignore',
  });
  const settle = Number(process.env.BENCH_SETTLE_MS ?? 8000);
  const window = Number(process.env.BENCH_WINDOW_MS ?? 30_000);
  await new Promise((r) => setTimeout(r, settle));
  const a = procStat(p.pid!);
  await new Promise((r) => setTimeout(r, window));
  const b = procStat(p.pid!);
  p.kill('SIGKILL');
  t.cleanup();
  return { rssMb: b.rssMb, cpuMs: b.cpuMs - a.cpuMs };
}

const d = await partitions();
const upstream = await startUpstream();
const none = await cost(false, upstream);
const twenty = await cost(true, upstream);
await upstream.kill();
report('dependencies', 'bound / same host probing nothing', [
  row(
    `detection p95, refused (${CYCLES} cuts)`, percentile(d.refused, 95), bound, 'ms',
    `≤ interval + 2×timeout + 1 s = ${bound} ms`, (r) => r <= 1,
  ),
  row(`detection p95, blackholed (${CYCLES} cuts)`, percentile(d.blackholed, 95), bound, 'ms', `≤ ${bound} ms`, (r) => r <= 1),
  row(`return: upstream back → catch-up run started, p95 (${d.back.length})`, percentile(d.back, 95), 2000, 'ms', '< 2 s', (r) => r < 1),
  row('host RSS, 20 dependencies probed every 5 s', twenty.rssMb, none.rssMb, 'MB', '≤ 1.1×', (r) => r <= 1.1),
  row('host CPU over 30 s, 20 dependencies', twenty.cpuMs, Math.max(1, none.cpuMs), 'ms', 'info (ratio of small numbers)', () => true),
], { samples: d, cost: { none, twenty } });
