import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, http } from '../helpers/host-process.ts';

type Opened = { ws: WebSocket; frames: { type: string; error?: { code: string } }[] };

/** Opens a WebSocket; resolves it once open, or the HTTP status it was refused with. */
function open(port: number, headers: Record<string, string> = {}): Promise<Opened | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers });
    const frames: Opened['frames'] = [];
    ws.on('message', (d) => frames.push(JSON.parse((d as Buffer).toString()) as never));
    ws.on('open', () => resolve({ ws, frames }));
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('bounded connections, subscriptions and login codes', () => {
  const sockets: WebSocket[] = [];
  after(() => {
    for (const s of sockets) s.terminate();
  });
  const h = hostForSuite((home) => writeSkill(home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs'), {
    CLAWKEEPER_WS_MAX_PENDING: '4', CLAWKEEPER_WS_MAX_CLIENTS: '8',
  });

  it('refuses WebSocket upgrades past the pending and total caps with 503, and takes them again once there is room', async () => {
    const pending: Opened[] = [];
    for (let i = 0; i < 4; i++) {
      const o = await open(h.sessionPort);
      assert.ok(typeof o !== 'number', `pending ${i} refused`);
      pending.push(o);
      sockets.push(o.ws);
    }
    assert.equal(await open(h.sessionPort), 503, 'a fifth connection waiting to authenticate');
    const authed = await open(h.sessionPort, { authorization: `Bearer ${h.token()}` });
    assert.ok(typeof authed !== 'number', 'an authenticated upgrade is not a pending one');
    sockets.push(authed.ws);
    for (const p of pending) p.ws.send(JSON.stringify({ type: 'auth', token: h.token() }));
    await waitFor('the pending ones authenticated', () => pending.every((p) => p.frames.some((f) => f.type === 'auth-ok')));
    for (let i = 0; i < 3; i++) {
      const o = await open(h.sessionPort, { authorization: `Bearer ${h.token()}` });
      assert.ok(typeof o !== 'number');
      sockets.push(o.ws);
    }
    assert.equal(await open(h.sessionPort, { authorization: `Bearer ${h.token()}` }), 503, 'a ninth connection');
    pending[0]!.ws.close();
    await waitFor('room again', async () => {
      const o = await open(h.sessionPort, { authorization: `Bearer ${h.token()}` });
      if (typeof o === 'number') return false;
      sockets.push(o.ws);
      return true;
    }, 5000, 50);
  });

  it('refuses a 65th subscription on one connection with CK_LIMIT_REACHED', async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await new Promise((r) => setTimeout(r, 200));
    const o = await open(h.sessionPort, { authorization: `Bearer ${h.token()}` });
    assert.ok(typeof o !== 'number');
    sockets.push(o.ws);
    for (let i = 0; i < 65; i++) o.ws.send(JSON.stringify({ type: 'subscribe', session: `s-${i}` }));
    await waitFor(
      '64 subscribed and one refusal',
      () => o.frames.filter((f) => f.type === 'subscribed').length === 64 && o.frames.some((f) => f.type === 'error'),
    );
    assert.equal(o.frames.find((f) => f.type === 'error')!.error!.code, 'CK_LIMIT_REACHED');
  });

  it('keeps at most 20 outstanding login codes (429 CK_LIMIT_REACHED past that)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(
      (await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: { authorization: `Bearer ${h.token()}` } })).status,
    );
    // The start-up banner's code is outstanding too: 19 or 20 more fit, then 429.
    const first = statuses.indexOf(429);
    assert.ok(first === 19 || first === 20, statuses.join(','));
    assert.ok(statuses.slice(0, first).every((x) => x === 201));
    assert.ok(statuses.slice(first).every((x) => x === 429));
  });
});
