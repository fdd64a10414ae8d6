import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite } from '../helpers/host-process.ts';

describe('only the host speaks in its own session', () => {
  const h = hostForSuite((home) => writeSkill(home, 'poster', { schedule: '0 0 1 1 *' }, 'ok.mjs'));

  it('a client holding the valid token cannot publish a fake layer or run-end event into the clawkeeper session; other sessions still work', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.sessionPort}/`);
    const frames: { type: string; id?: string; error?: { code: string } }[] = [];
    ws.on('message', (d) => frames.push(JSON.parse((d as Buffer).toString()) as never));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'auth', token: h.token() }));
    await waitFor('auth-ok', () => frames.some((f) => f.type === 'auth-ok'));
    ws.send(
      JSON.stringify({
        type: 'publish', session: 'clawkeeper', kind: 'layer', id: 'forged-1',
        data: { layer: 'gateway', status: 'ok', at: new Date().toISOString(), reason: 'forged' },
      }),
    );
    ws.send(
      JSON.stringify({
        type: 'publish', session: 'clawkeeper', kind: 'run-end', id: 'forged-2',
        data: { skill: 'poster', outcome: 'success', run_id: 'forged' },
      }),
    );
    ws.send(JSON.stringify({ type: 'publish', session: 'notes', kind: 'message', id: 'fine-1', data: 'hello' }));
    await waitFor(
      'the refusals and the ack',
      () => frames.filter((f) => f.type === 'error').length >= 2 && frames.some((f) => f.type === 'ack'),
    );
    const errors = frames.filter((f) => f.type === 'error');
    assert.deepEqual(errors.map((e) => e.error?.code), ['CK_FORBIDDEN', 'CK_FORBIDDEN']);
    assert.ok(!frames.some((f) => f.type === 'ack' && f.id?.startsWith('forged')), 'no forged publish acknowledged');
    let history = '';
    try {
      history = readFileSync(join(h.home, 'sessions', 'clawkeeper.jsonl'), 'utf8');
    } catch {
      // nothing written yet
    }
    assert.doesNotMatch(history, /forged/);
    assert.match(readFileSync(join(h.home, 'sessions', 'notes.jsonl'), 'utf8'), /hello/);
    ws.close();
  });
});
