// How a layer words a port it cannot take (gateway.ts and session.ts send it to the host as
// `fatal`): decided by the error's type and code, never by matching its text.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { Ipv6LoopbackTakenError, listenFailure, listenLoopback } from '../../main/core/layers/listen-loopback.ts';
import { freePort } from '../helpers/net.ts';

function hold(port: number, host: string): Promise<Server> {
  const s = createServer();
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen({ port, host, ipv6Only: host === '::1' }, () => resolve(s));
  });
}

async function failureOf(port: number): Promise<NodeJS.ErrnoException> {
  try {
    const l = await listenLoopback(() => createHttpServer(), port);
    for (const s of l.servers) s.close();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error(`listening on ${port} succeeded`);
}

describe('listenFailure', () => {
  it('a taken IPv4 port is named with the variable that moves it', async () => {
    const port = await freePort();
    const other = await hold(port, '127.0.0.1');
    try {
      const err = await failureOf(port);
      assert.equal(err.code, 'EADDRINUSE');
      assert.ok(!(err instanceof Ipv6LoopbackTakenError));
      assert.equal(
        listenFailure(err, port, 'CLAWKEEPER_GATEWAY_PORT'),
        `port ${port} is in use by another program; stop it or set CLAWKEEPER_GATEWAY_PORT`,
      );
    } finally {
      other.close();
    }
  });

  it('a squatter on [::1] is told as such by its type, keeping EADDRINUSE so a standby still retries it', async (t) => {
    const port = await freePort();
    let squatter: Server;
    try {
      squatter = await hold(port, '::1');
    } catch {
      return t.skip('no IPv6 loopback on this machine');
    }
    try {
      const err = await failureOf(port);
      assert.ok(err instanceof Ipv6LoopbackTakenError);
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(err.port, port);
      assert.equal(
        listenFailure(err, port, 'CLAWKEEPER_SESSION_PORT'),
        `another program listens on [::1]:${port}; it would receive requests sent to localhost:${port}; stop it or set CLAWKEEPER_SESSION_PORT`,
      );
    } finally {
      squatter.close();
    }
  });

  it('an error whose words resemble a squatter but whose type is not is worded as a taken port, and other errors pass through', () => {
    const lookalike = Object.assign(new Error('another program listens on [::1]:1'), { code: 'EADDRINUSE' });
    assert.equal(
      listenFailure(lookalike, 4100, 'CLAWKEEPER_GATEWAY_PORT'),
      'port 4100 is in use by another program; stop it or set CLAWKEEPER_GATEWAY_PORT',
    );
    const denied = Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), { code: 'EACCES' });
    assert.equal(listenFailure(denied, 80, 'CLAWKEEPER_GATEWAY_PORT'), 'listen EACCES: permission denied 127.0.0.1:80');
  });
});
