import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { writeSkill } from '../helpers/home.ts';
import { hostForSuite, http } from '../helpers/host-process.ts';

/** The first frame the session layer answers with, or how it refused or closed. */
function wsAnswer(port: number, opts: { headers?: Record<string, string>; first?: unknown }): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: opts.headers ?? {} });
    const done = (what: string) => {
      ws.terminate();
      resolve(what);
    };
    ws.on('open', () => opts.first !== undefined && ws.send(JSON.stringify(opts.first)));
    ws.on('unexpected-response', (_q, res) => done(`refused ${res.statusCode}`));
    ws.on('message', (d) => done((JSON.parse((d as Buffer).toString()) as { type: string }).type));
    ws.on('close', (code) => done(`closed ${code}`));
    ws.on('error', () => undefined);
  });
}

describe('dashboard credentials: a header session, never a cookie; Bearer-only login codes; a bad credential beside a good one is ignored', () => {
  let session = '';
  const bearer = () => ({ authorization: `Bearer ${h.token()}` });
  const h = hostForSuite((home) => writeSkill(home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs'));
  before(async () => {
    const code = (await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: bearer() })).json() as { code: string };
    session = ((await http(h.gatewayPort, 'POST', '/api/login', {
      body: JSON.stringify({ code: code.code }),
    })).json() as { session: string }).session;
  });

  it('a browser session cannot mint a login code (403), even beside a wrong Bearer; the API token can (201)', async () => {
    const bySession = await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: { 'x-clawkeeper-session': session } });
    assert.equal(bySession.status, 403, bySession.body);
    const withWrongBearer = await http(h.gatewayPort, 'POST', '/api/login-codes', {
      headers: { 'x-clawkeeper-session': session, authorization: 'Bearer wrong' },
    });
    assert.equal(withWrongBearer.status, 403, withWrongBearer.body);
    const byCookie = await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: { cookie: `ck_session=${session}` } });
    assert.equal(byCookie.status, 401, 'a cookie is no credential at all');
    assert.equal((await http(h.gatewayPort, 'POST', '/api/login-codes', { headers: bearer() })).status, 201);
  });

  it('a planted cookie, a wrong session or a wrong Bearer beside a valid credential is ignored by the gateway', async () => {
    const cases: Record<string, string>[] = [
      { cookie: 'ck_session=x', 'x-clawkeeper-session': session },
      { cookie: 'ck_session=x; ck_session=1.2.3', ...bearer() },
      { authorization: 'Bearer wrong', 'x-clawkeeper-session': session },
      { ...bearer(), 'x-clawkeeper-session': '1.2.3' },
      { 'x-clawkeeper-session': `1.2.3, ${session}` },
    ];
    for (const headers of cases) {
      const r = await http(h.gatewayPort, 'GET', '/api/snapshot', { headers });
      assert.equal(r.status, 200, `${JSON.stringify(Object.keys(headers))}: ${r.body}`);
    }
    assert.equal(
      (await http(h.gatewayPort, 'GET', '/api/snapshot', {
        headers: { 'x-clawkeeper-session': '1.2.3', authorization: 'Bearer wrong' },
      })).status,
      401, 'all wrong: refused',
    );
  });

  it('the session layer takes the dashboard session in the first frame, and ignores a wrong credential beside a valid one', async () => {
    assert.equal(await wsAnswer(h.sessionPort, { first: { type: 'auth', session } }), 'auth-ok');
    assert.equal(await wsAnswer(h.sessionPort, { first: { type: 'auth', token: 'wrong', session } }), 'auth-ok');
    assert.equal(await wsAnswer(h.sessionPort, { first: { type: 'auth', token: h.token(), session: '1.2.3' } }), 'auth-ok');
    assert.equal(await wsAnswer(h.sessionPort, { headers: { cookie: 'ck_session=x', 'x-clawkeeper-session': session } }), 'auth-ok');
    assert.equal(await wsAnswer(h.sessionPort, { headers: { ...bearer(), 'x-clawkeeper-session': '1.2.3' } }), 'auth-ok');
    assert.equal(
      await wsAnswer(h.sessionPort, { headers: { cookie: `ck_session=${session}` }, first: { type: 'auth', session: '1.2.3' } }),
      'closed 4401', 'a cookie never authenticates',
    );
  });
});
