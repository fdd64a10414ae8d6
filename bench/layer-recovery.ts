// Recovery after SIGKILL of the gateway and of the session process: time from the kill until
// the layer serves again (GET /health answers 200 on its port). Two cases, each for our host with
// its warm standbys and, in the same run, for a host without them (CLAWKEEPER_STANDBY=0: a new
// Node process boots at each restart):
// - spaced: 20 kills of each layer, 2.5 s apart (the standby is warm again by then);
// - chaos: each layer killed every 2–4 s for 30 s (as the chaos test does), both at once.
// Also a hung (SIGSTOP) gateway replaced, and the memory a standby costs (its RSS).
// The article's 30 s average recovery is the other yardstick.
import { readFileSync, readdirSync } from 'node:fs';
import { probeHttp } from '../main/core/supervision/probe.ts';
import { tempHome, writeSkill } from '../test/helpers/home.ts';
import { snapshotOf, startHostProcess, type HostProcess } from '../test/helpers/host-process.ts';
import { mean, percentile, report, row } from './lib.ts';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const GAP_MS = Number(process.env.BENCH_KILL_GAP_MS ?? 2500);
const CHAOS_S = Number(process.env.BENCH_CHAOS_SECONDS ?? 30);
const ARTICLE_MS = 30_000;
type Layer = 'gateway' | 'session';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pidsOf(h: HostProcess): Promise<Record<Layer, number>> {
  for (;;) {
    try {
      return (await snapshotOf(h)).host.layerPids;
    } catch {
      await sleep(5); // the gateway is coming back
    }
  }
}

/** After SIGKILL the old process answers nothing, so the first 200 is the new one's. */
async function timeUntilServing(port: number, pid: number, signal: NodeJS.Signals, h: HostProcess, layer: Layer): Promise<number> {
  const t0 = performance.now();
  try {
    process.kill(pid, signal);
  } catch {
    return NaN; // gone already
  }
  for (;;) {
    const r = await probeHttp(port, '/health', 200);
    if (r.ok) {
      if (signal === 'SIGKILL') return performance.now() - t0;
      // a stopped process answers nothing either, but check the pid changed all the same
      const pids = await snapshotOf(h).then((s) => s.host.layerPids, () => null);
      if (!pids || pids[layer] !== pid) return performance.now() - t0;
    }
    await sleep(2);
  }
}

const portOf = (h: HostProcess, l: Layer) => (l === 'gateway' ? h.gatewayPort : h.sessionPort);

async function spaced(h: HostProcess): Promise<Record<Layer, number[]>> {
  const out: Record<Layer, number[]> = { gateway: [], session: [] };
  for (let i = 0; i < KILLS; i++) {
    for (const layer of ['gateway', 'session'] as const) {
      const pid = (await pidsOf(h))[layer];
      out[layer].push(await timeUntilServing(portOf(h, layer), pid, 'SIGKILL', h, layer));
      await sleep(GAP_MS);
    }
  }
  return out;
}

async function chaos(h: HostProcess): Promise<Record<Layer, number[]>> {
  const out: Record<Layer, number[]> = { gateway: [], session: [] };
  const until = performance.now() + CHAOS_S * 1000;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  await Promise.all((['gateway', 'session'] as const).map(async (layer) => {
    while (performance.now() < until) {
      await sleep(2000 + rand() * 2000);
      const pid = (await pidsOf(h))[layer];
      const ms = await timeUntilServing(portOf(h, layer), pid, 'SIGKILL', h, layer);
      if (!Number.isNaN(ms)) out[layer].push(ms);
    }
  }));
  return out;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The layer processes of this host that are not the active ones: its standbys. */
function standbyPids(hostPid: number, active: number[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (ppid === hostPid && /layers[/\\](gateway|session)[/\\](gateway|session)\./.test(cmd)
        && !active.includes(Number(d))) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function host(standby: boolean): Promise<{ h: HostProcess; cleanup: () => void }> {
  const { home, cleanup } = tempHome('ck-bench-');
  writeSkill(home, 'tick', { schedule: '* * * * * *' }, 'ok.mjs');
  const h = await startHostProcess(home, standby ? {} : { CLAWKEEPER_STANDBY: '0' });
  await sleep(2000); // the standbys boot after the first layers are ready
  return { h, cleanup };
}

// Ours: standbys on.
const ours = await host(true);
const active = await pidsOf(ours.h);
const standbys = standbyPids(ours.h.proc.pid!, [active.gateway, active.session]);
const standbyRss = standbys.map(rssMb);
const activeRss = [active.gateway, active.session].map(rssMb);
const oursSpaced = await spaced(ours.h);
const oursChaos = await chaos(ours.h);
await sleep(GAP_MS);
const hung: number[] = [];
for (let i = 0; i < 3; i++) {
  const pid = (await pidsOf(ours.h)).gateway;
  hung.push(await timeUntilServing(ours.h.gatewayPort, pid, 'SIGSTOP', ours.h, 'gateway'));
  await sleep(GAP_MS);
}
await ours.h.stop();
ours.cleanup();

// Baseline in the same run: no standby, a Node boot at each restart.
const cold = await host(false);
const coldSpaced = await spaced(cold.h);
const coldChaos = await chaos(cold.h);
await cold.h.stop();
cold.cleanup();

const p95 = (xs: number[]) => percentile(xs, 95);
const all = (r: Record<Layer, number[]>) => [...r.gateway, ...r.session];
report('layer-recovery', 'same host, no standby (cold boot)', [
  row(
    'gateway after SIGKILL, spaced, p50', percentile(oursSpaced.gateway, 50), percentile(coldSpaced.gateway, 50), 'ms',
    'info', () => true,
  ),
  row('gateway after SIGKILL, spaced, p95', p95(oursSpaced.gateway), p95(coldSpaced.gateway), 'ms', 'p95 < 50 ms', (_r, v) => v < 50),
  row(
    'session after SIGKILL, spaced, p50', percentile(oursSpaced.session, 50), percentile(coldSpaced.session, 50), 'ms',
    'info', () => true,
  ),
  row('session after SIGKILL, spaced, p95', p95(oursSpaced.session), p95(coldSpaced.session), 'ms', 'p95 < 50 ms', (_r, v) => v < 50),
  row(
    `chaos (each layer killed every 2-4 s, ${CHAOS_S} s), p50`, percentile(all(oursChaos), 50),
    percentile(all(coldChaos), 50), 'ms', 'info', () => true,
  ),
  row(
    `chaos (each layer killed every 2-4 s, ${CHAOS_S} s), p95`, p95(all(oursChaos)), p95(all(coldChaos)), 'ms',
    'p95 < 50 ms', (_r, v) => v < 50,
  ),
  row('hung gateway (SIGSTOP) replaced, mean (vs the article)', mean(hung), ARTICLE_MS, 'ms', '< 2000 ms', (_r, v) => v < 2000),
  row('standby RSS, mean of the standbys (vs an active layer)', mean(standbyRss), mean(activeRss), 'MB', 'info', () => true),
], {
  kills: KILLS,
  gapMs: GAP_MS,
  chaosSeconds: CHAOS_S,
  standbys: standbys.length,
  raw: { oursSpaced, oursChaos, coldSpaced, coldChaos, hung, standbyRss, activeRss },
});
process.exit(0);
