// Session layer: 1,000 authenticated clients subscribed to one session; a publish delivered to
// all of them, p99 over clients and publishes; memory per connection. Baseline: a bare `ws`
// server broadcasting the same frames to 1,000 clients, in the same run.
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort } from '../test/helpers/net.ts';
import { tempHome, writeSkill } from '../test/helpers/home.ts';
import { snapshotOf, startHostProcess } from '../test/helpers/host-process.ts';
import { percentile, report, row } from './lib.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 20);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function connectAll(port: number, token: string | null): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, CLIENTS - i) }, () => new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
        ws.once('error', reject);
        ws.once('open', () => {
          if (token) ws.send(JSON.stringify({ type: 'auth', token }));
          ws.send(JSON.stringify({ type: 'subscribe', session: 'fan', since: 1e12 }));
        });
        ws.on('message', (d) => {
          const m = JSON.parse((d as Buffer).toString()) as { type: string };
          if (m.type === 'subscribed') resolve(ws);
        });
      })),
    );
    out.push(...batch);
  }
  return out;
}

async function measure(port: number, token: string | null, publisher: WebSocket): Promise<number[]> {
  const clients = await connectAll(port, token);
  const lat: number[] = [];
  for (let p = 0; p < PUBLISHES; p++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let left = clients.length;
      for (const c of clients) {
        c.once('message', () => {
          lat.push(performance.now() - t0);
          if (--left === 0) resolve();
        });
      }
      publisher.send(JSON.stringify({ type: 'publish', session: 'fan', data: { p, text: 'hello from the bench' } }));
    });
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const c of clients) c.terminate();
  return lat;
}

async function publisherFor(port: number, token: string | null): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise((r) => ws.once('open', r));
  if (token) ws.send(JSON.stringify({ type: 'auth', token }));
  return ws;
}

// Baseline: a bare ws server that broadcasts every publish to every subscriber.
const { home, cleanup } = tempHome('ck-bench-');
const barePort = await freePort();
const bareFile = join(home, 'bare-ws.mjs');
writeFileSync(bareFile, `import { WebSocketServer } from ${JSON.stringify(new URL('../node_modules/ws/wrapper.mjs', import.meta.url).href)};
const wss = new WebSocketServer({ host: '127.0.0.1', port: ${barePort} }, () => process.send('ready'));
const subs = new Set(); let seq = 0;
wss.on('connection', (ws) => ws.on('message', (d) => { const m = JSON.parse(String(d));
  if (m.type === 'subscribe') { subs.add(ws); ws.send(JSON.stringify({ type: 'subscribed' })); }
  if (m.type === 'publish') {
    const t = JSON.stringify({
      type: 'event', session: m.session, seq: ++seq, ts: new Date().toISOString(), kind: 'message', data: m.data });
    for (const s of subs) s.send(t); } }));`);
const bare = fork(bareFile, [], { stdio: 'ignore' });
await new Promise((r) => bare.once('message', r));
const bareIdle = rssMb(bare.pid!);
const bareHeldClients = await connectAll(barePort, null);
const bareHeld = rssMb(bare.pid!);
for (const c of bareHeldClients) c.terminate();
const bareLat = await measure(barePort, null, await publisherFor(barePort, null));
bare.kill();

writeSkill(home, 'idle', { schedule: '0 0 1 1 *' }, 'ok.mjs');
const h = await startHostProcess(home);
const sessionPid = (await snapshotOf(h)).host.layerPids.session;
const idleRss = rssMb(sessionPid);
const pub = await publisherFor(h.sessionPort, h.token());
// Hold the connections open a moment to read the memory they take.
const clients = await connectAll(h.sessionPort, h.token());
const heldRss = rssMb(sessionPid);
for (const c of clients) c.terminate();
const ours = await measure(h.sessionPort, h.token(), pub);
pub.terminate();
await h.stop();
cleanup();
report('session-fanout', 'bare ws broadcast', [
  row(`delivery to ${CLIENTS} clients, p50`, percentile(ours, 50), percentile(bareLat, 50), 'ms', 'info', () => true),
  row(`delivery to ${CLIENTS} clients, p99`, percentile(ours, 99), percentile(bareLat, 99), 'ms', 'p99 < 100 ms', (_r, v) => v < 100),
  row('memory per connection', ((heldRss - idleRss) * 1024) / CLIENTS, ((bareHeld - bareIdle) * 1024) / CLIENTS, 'KiB', 'info', () => true),
], { clients: CLIENTS, publishes: PUBLISHES, sessionRssIdleMb: idleRss, sessionRssWithClientsMb: heldRss });
process.exit(0);
