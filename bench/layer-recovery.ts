// Recovery after SIGKILL of the gateway and of the session process: time from the kill until
// the layer serves again (GET /health answers 200 on its port), over 20 kills each; and a hung
// (SIGSTOP) layer replaced. Baseline: the article's 30 s average recovery.
import { probeHttp } from '../main/core/probe.ts';
import { tempHome, writeSkill } from '../test/helpers/home.ts';
import { snapshotOf, startHostProcess } from '../test/helpers/host-process.ts';
import { mean, percentile, report, row } from './lib.ts';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const ARTICLE_MS = 30_000;
const { home, cleanup } = tempHome('ck-bench-');
writeSkill(home, 'tick', { schedule: '* * * * * *' }, 'ok.mjs');
const h = await startHostProcess(home);

async function timeUntilServing(port: number, oldPid: number, layer: 'gateway' | 'session', signal: NodeJS.Signals): Promise<number> {
  const t0 = performance.now();
  process.kill(oldPid, signal);
  // The old process answers nothing from here on; wait for a new one to answer.
  for (;;) {
    const r = await probeHttp(port, '/health', 200);
    if (r.ok) {
      const pids = (await snapshotOf(h).catch(() => null))?.host.layerPids;
      if (!pids || pids[layer] !== oldPid) return performance.now() - t0;
    }
    await new Promise((res) => setTimeout(res, 5));
  }
}

const results: Record<string, number[]> = { gateway: [], session: [] };
for (let i = 0; i < KILLS; i++) {
  for (const layer of ['gateway', 'session'] as const) {
    const pid = (await snapshotOf(h)).host.layerPids[layer];
    results[layer]!.push(await timeUntilServing(layer === 'gateway' ? h.gatewayPort : h.sessionPort, pid, layer, 'SIGKILL'));
    // spaced past the supervisor's stable period, as real crashes are: each is a first retry
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_KILL_GAP_MS ?? 5500)));
  }
}
const hung: number[] = [];
for (let i = 0; i < 3; i++) {
  const pid = (await snapshotOf(h)).host.layerPids.gateway;
  hung.push(await timeUntilServing(h.gatewayPort, pid, 'gateway', 'SIGSTOP'));
  await new Promise((r) => setTimeout(r, 5500));
}
await h.stop();
cleanup();
report('layer-recovery', 'the article: 30 s average', [
  row('gateway after SIGKILL, p50', percentile(results.gateway!, 50), ARTICLE_MS, 'ms', '-', () => true),
  row('gateway after SIGKILL, p95', percentile(results.gateway!, 95), ARTICLE_MS, 'ms', 'p95 < 1000 ms', (_r, v) => v < 1000),
  row('session after SIGKILL, p50', percentile(results.session!, 50), ARTICLE_MS, 'ms', '-', () => true),
  row('session after SIGKILL, p95', percentile(results.session!, 95), ARTICLE_MS, 'ms', 'p95 < 1000 ms', (_r, v) => v < 1000),
  row('hung gateway (SIGSTOP) replaced, mean', mean(hung), ARTICLE_MS, 'ms', '< 5000 ms', (_r, v) => v < 5000),
], { kills: KILLS, raw: { ...results, hung } });
process.exit(0);
