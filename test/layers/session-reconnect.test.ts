import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { SessionClient, type SessionEventFrame, type WebSocketLike } from '../../main/common/session-client.js';
import { freePort } from '../helpers/net.ts';
import { join } from 'node:path';
import { readLines, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite } from '../helpers/host-process.ts';

/** A TCP proxy that can be cut: every connection dropped and new ones refused until restored. */
async function cuttableProxy(target: number): Promise<{ port: number; cut: () => void; restore: () => void; close: () => void }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    port,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => (down = false),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function nodeSocket(url: string, hostHeader: string): WebSocketLike {
  return new WebSocket(url, { headers: { host: hostHeader } }) as unknown as WebSocketLike;
}

describe('session client across a cut-off and a session-layer restart', () => {
  const h = hostForSuite((home) => writeSkill(home, 'idle', { schedule: '0 0 1 1 *' }, 'ok.mjs'));

  it('a client cut off for 10 s while 100 events are published receives all 100, in order, after it reconnects', async () => {
    const proxy = await cuttableProxy(h.sessionPort);
    const got: SessionEventFrame[] = [];
    const states: string[] = [];
    const reader = new SessionClient({
      url: `ws://127.0.0.1:${proxy.port}/`,
      open: (u) => nodeSocket(u, `127.0.0.1:${h.sessionPort}`),
      token: () => h.token(),
      onEvent: (e) => got.push(e),
      onState: (s) => states.push(s),
      maxBackoffMs: 1000,
    });
    reader.subscribe('chat');
    const writer = new SessionClient({
      url: `ws://127.0.0.1:${h.sessionPort}/`, open: (u) => nodeSocket(u, `127.0.0.1:${h.sessionPort}`),
      token: () => h.token(), onEvent: () => undefined,
    });
    try {
      await waitFor('the reader to be connected', () => states.includes('open'), 10_000);
      writer.publish('chat', { text: 'before the cut' });
      await waitFor('the first event', () => got.length === 1, 10_000);

      proxy.cut();
      for (let i = 0; i < 100; i++) {
        writer.publish('chat', { i });
        await new Promise((r) => setTimeout(r, 100)); // 100 events over 10 s while the reader is cut off
      }
      assert.equal(got.length, 1, 'nothing arrives through a cut connection');
      proxy.restore();
      await waitFor('all 100 events after the reconnect', () => got.length === 101, 20_000);
      assert.deepEqual(got.slice(1).map((e) => (e.data as { i: number }).i), Array.from({ length: 100 }, (_, i) => i));
      const seqs = got.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      assert.equal(new Set(seqs).size, seqs.length, 'no event twice');
      assert.ok(states.filter((s) => s === 'open').length >= 2, 'it reconnected');
    } finally {
      reader.close();
      writer.close();
      proxy.close();
    }
  });

  it('nothing is lost across a kill -9 of the session process: the client resumes from its last seq', async () => {
    const got: SessionEventFrame[] = [];
    const open = (u: string) => nodeSocket(u, `127.0.0.1:${h.sessionPort}`);
    const reader = new SessionClient({
      url: `ws://127.0.0.1:${h.sessionPort}/`, open, token: () => h.token(), onEvent: (e) => got.push(e),
      maxBackoffMs: 500,
    });
    reader.subscribe('restart');
    const writer = new SessionClient({
      url: `ws://127.0.0.1:${h.sessionPort}/`, open, token: () => h.token(), onEvent: () => undefined,
      maxBackoffMs: 500,
    });
    try {
      for (let i = 0; i < 50; i++) {
        writer.publish('restart', { i });
        if (i === 20) {
          const snap = await (await fetch(`http://127.0.0.1:${h.gatewayPort}/api/snapshot`, {
            headers: { authorization: `Bearer ${h.token()}` },
          })).json() as { host: { layerPids: { session: number } } };
          process.kill(snap.host.layerPids.session, 'SIGKILL');
        }
        await new Promise((r) => setTimeout(r, 40));
      }
      await waitFor('all 50 events', () => got.length === 50, 20_000);
      assert.deepEqual(got.map((e) => (e.data as { i: number }).i), Array.from({ length: 50 }, (_, i) => i));
      await waitFor('every publish acknowledged', () => writer.pending() === 0, 10_000);
      const stored = readLines(join(h.home, 'sessions', 'restart.jsonl')).map((l) => (JSON.parse(l) as { data: { i: number } }).data.i);
      assert.deepEqual(stored, Array.from({ length: 50 }, (_, i) => i), 'stored once each, in order, even those sent twice');
    } finally {
      reader.close();
      writer.close();
    }
  });
});
