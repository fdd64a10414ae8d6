import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { readFileSync } from 'node:fs';
import { waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, http } from '../helpers/host-process.ts';

/** The token file's content when it is a 256-bit token, else null. */
function tokenInFile(home: string): string | null {
  try {
    const t = readFileSync(join(home, 'token'), 'utf8').trim();
    return /^[A-Za-z0-9_-]{43,}$/.test(t) ? t : null;
  } catch {
    return null;
  }
}

/** A browser session signed as today's code would sign it, with a key of our choosing. */
function forgedSession(key: string): string {
  const body = `${Date.now() + 3600_000}.forged-nonce-0123456789`;
  const mac = createHmac('sha256', key).update(`clawkeeper-session:${body}`).digest('base64url');
  return `${body}.${mac}`;
}

/** What the session layer answers a WebSocket upgrade carrying only this session (in its header). */
function wsWithSession(port: number, session: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { 'x-clawkeeper-session': session } });
    const done = (what: string) => {
      ws.terminate();
      resolve(what);
    };
    ws.on('unexpected-response', (_req, res) => done(`refused ${res.statusCode}`));
    ws.on('message', (d) => {
      const f = JSON.parse((d as Buffer).toString()) as { type: string };
      if (f.type === 'auth-ok') done('auth-ok');
    });
    ws.on('close', (code) => done(`closed ${code}`));
    ws.on('error', () => undefined);
  });
}

describe('a truncated or missing token file never opens the door', () => {
  const h = hostForSuite((home) => writeSkill(home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs'));

  it('a session forged with the empty key gets 401 on /api/snapshot and POST pause, and no auth-ok on the WebSocket, while the file is empty', async () => {
    const good = h.token();
    writeFileSync(join(h.home, 'token'), '');
    const session = forgedSession('');
    const snap = await http(h.gatewayPort, 'GET', '/api/snapshot', { headers: { 'x-clawkeeper-session': session } });
    assert.equal(snap.status, 401, snap.body);
    const pause = await http(h.gatewayPort, 'POST', '/api/skills/poster/pause', { headers: { 'x-clawkeeper-session': session } });
    assert.equal(pause.status, 401, pause.body);
    assert.notEqual(await wsWithSession(h.sessionPort, session), 'auth-ok');
    // The host repairs the file by itself, with a new token, and says so.
    const fresh = await waitFor('a new token in the file', () => {
      const t = tokenInFile(h.home);
      return t !== good ? t : null;
    }, 15_000, 50);
    await waitFor('the host to report the repair', () => /token was empty: wrote a new token/.test(h.output()), 5000, 50);
    assert.notEqual(await wsWithSession(h.sessionPort, forgedSession('')), 'auth-ok');
    await waitFor(
      'the new token to be taken by the gateway',
      async () => (await http(h.gatewayPort, 'GET', '/api/skills', { headers: { authorization: `Bearer ${fresh}` } })).status === 200,
      5000, 50,
    );
    assert.equal((await http(h.gatewayPort, 'GET', '/api/skills', { headers: { authorization: `Bearer ${good}` } })).status, 401);
    assert.ok(h.proc.exitCode === null, 'the host is alive');
  });

  it('a session forged with a short key is refused while the file holds that short key', async () => {
    writeFileSync(join(h.home, 'token'), 'abc\n');
    const r = await http(h.gatewayPort, 'GET', '/api/snapshot', { headers: { 'x-clawkeeper-session': forgedSession('abc') } });
    assert.equal(r.status, 401);
    assert.notEqual(await wsWithSession(h.sessionPort, forgedSession('abc')), 'auth-ok');
    await waitFor('the host to replace the short token', () => tokenInFile(h.home) !== null, 15_000, 50);
  });

  it('a deleted token file is recreated by the host with mode 0600', async () => {
    const { rmSync, statSync } = await import('node:fs');
    rmSync(join(h.home, 'token'));
    await waitFor('the token file back', () => tokenInFile(h.home) !== null, 15_000, 50);
    assert.equal(statSync(join(h.home, 'token')).mode & 0o777, 0o600);
  });
});
