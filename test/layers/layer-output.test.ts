import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { startHeadless } from '../../main/core/app/headless.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { freePort } from '../helpers/net.ts';
import { tempHome, waitFor } from '../helpers/home.ts';

describe('layer output reaches the host log', () => {
  it('a corrupt line in a session file is skipped with a warning naming file and line, and the rest is replayed', async () => {
    const t = tempHome();
    const logger = createMemoryLogger();
    const file = join(t.home, 'sessions', 'chat.jsonl');
    mkdirSync(join(t.home, 'sessions'), { recursive: true, mode: 0o700 });
    writeFileSync(
      file,
      [
        JSON.stringify({ type: 'event', session: 'chat', seq: 1, ts: '2026-01-01T00:00:00Z', kind: 'message', data: 'one' }),
        '{"type":"event","se',
        JSON.stringify({ type: 'event', session: 'chat', seq: 2, ts: '2026-01-01T00:00:01Z', kind: 'message', data: 'two' }),
      ].join('\n') + '\n',
    );
    const gatewayPort = await freePort();
    const sessionPort = await freePort();
    const app = await startHeadless({
      home: t.home, bundledSkillsDir: null, logger,
      env: { ...process.env, CLAWKEEPER_GATEWAY_PORT: String(gatewayPort), CLAWKEEPER_SESSION_PORT: String(sessionPort) },
    });
    try {
      await waitFor('the session layer up', () => app.supervisor!.health('session').status === 'ok', 20_000);
      const token = (await import('node:fs')).readFileSync(join(t.home, 'token'), 'utf8').trim();
      const ws = new WebSocket(`ws://127.0.0.1:${sessionPort}/`);
      const got: unknown[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse((d as Buffer).toString()) as { type: string; data?: unknown };
        if (m.type === 'event') got.push(m.data);
      });
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ type: 'auth', token }));
      ws.send(JSON.stringify({ type: 'subscribe', session: 'chat', since: 0 }));
      await waitFor('the two good events', () => got.length === 2, 10_000);
      assert.deepEqual(got, ['one', 'two']);
      await waitFor('the warning in the host log', () => logger.lines.some((l) => l.includes(`${file}:2: skipped a corrupt line`)), 10_000);
      ws.close();
    } finally {
      await app.stop(true);
      t.cleanup();
    }
  });
});
