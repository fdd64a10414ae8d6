import assert from 'node:assert/strict';
import { createServer, request, Agent, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { ConnectionGuard } from '../../main/core/layers/connection-guard.ts';
import { waitFor } from '../helpers/home.ts';

// Issue #18, item 4: unauthenticated connections get a short deadline and a small cap of their
// own, and give way to newcomers; an authenticated connection is never evicted. A real server:
// a request with `x-proof: yes` stands for one that authenticated.

let servers: Server[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  servers = [];
});

async function guarded(o: ConstructorParameters<typeof ConnectionGuard>[0]): Promise<{ guard: ConnectionGuard; port: number }> {
  const guard = new ConnectionGuard(o);
  const server = createServer((req, res) => {
    if (req.headers['x-proof'] === 'yes') guard.prove(req.socket);
    res.end('ok');
  });
  guard.attach(server);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { guard, port: (server.address() as { port: number }).port };
}

/** A socket that sends half a request head and then nothing: resolves when the server closes it. */
function dripper(port: number): { closed: Promise<number> } {
  const s = connect({ host: '127.0.0.1', port });
  sockets.push(s);
  const t0 = Date.now();
  s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n'));
  s.on('error', () => undefined);
  return { closed: new Promise((r) => s.on('close', () => r(Date.now() - t0))) };
}

function get(port: number, agent: Agent | false, proof: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, headers: proof ? { 'x-proof': 'yes' } : {}, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('connection guard: a flood of unauthenticated connections never keeps an authenticated client out', () => {
  it('closes a connection that has not sent a whole request head within headerMs', async () => {
    const { port } = await guarded({ headerMs: 300 });
    const ms = await dripper(port).closed;
    assert.ok(ms >= 250 && ms < 2000, `closed after ${ms} ms`);
  });

  it('past maxUnproven the oldest idle unproven connection gives way: new clients are served, a proven keep-alive one is never closed', async () => {
    const { guard, port } = await guarded({ maxUnproven: 20, headerMs: 60_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal(await get(port, agent, true), 200);
    const drips = Array.from({ length: 60 }, () => dripper(port));
    await waitFor('the flood evicted', () => guard.counts().evicted >= 35, 10_000);
    assert.ok(guard.counts().unproven <= 21, JSON.stringify(guard.counts()));
    for (let i = 0; i < 10; i++) assert.equal(await get(port, false, false), 200, 'a newcomer is served');
    assert.equal(await get(port, agent, true), 200, 'the proven connection still serves');
    assert.equal(guard.counts().proven, 1);
    agent.destroy();
    assert.ok(
      (await Promise.race([drips[0]!.closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))])) >= 0,
      'the oldest dripper was closed',
    );
  });

  it('pend(): past maxPending the oldest waiting WebSocket past its minimum age gives way; if all are younger, the newcomer is refused', async () => {
    const { guard, port } = await guarded({ maxPending: 2, pendingMinAgeMs: 300, headerMs: 60_000 });
    const open = async () => {
      const s = connect({ host: '127.0.0.1', port });
      sockets.push(s);
      await new Promise((r) => s.on('connect', r));
      return s;
    };
    // The guard knows sockets by the server's side; find them as they arrive.
    const serverSide: Socket[] = [];
    servers[0]!.on('connection', (s: Socket) => serverSide.push(s));
    for (let i = 0; i < 3; i++) await open();
    await waitFor('three connections', () => serverSide.length === 3);
    assert.equal(guard.pend(serverSide[0]!), true);
    assert.equal(guard.pend(serverSide[1]!), true);
    assert.equal(guard.pend(serverSide[2]!), false, 'both waiting ones are younger than 300 ms');
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(guard.pend(serverSide[2]!), true, 'the oldest gave way');
    assert.equal(serverSide[0]!.destroyed, true);
    assert.deepEqual(guard.counts(), { unproven: 0, pending: 2, proven: 0, evicted: 1 });
  });
});
