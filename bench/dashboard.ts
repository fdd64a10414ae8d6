// The dashboard in Chromium: (1) layer failure → color change, p95 over 20 kills, against the
// host's own detection (the transition in health/layers.jsonl) in the same run; (2) first render
// (from navigation: page load, modules and the first snapshot included; and from the snapshot's
// arrival) and per-update cost with 200 skills and 10,000 runs in the ledger, against 2 skills and
// none; (3) the runs view's first page of every run (GET /api/runs), its first and a later request.
// BENCH_KILLS=0 skips (1).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test/helpers/browser.ts';
import { killAndHoldPort } from '../test/helpers/hijack.ts';
import { tempHome, waitFor, writeSkill } from '../test/helpers/home.ts';
import { http, snapshotOf, startHostProcess, type HostProcess } from '../test/helpers/host-process.ts';
import { mean, percentile, report, row } from './lib.ts';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);

function seedLedger(home: string, skills: number, runsEach: number): void {
  const t0 = Date.now() - runsEach * 60_000;
  for (let i = 0; i < skills; i++) {
    const name = `skill-${String(i).padStart(3, '0')}`;
    writeSkill(home, name, { schedule: `${i % 60} ${i % 24} * * *`, description: `Benchmark skill ${i}` }, 'ok.mjs');
    const lines: string[] = [];
    for (let r = 0; r < runsEach; r++) {
      const at = new Date(t0 + r * 60_000).toISOString();
      const base = { run_id: `${name}-${r}`, skill: name, slot: at, trigger: 'schedule', attempt: 1, started_at: at };
      lines.push(JSON.stringify({ type: 'start', ...base, host_pid: 1 }));
      lines.push(
        JSON.stringify({
          type: 'end', ...base, ended_at: at, duration_ms: 100, outcome: r % 17 === 0 ? 'failure' : 'success',
          exit_code: 0, signal: null,
        }),
      );
    }
    mkdirSync(join(home, 'runs'), { recursive: true });
    writeFileSync(join(home, 'runs', `${name}.jsonl`), lines.join('\n') + '\n');
  }
}

/** A fresh login URL: the banner's code is used once, and each page load below is a new browser. */
async function freshLoginUrl(h: HostProcess): Promise<string> {
  const r = await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: { authorization: `Bearer ${h.token()}` } });
  return `http://127.0.0.1:${h.gatewayPort}/login#code=${(r.json() as { code: string }).code}`;
}

/**
 * Times from the dashboard's navigation start: rendered, the page itself in, the snapshot asked for
 * and arrived, the first screen's modules in.
 */
interface LoadTimes { firstRender: number; documentIn: number; snapshotAsked: number; snapshotIn: number; modulesIn: number }

async function openDashboard(h: HostProcess, expectRows: number, loginUrl = h.loginUrl) {
  const b = await launchChromium();
  const page = await b.context.newPage();
  await page.goto(loginUrl);
  await page.waitForFunction((n) => document.querySelectorAll('tr[data-skill]').length === n, expectRows, { timeout: 30_000 });
  const times: LoadTimes = await page.evaluate(() => {
    // The dashboard's own navigation (after the login page's redirect) starts at 0.
    const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const snap = res.find((r) => r.name.endsWith('/api/snapshot'));
    const preloaded = new Set([...document.querySelectorAll('link[rel="modulepreload"]')].map((l) => (l as HTMLLinkElement).href));
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return {
      firstRender: at('ck-first-render'), documentIn: nav.responseEnd, snapshotAsked: snap?.startTime ?? NaN,
      snapshotIn: snap?.responseEnd ?? NaN,
      modulesIn: Math.max(...res.filter((r) => preloaded.has(r.name)).map((r) => r.responseEnd)),
    };
  });
  return { b, page, times };
}

const LOADS = 5;
const median = (xs: number[]) => percentile(xs, 50);

async function renderCost(skills: number, runsEach: number) {
  const { home, cleanup } = tempHome('ck-bench-');
  seedLedger(home, skills, runsEach);
  const h = await startHostProcess(home);
  // Each load a new browser (nothing cached), LOADS times: one page load is too noisy on a shared machine.
  const loads: LoadTimes[] = [];
  let d!: Awaited<ReturnType<typeof openDashboard>>;
  for (let i = 0; i < LOADS; i++) {
    if (d) await d.b.close();
    d = await openDashboard(h, skills + 2, await freshLoginUrl(h)); // + the two bundled skills
    loads.push(d.times);
  }
  await d.page.waitForTimeout(8000); // a snapshot a second: ~8 updates
  const updates = await d.page.evaluate(() => performance.getEntriesByName('ck-update').map((e) => e.duration));
  const runsApi = await d.page.evaluate(async () => {
    const t = async () => {
      const s = performance.now();
      // As the page asks (session-auth.js): the session in its header, no cookie.
      const res = await fetch('/api/runs?limit=50', {
        headers: { 'X-ClawKeeper-Session': sessionStorage.getItem('clawkeeper.session') ?? '' }, credentials: 'omit',
      });
      if (!res.ok) throw new Error(`GET /api/runs: HTTP ${res.status}`);
      await res.json();
      return performance.now() - s;
    };
    return { cold: await t(), warm: await t() };
  });
  await d.b.close();
  await h.stop();
  cleanup();
  const m = (k: keyof LoadTimes) => median(loads.map((l) => l[k]));
  // The first update is the first render with data: from the snapshot's arrival to painted.
  return {
    firstRender: m('firstRender'), documentIn: m('documentIn'), snapshotAsked: m('snapshotAsked'),
    snapshotIn: m('snapshotIn'), modulesIn: m('modulesIn'), loads, dataToRender: updates[0] ?? NaN,
    updates: updates.slice(1), runsApi,
  };
}

