// Gateway requests per second and p99 latency for GET /health and GET /api/skills, against a
// bare node:http server answering the same bytes, each driven by autocannon on loopback.
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/helpers/net.ts';
import { tempHome, writeSkill } from '../test/helpers/home.ts';
import { http, startHostProcess } from '../test/helpers/host-process.ts';
import { report, row } from './lib.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 4);
const { home, cleanup } = tempHome('ck-bench-');
for (let i = 0; i < 20; i++) writeSkill(home, `skill-${i}`, { schedule: '0 3 * * *' }, 'ok.mjs');
const h = await startHostProcess(home);
const auth = { authorization: `Bearer ${h.token()}` };
await new Promise((r) => setTimeout(r, 500));
const bodies = {
  health: (await http(h.gatewayPort, 'GET', '/health')).body,
  skills: (await http(h.gatewayPort, 'GET', '/api/skills', { headers: auth })).body,
};

// The baseline: node:http answering the same two bodies, nothing else.
const barePort = await freePort();
const bareFile = join(home, 'bare.mjs');
writeFileSync(bareFile, `import { createServer } from 'node:http';
const bodies = ${JSON.stringify(bodies)};
createServer((req, res) => { const b = req.url === '/health' ? bodies.health : bodies.skills;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) }); res.end(b); })
  .listen(${barePort}, '127.0.0.1', () => process.send('ready'));`);
const bare = fork(bareFile, [], { stdio: 'ignore' });
await new Promise((r) => bare.once('message', r));
// Same footing as the gateway, which the supervisor runs at nice 19.
setPriority(bare.pid!, 19);

async function load(port: number, path: string, headers: Record<string, string>) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`, connections: 20, duration: DURATION,
    headers: { host: `127.0.0.1:${port}`, ...headers },
  });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

// This machine is noisy: alternate the two servers over several rounds and keep the median.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const runs: Record<string, Awaited<ReturnType<typeof load>>[]> = { bareHealth: [], gwHealth: [], bareSkills: [], gwSkills: [] };
for (let i = 0; i < ROUNDS; i++) {
  runs.bareHealth!.push(await load(barePort, '/health', {}));
  runs.gwHealth!.push(await load(h.gatewayPort, '/health', {}));
  runs.bareSkills!.push(await load(barePort, '/api/skills', {}));
  runs.gwSkills!.push(await load(h.gatewayPort, '/api/skills', auth));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = Object.fromEntries(
  Object.entries(runs).map(
    ([k, v]) => [k, { rps: median(v.map((x) => x.rps)), p99: median(v.map((x) => x.p99)), errors: v.reduce((n, x) => n + x.errors, 0) }],
  ),
);
bare.kill();
await h.stop();
// The supervisor probes the gateway all along: a "hung" verdict during this load would be false.
const hungVerdicts = readFileSync(join(home, 'health', 'layers.jsonl'), 'utf8').split('\n').filter((l) => /"reason":"hung/.test(l)).length;
console.log(`false "hung" verdicts on the gateway during the load: ${hungVerdicts}`);
cleanup();
report('gateway-throughput', 'bare node:http, same bodies', [
  row('GET /health req/s', results.gwHealth!.rps, results.bareHealth!.rps, 'req/s', 'ratio >= 0.7', (r) => r >= 0.7),
  row('GET /health p99', results.gwHealth!.p99, results.bareHealth!.p99, 'ms', 'info', () => true),
  row('GET /api/skills req/s (20 skills)', results.gwSkills!.rps, results.bareSkills!.rps, 'req/s', 'ratio >= 0.7', (r) => r >= 0.7),
  row('GET /api/skills p99', results.gwSkills!.p99, results.bareSkills!.p99, 'ms', 'info', () => true),
], {
  seconds: DURATION, rounds: ROUNDS, connections: 20, hungVerdicts,
  raw: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => x.rps)])),
  errors: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.errors])),
});
process.exit(0);
