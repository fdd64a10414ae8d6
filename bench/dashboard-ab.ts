// The dashboard's first render from navigation, this tree against another revision, page loads
// interleaved (A, B, B, A…; a new browser each time) so that a shared machine's changing load
// falls on both alike; each tree runs its own host on the same ledgers (200 skills, 10,000 runs).
// `npm run bench -- dashboard` measures one configuration after the other; this is for comparing.
//   git archive <rev> | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   npx node bench/dashboard-ab.ts /tmp/base      (N=8 pairs by default)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test/helpers/browser.ts';
import { ROOT, tempHome, waitFor, writeSkill } from '../test/helpers/home.ts';
import { http } from '../test/helpers/host-process.ts';
import { freePort } from '../test/helpers/net.ts';

function seed(home: string) {
  const t0 = Date.now() - 50 * 60_000;
  for (let i = 0; i < 200; i++) {
    const name = `skill-${String(i).padStart(3, '0')}`;
    writeSkill(home, name, { schedule: `${i % 60} ${i % 24} * * *`, description: `Benchmark skill ${i}` }, 'ok.mjs');
    const lines: string[] = [];
    for (let r = 0; r < 50; r++) {
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
/** A headless host from `root`'s sources (both trees alike: no build), on free ports. */
async function host(root: string) {
  const { home, cleanup } = tempHome('ck-ab-');
  seed(home);
  const gw = await freePort();
  let ss = await freePort();
  while (ss === gw) ss = await freePort();
  const proc = spawn(process.execPath, [join(root, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
    env: {
      ...process.env, CLAWKEEPER_FROM_SOURCE: '1', CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: String(gw),
      CLAWKEEPER_SESSION_PORT: String(ss),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor('login line', () => /Dashboard: (http\S+)/.exec(out)?.[1], 60_000, 50);
  await waitFor('both layers ok', async () => {
    try {
      return (JSON.parse((await http(gw, 'GET', '/health')).body) as { layers: { session: string } }).layers.session === 'ok';
    } catch {
      return false;
    }
  }, 30_000, 50);
  const token = () => readFileSync(join(home, 'token'), 'utf8').trim();
  // The host's exit is awaited (SIGKILL after 15 s) before its home goes: a host left running
  // would keep its layers and ports after this script ends.
  const stop = async () => {
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
    cleanup();
  };
  return { gw, token, stop };
}
type H = Awaited<ReturnType<typeof host>>;
/** One page load in a new browser, through a fresh login code; times from the dashboard's navigation start. */
async function load(h: H) {
  const code = (JSON.parse(
    (await http(h.gw, 'POST', '/api/login-codes', { headers: { authorization: `Bearer ${h.token()}` } })).body,
  ) as { code: string }).code;
  const b = await launchChromium();
  const page = await b.context.newPage();
  await page.goto(`http://127.0.0.1:${h.gw}/login#code=${code}`);
  await page.waitForFunction(() => document.querySelectorAll('tr[data-skill]').length === 202, undefined, { timeout: 30_000 });
  const t = await page.evaluate(() => {
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const snap = res.find((r) => r.name.endsWith('/api/snapshot'));
    const pre = new Set([...document.querySelectorAll('link[rel="modulepreload"]')].map((l) => (l as HTMLLinkElement).href));
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return {
      fr: performance.getEntriesByName('ck-first-render')[0]!.startTime, doc: nav.responseEnd, asked: snap!.startTime,
      snapIn: snap!.responseEnd, mods: Math.max(...res.filter((r) => pre.has(r.name)).map((r) => r.responseEnd)),
    };
  });
  await b.close();
  return t;
}
const baseRoot = process.argv[2];
if (!baseRoot) throw new Error('usage: npx node bench/dashboard-ab.ts <the other tree> (see the comment at the top)');
const before = await host(baseRoot);
const now = await host(ROOT);
const N = Number(process.env.N ?? 8);
const rows: { who: string; load: number; t: Awaited<ReturnType<typeof load>> }[] = [];
for (let i = 0; i < N; i++) {
  const order = i % 2 ? [['now', now], ['before', before]] as const : [['before', before], ['now', now]] as const;
  for (const [who, h] of order) rows.push({ who, load: loadavg()[0]!, t: await load(h) });
}
await before.stop();
await now.stop();
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
for (const who of ['before', 'now']) {
  const r = rows.filter((x) => x.who === who).map((x) => x.t);
  const f = (k: keyof (typeof r)[0]) => med(r.map((x) => x[k])).toFixed(0);
  console.log(
    `${who.padEnd(7)} first render median ${f('fr')} ms [${r.map((x) => x.fr.toFixed(0)).join(' ')}]; page in ${f('doc')}, snapshot asked ${f('asked')}, in ${f('snapIn')}, modules in ${f('mods')}`,
  );
}
const pairs = rows.filter((x) => x.who === 'before').map((b, i) => rows.filter((x) => x.who === 'now')[i]!.t.fr - b.t.fr);
console.log(
  'paired difference now - before, median', med(pairs).toFixed(0), 'ms',
  `[${pairs.map((p) => p.toFixed(0)).join(' ')}]`, 'load', rows.map((r) => r.load.toFixed(1)).join(' '),
);
process.exit(0);