// (1) failure → color
const toColor: number[] = [];
const toRecord: number[] = [];
async function killToColor(): Promise<void> {
  const { home, cleanup } = tempHome('ck-bench-');
  writeSkill(home, 'tick', { schedule: '* * * * * *' }, 'ok.mjs');
  const h = await startHostProcess(home);
  const d = await openDashboard(h, 3);
  const layersFile = join(home, 'health', 'layers.jsonl');
  for (let i = 0; i < KILLS; i++) {
    const layer = i % 2 ? 'session' : 'gateway';
    await d.page.locator('main[data-mode="operational"]').waitFor({ timeout: 30_000 });
    const pid = (await snapshotOf(h)).host.layerPids[layer];
    const lines = readFileSync(layersFile, 'utf8').split('\n').length;
    const t0 = Date.now();
    const held = await killAndHoldPort(pid, layer === 'gateway' ? h.gatewayPort : h.sessionPort);
    const recorded = waitFor(
      'the host to record it',
      () => readFileSync(layersFile, 'utf8').split('\n').slice(lines - 1).some(
        (l) => l.includes(`"layer":"${layer}"`) && !l.includes('"status":"ok"'),
      ) && Date.now(),
      10_000, 2,
    );
    await d.page.locator(`[data-layer="${layer}"]:not([data-color="green"])`).waitFor({ timeout: 10_000 });
    toColor.push(Date.now() - t0);
    toRecord.push((await recorded) - t0);
    await held.release();
  }
  await d.b.close();
  await h.stop();
  cleanup();
}
if (KILLS > 0) await killToColor();

// (2) render cost. The machine's load goes with the figures: the layers run at nice 19, so on a
// busy machine their answers wait (by design: they give way to the skills).
const loadBefore = loadavg()[0]!;
const small = await renderCost(0, 0);
const big = await renderCost(200, 50);
const loadAfter = loadavg()[0]!;
console.log(`load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, ${cpus().length} CPUs`);
report('dashboard', 'host detection / small dashboard', [
  ...(KILLS > 0 ? [
    row('layer killed → tile color, p50', percentile(toColor, 50), Math.max(1, percentile(toRecord, 50)), 'ms', 'info', () => true),
    row(
      'layer killed → tile color, p95', percentile(toColor, 95), Math.max(1, percentile(toRecord, 95)), 'ms',
      'p95 < 1000 ms', (_r, v) => v < 1000,
    ),
  ] : []),
  row(
    `first render, from navigation start, median of ${LOADS} cold loads (page load included), 200 skills + 10,000 runs`,
    big.firstRender, small.firstRender, 'ms', '< 300 ms', (_r, v) => v < 300,
  ),
  row('  of which: the page (index.html) in, from navigation start', big.documentIn, small.documentIn, 'ms', 'info', () => true),
  row('  of which: snapshot asked for, from navigation start', big.snapshotAsked, small.snapshotAsked, 'ms', 'info', () => true),
  row('  of which: snapshot arrived, from navigation start', big.snapshotIn, small.snapshotIn, 'ms', 'info', () => true),
  row('  of which: first screen\'s modules in, from navigation start', big.modulesIn, small.modulesIn, 'ms', 'info', () => true),
  row('first render, from the snapshot\'s arrival', big.dataToRender, small.dataToRender, 'ms', 'info', () => true),
  row('runs view: first page of every run, first request', big.runsApi.cold, small.runsApi.cold, 'ms', 'info', () => true),
  row('runs view: first page of every run, later request', big.runsApi.warm, small.runsApi.warm, 'ms', '< 50 ms', (_r, v) => v < 50),
  row('per later update, 200 skills, mean', mean(big.updates), mean(small.updates), 'ms', 'info', () => true),
  row('per later update, 200 skills, p95', percentile(big.updates, 95), percentile(small.updates, 95), 'ms', 'info', () => true),
], {
  kills: KILLS, loadAverage: { before: loadBefore, after: loadAfter }, loads: { big: big.loads, small: small.loads },
  raw: { toColor, toRecord, bigUpdates: big.updates, smallUpdates: small.updates },
});
process.exit(0);
