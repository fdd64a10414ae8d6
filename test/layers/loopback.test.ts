import assert from 'node:assert/strict';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { listenLoopback } from '../../main/core/layers/listen-loopback.ts';
import { writeSkill } from '../helpers/home.ts';
import { hostForSuite } from '../helpers/host-process.ts';
import { freePort } from '../helpers/net.ts';

/** Tries to listen on [::1]:port; the error code, or null when it could (then it is closed again). */
function squat(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'ERROR'));
    s.listen({ port, host: '::1', ipv6Only: true }, () => s.close(() => resolve(null)));
  });
}

async function ipv6Loopback(): Promise<boolean> {
  return (await squat(0)) === null;
}

function getV6(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '::1', family: 6, port, path, headers: { host: `[::1]:${port}` }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('both loopback families are ours', () => {
  let v6 = true;
  const h = hostForSuite(async (home) => {
    v6 = await ipv6Loopback();
    writeSkill(home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs');
  });

  it('[::1] on the gateway and session ports cannot be taken by another program, and answers as ClawKeeper', async (t) => {
    if (!v6) return t.skip('no IPv6 loopback on this machine: nobody can bind [::1] (and [::1] is not an accepted Host)');
    assert.equal(await squat(h.gatewayPort), 'EADDRINUSE');
    assert.equal(await squat(h.sessionPort), 'EADDRINUSE');
    const health = await getV6(h.gatewayPort, '/health');
    assert.equal(health.status, 200);
    assert.deepEqual(Object.keys(JSON.parse(health.body) as object).sort(), ['layers', 'scenario', 'status']);
    const session = await getV6(h.sessionPort, '/health');
    assert.equal((JSON.parse(session.body) as { layer: string }).layer, 'session');
  });

  it('a layer whose [::1] port is already taken refuses to start, names the squatter, and frees its IPv4 port', async (t) => {
    if (!v6) return t.skip('no IPv6 loopback on this machine');
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen({ port, host: '::1', ipv6Only: true }, () => r()));
    try {
      await assert.rejects(listenLoopback(() => createHttpServer(), port), /another program listens on \[::1\]:\d+/);
      const again = createServer();
      await new Promise<void>((resolve, reject) => {
        again.once('error', reject);
        again.listen(port, '127.0.0.1', () => again.close(() => resolve()));
      });
    } finally {
      squatter.close();
    }
  });
});
