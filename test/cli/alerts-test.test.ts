import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startHeadless } from '../../main/core/app/headless.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { runCli } from '../helpers/cli.ts';
import { tempHome } from '../helpers/home.ts';
import { freePort } from '../helpers/net.ts';
import { startRecorder } from '../helpers/recorder.ts';
import { writeConfig } from '../core/alerts/fixtures.ts';

describe('clawkeeper alerts test [channel]', () => {
  it('with no host running, sends a test alert to each channel itself and prints what each answered', async () => {
    const rec = await startRecorder();
    const t = tempHome();
    const closed = await freePort();
    writeConfig(t.home, {
      alerts: {
        channels: { hook: { type: 'webhook', url: `${rec.url}/hook` }, dead: { type: 'ntfy', url: `http://127.0.0.1:${closed}/topic` } },
      },
    });
    // What a dead host left undelivered stays for the next host: the CLI never rewrites the outbox.
    const left = JSON.stringify({
      entries: [{
        id: 'x', channel: 'hook',
        alert: { event: 'skill-failing', message: 'm', at: '2026-03-01T08:00:00.000Z', host: 'h', title: 't' },
        attempts: 0, nextAt: 0, held: false,
      }],
      limits: null, targets: [],
    });
    mkdirSync(join(t.home, 'alerts'), { recursive: true });
    writeFileSync(join(t.home, 'alerts', 'outbox.json'), left);
    const r = await runCli(t.home, ['alerts', 'test']);
    assert.equal(r.code, 1, 'one channel failed');
    assert.equal(readFileSync(join(t.home, 'alerts', 'outbox.json'), 'utf8'), left);
    assert.match(r.out, /^hook: ok — HTTP 200 ok$/m);
    assert.match(r.out, /^dead: FAILED — cannot connect \(ECONNREFUSED\)$/m);
    assert.equal((JSON.parse(rec.requests[0]!.body) as { event: string }).event, 'test');
    const one = await runCli(t.home, ['alerts', 'test', 'hook']);
    assert.equal(one.code, 0);
    assert.deepEqual(one.out.trim().split('\n'), ['hook: ok — HTTP 200 ok']);
    const unknown = await runCli(t.home, ['alerts', 'test', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.out, /nope: FAILED — no channel "nope" in config\.json alerts\.channels/);
    await rec.close();
    t.cleanup();
  });

  it('with a host running, the host sends it (over host.sock) and its channel view shows the delivery', async () => {
    const rec = await startRecorder();
    const t = tempHome();
    writeConfig(t.home, { alerts: { channels: { hook: { type: 'webhook', url: `${rec.url}/hook` } } } });
    const app = await startHeadless({
      home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(),
      env: { CLAWKEEPER_NETWORK_PROBE: `${rec.url}/probe` }, layers: false,
    });
    try {
      const r = await runCli(t.home, ['alerts', 'test']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^hook: ok — HTTP 200 ok$/m);
      assert.ok(app.host.alerts!.view().targets.find((x) => x.name === 'hook')!.lastDelivery, 'sent by the host: its view shows it');
    } finally {
      await app.stop();
      await rec.close();
      t.cleanup();
    }
  });

  it('says how to set up alerts when there is no channel', async () => {
    const t = tempHome();
    const r = await runCli(t.home, ['alerts', 'test']);
    assert.equal(r.code, 1);
    assert.match(r.err, /no alert channels in .*config\.json \("alerts": \{"channels": \{\.\.\.\}\}\); docs\/alerts\.md shows how/);
    const bad = await runCli(t.home, ['alerts']);
    assert.equal(bad.code, 64);
    t.cleanup();
  });
});
