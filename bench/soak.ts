// Soak: minutes of 1-second skills, a WebSocket client publishing 100 events/s and another that
// reconnects every 5 s. Measures the RSS of each process after the warm-up and at the end (the
// baseline is the same process after warm-up), and the size of every file under the home folder
// against its documented cap (README, "Security and limits"). CLAWKEEPER_SOAK_SECONDS shortens it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import WebSocket from 'ws';
import { tempHome, writeSkill } from '../test/helpers/home.ts';
import { snapshotOf, startHostProcess } from '../test/helpers/host-process.ts';
import { report, row, type Row } from './lib.ts';

const SECONDS = Number(process.env.CLAWKEEPER_SOAK_SECONDS ?? 600);
const WARMUP = Math.min(60, Math.floor(SECONDS / 3));
const MiB = 1024 * 1024;

/** The documented cap of a file under the home folder, by its path. */
function capFor(rel: string): number {
  if (/^runs\/[^/]+\.(1\.)?jsonl$/.test(rel)) return 2 * MiB + 64 * 1024;
  if (/^sessions\/[^/]+\.jsonl(\.1)?$/.test(rel)) return 4 * MiB + 64 * 1024;
  if (/^logs\/app\.log(\.1)?$/.test(rel)) return 5 * MiB;
  if (/^logs\/[^/]+\/[^/]+\.log$/.test(rel)) return MiB + 4096;
  if (/^health\/[^/]+\.jsonl(\.1\.jsonl)?$/.test(rel)) return MiB + 4096;
  return 256 * 1024; // token, status files, state files, skills
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function rssMb(pid: number | null): number {
  if (!pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const { home, cleanup } = tempHome('ck-soak-');
for (let i = 0; i < 4; i++) writeSkill(
  home, `second-${i}`, { schedule: '* * * * * *', overlap: 'skip', env: { SLEEP_MS: '800' } }, 'ok.mjs',
);
const h = await startHostProcess(home);
const token = h.token();

// 100 events a second into one session.
let published = 0;
const publisher = new WebSocket(`ws://127.0.0.1:${h.sessionPort}/`, { headers: { authorization: `Bearer ${token}` } });
publisher.on('error', () => undefined);
await new Promise((r) => publisher.on('open', r));
const pubTimer = setInterval(() => {
  for (let i = 0; i < 10; i++) publisher.send(
    JSON.stringify({
      type: 'publish', session: 'soak', kind: 'message', id: `p-${published}`,
      data: { n: published++, text: 'soak event payload '.repeat(4) },
    }),
  );
}, 100);

// A client that reconnects every 5 s and resumes from its last seq.
let lastSeq = 0;
let reconnects = 0;
let received = 0;
let sub = null as WebSocket | null;
const reconnect = () => {
  sub?.terminate();
  reconnects++;
  const ws = new WebSocket(`ws://127.0.0.1:${h.sessionPort}/`, { headers: { authorization: `Bearer ${token}` } });
  ws.on('error', () => undefined);
  ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', session: 'soak', since: lastSeq })));
  ws.on('message', (d) => {
    const f = JSON.parse((d as Buffer).toString()) as { type: string; seq?: number };
    if (f.type === 'event' && f.seq) {
      lastSeq = Math.max(lastSeq, f.seq);
      received++;
    }
  });
  sub = ws;
};
reconnect();
const subTimer = setInterval(reconnect, 5000);

async function rssAll(): Promise<Record<string, number>> {
  const pids = (await snapshotOf(h)).host.layerPids;
  return { host: rssMb(h.proc.pid ?? null), gateway: rssMb(pids.gateway), session: rssMb(pids.session) };
}

console.log(`soak: ${SECONDS} s (warm-up ${WARMUP} s), home ${home}`);
await new Promise((r) => setTimeout(r, WARMUP * 1000));
const warm = await rssAll();
await new Promise((r) => setTimeout(r, (SECONDS - WARMUP) * 1000));
const end = await rssAll();
clearInterval(pubTimer);
clearInterval(subTimer);
publisher.terminate();
sub?.terminate();
await h.stop();

const rows: Row[] = [];
for (const p of ['host', 'gateway', 'session']) rows.push(
  row(`${p} RSS at end vs after warm-up`, end[p]!, warm[p]!, 'MB', 'growth < 10 %', (ratio) => ratio < 1.1),
);
const files = walk(home).map((f) => ({ rel: relative(home, f), size: statSync(f).size }));
const worst = files.map((f) => ({ ...f, cap: capFor(f.rel) })).sort((a, b) => b.size / b.cap - a.size / a.cap);
for (const f of worst.slice(0, 8)) rows.push(
  row(`size of ${f.rel}`, f.size / 1024, f.cap / 1024, 'KiB', '<= documented cap', (ratio) => ratio <= 1),
);
const over = worst.filter((f) => f.size > f.cap);
report('soak', 'same process after warm-up / documented cap', rows, {
  seconds: SECONDS,
  published,
  received,
  reconnects,
  files: files.length,
  totalKiB: Math.round(files.reduce((a, f) => a + f.size, 0) / 1024),
  overCap: over.map((f) => f.rel),
});
console.log(
  `published ${published}, received ${received} across ${reconnects} reconnects; ${files.length} files, ${over.length} over their cap`,
);
cleanup();
