import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { ROOT, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, type HostProcess, http, snapshotOf } from '../helpers/host-process.ts';

/** A WebSocket that authenticated (by frame or by upgrade headers); resolves its close code. */
async function authedSocket(port: number, how: { token?: string; session?: string }) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: how.session ? { 'x-clawkeeper-session': how.session } : {} });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>(
    (resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const ok = new Promise<boolean>((resolve) => {
    ws.on('message', (d) => resolve((JSON.parse((d as Buffer).toString()) as { type: string }).type === 'auth-ok'));
    ws.on('unexpected-response', () => resolve(false));
    ws.on('close', () => resolve(false));
  });
  if (how.token) ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: how.token })));
  assert.ok(await ok, 'authenticated');
  return { ws, closed };
}

async function login(h: HostProcess): Promise<string> {
  const code = (await http(h.gatewayPort, 'POST', '/api/login-codes', {
    headers: { authorization: `Bearer ${h.token()}` },
  })).json() as { code: string };
  const r = await http(h.gatewayPort, 'POST', '/api/login', { body: JSON.stringify({ code: code.code }) });
  assert.equal(r.status, 200);
  return (r.json() as { session: string }).session;
}

describe('rotation, logout and expiry cut live sessions', () => {
  const h = hostForSuite((home) => writeSkill(home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs'));

  it('logout revokes the browser session in both layers, closes its live WebSocket 4401, and survives a gateway restart', async () => {
    const session = await login(h);
    const live = await authedSocket(h.sessionPort, { session });
    const out = await http(h.gatewayPort, 'POST', '/api/logout', { headers: { 'x-clawkeeper-session': session } });
    assert.equal(out.status, 200);
    assert.equal((await live.closed).code, 4401);
    assert.equal((await http(h.gatewayPort, 'GET', '/api/skills', { headers: { 'x-clawkeeper-session': session } })).status, 401);
    assert.equal(statSync(join(h.home, 'revoked-sessions.json')).mode & 0o777, 0o600);
    // A new gateway process reads the revocation from the file.
    const before = (await snapshotOf(h)).host.layerPids.gateway;
    process.kill(before, 'SIGKILL');
    await waitFor('a new gateway', async () => {
      try {
        return (await snapshotOf(h)).host.layerPids.gateway !== before;
      } catch {
        return false;
      }
    }, 20_000, 100);
    assert.equal((await http(h.gatewayPort, 'GET', '/api/skills', { headers: { 'x-clawkeeper-session': session } })).status, 401);
    const ws = new WebSocket(`ws://127.0.0.1:${h.sessionPort}/`, { headers: { 'x-clawkeeper-session': session } });
    ws.on('error', () => undefined);
    assert.equal(await new Promise((r) => ws.on('unexpected-response', (_q, res) => r(res.statusCode))), 401);
  });

  it('a browser session that expires while its WebSocket is open gets that socket closed 4401', async () => {
    // Signed with the real token, as the gateway would, but good for 1.5 s only.
    const body = `${Date.now() + 1500}.short-lived-session-id`;
    const mac = createHmac('sha256', h.token()).update(`clawkeeper-session:${body}`).digest('base64url');
    const live = await authedSocket(h.sessionPort, { session: `${body}.${mac}` });
    const closed = await live.closed;
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /expired/);
  });

  it('`clawkeeper token --rotate` closes every authenticated WebSocket with 4401', async () => {
    const byToken = await authedSocket(h.sessionPort, { token: h.token() });
    const bySession = await authedSocket(h.sessionPort, { session: await login(h) });
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'token', '--rotate'], {
      env: { ...process.env, CLAWKEEPER_HOME: h.home }, encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await byToken.closed).code, 4401);
    assert.equal((await bySession.closed).code, 4401);
    const again = await authedSocket(h.sessionPort, { token: h.token() });
    again.ws.close();
  });
});
