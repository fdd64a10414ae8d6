import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAlertsConfig } from '../../../main/core/alerts/alert-config.ts';
import { HostAlerts } from '../../../main/core/app/host-alerts.ts';
import { failBody } from '../../../main/core/alerts/pinger.ts';
import { writeFileSync } from 'node:fs';
import { Host } from '../../../main/core/host/host.ts';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import { FakeClock, systemClock, type Clock } from '../../../main/core/scheduling/clock.ts';
import { snapshot } from '../../electron/fixtures.ts';
import { tempHome, waitFor, writeSkill } from '../../helpers/home.ts';
import { startRecorder, type Recorder } from '../../helpers/recorder.ts';
import { writeConfig } from './fixtures.ts';
import { join } from 'node:path';

async function withHost(home: string, clock: Clock, fn: (host: Host, alerts: HostAlerts) => Promise<void>): Promise<void> {
  const logger = createMemoryLogger();
  // Pings make the host watch the network: answered here, so no probe leaves the machine.
  const host = new Host({ home, bundledSkillsDir: null, logger, useTrigger: false, probe: () => Promise.resolve({ ok: true, ms: 1 }) });
  const alerts = (host.alerts = new HostAlerts(host, { env: {}, logger, clock, everyMs: 3_600_000 }));
  await host.start();
  alerts.start();
  try {
    await fn(host, alerts);
  } finally {
    alerts.stop();
    await host.stop(true);
  }
}

const paths = (rec: Recorder) => rec.requests.map((r) => `${r.method} ${r.path}`);

describe('dead man\'s switch pings (healthchecks.io convention)', () => {
  it('pings <url>/start when a run starts and <url> when it succeeds; POST <url>/fail with the log tail when it fails', async () => {
    const rec = await startRecorder();
    const t = tempHome();
    writeSkill(t.home, 'good', { schedule: '0 0 1 1 *', ping: `${rec.url}/ping/good-uuid` }, 'ok.mjs');
    writeSkill(t.home, 'bad', { schedule: '0 0 1 1 *', ping: `${rec.url}/ping/bad-uuid/` }, 'throws.mjs');
    try {
      await withHost(t.home, systemClock, async (host) => {
      host.runNow('good');
      await waitFor('the success ping', () => rec.requests.length === 2);
      assert.deepEqual(paths(rec), ['GET /ping/good-uuid/start', 'GET /ping/good-uuid']);
      host.runNow('bad');
      await waitFor('the fail ping', () => rec.requests.length === 4);
      assert.deepEqual(paths(rec).slice(2), ['GET /ping/bad-uuid/start', 'POST /ping/bad-uuid/fail']);
      assert.match(
        rec.requests[3]!.body, /\[clawkeeper\] failure: the feed was empty \(fixture failure\)\n$/,
        'the body is the end of the run\'s log, with its outcome and error',
      );
      assert.ok(Buffer.byteLength(rec.requests[3]!.body) <= 10 * 1024);
      });
    } finally {
      await rec.close();
      t.cleanup();
    }
  });

  it('a ping that fails never fails the run: it is retried with backoff and its error is shown', async () => {
    const rec = await startRecorder();
    rec.answer(500, 'hc down');
    const t = tempHome();
    writeSkill(t.home, 'good', { schedule: '0 0 1 1 *', ping: `${rec.url}/ping/u1` }, 'ok.mjs');
    const clock = new FakeClock('2026-03-01T08:00:00Z');
    await withHost(t.home, clock, async (host, alerts) => {
      const ended: string[] = [];
      host.on('run-end', (e) => ended.push(e.entry.outcome));
      host.runNow('good');
      await waitFor('the run to end', () => ended.length === 1);
      assert.deepEqual(ended, ['success']);
      await waitFor('the start ping tried', () => rec.requests.length >= 1);
      await alerts.tick();
      const ping = alerts.view().targets.find((x) => x.name === 'ping:good')!;
      assert.deepEqual(ping.lastError, { at: '2026-03-01T08:00:00.000Z', message: 'HTTP 500 hc down' });
      assert.equal(ping.pending, 2, 'start and success wait, in order');
      rec.answer(200);
      clock.advance(2000);
      await alerts.tick();
      assert.deepEqual(paths(rec).slice(-2), ['GET /ping/u1/start', 'GET /ping/u1']);
      assert.equal(alerts.view().targets.find((x) => x.name === 'ping:good')!.pending, 0);
      assert.equal(alerts.view().targets.find((x) => x.name === 'ping:good')!.lastDelivery, '2026-03-01T08:00:02.000Z');
    });
    await rec.close();
    t.cleanup();
  });

  it('the machine\'s heartbeat goes every everySeconds while the runtime is up, and stops while it is down', async () => {
    const rec = await startRecorder();
    const t = tempHome();
    writeConfig(t.home, { heartbeat: { url: `${rec.url}/hb`, everySeconds: 10 } });
    const clock = new FakeClock('2026-03-01T08:00:00Z');
    await withHost(t.home, clock, async (_host, alerts) => {
      const beats = () => rec.requests.filter((r) => r.path === '/hb').length;
      await alerts.tick();
      assert.equal(beats(), 1);
      clock.advance(5000);
      await alerts.tick();
      assert.equal(beats(), 1);
      clock.advance(5000);
      await alerts.tick();
      assert.equal(beats(), 2);
      alerts.onReport(snapshot({ runtime: 'failed' }));
      clock.advance(30_000);
      await alerts.tick();
      assert.equal(beats(), 2, 'no heartbeat while the runtime is down: the outside service raises the alarm');
      alerts.onReport(snapshot());
      await alerts.tick();
      assert.equal(beats(), 3);
      assert.ok(alerts.view().targets.find((x) => x.name === 'heartbeat')!.lastDelivery);
    });
    await rec.close();
    t.cleanup();
  });

  it('names a skill whose alerts list a channel that does not exist', async () => {
    const t = tempHome();
    writeConfig(t.home, { alerts: { channels: { hook: { type: 'webhook', url: 'http://127.0.0.1:1/x' } } } });
    writeSkill(t.home, 'poster', { schedule: '0 0 1 1 *', alerts: ['hook', 'phnoe'] }, 'ok.mjs');
    await withHost(t.home, new FakeClock('2026-03-01T08:00:00Z'), (_host, alerts) => {
      assert.deepEqual(alerts.view().problems, ['skill poster: alerts names "phnoe", which is not in config.json alerts.channels']);
      return Promise.resolve();
    });
    t.cleanup();
  });

  it('a /fail body is at most the last 10 KB of the log, and always says the outcome and error', () => {
    const t = tempHome();
    const log = join(t.home, 'run.log');
    writeFileSync(log, 'x'.repeat(50_000) + '\n[clawkeeper] failure: boom\n');
    const full = failBody({ outcome: 'failure', error: 'boom', log });
    assert.equal(Buffer.byteLength(full), 10 * 1024);
    assert.ok(full.endsWith('[clawkeeper] failure: boom\n'));
    writeFileSync(log, 'partial output\n');
    assert.equal(
      failBody({ outcome: 'timeout', error: 'no answer in 30 s', log }),
      'partial output\n\n[clawkeeper] timeout: no answer in 30 s\n',
    );
    assert.equal(failBody({ outcome: 'crashed' }), '(no log kept for this run)\n[clawkeeper] crashed\n');
    t.cleanup();
  });

  it('refuses a heartbeat more often than every 10 s, saying so', () => {
    const t = tempHome();
    writeConfig(t.home, { heartbeat: { url: 'https://hc-ping.com/abc', everySeconds: 5 } });
    const cfg = readAlertsConfig(join(t.home, 'config.json'));
    assert.equal(cfg.heartbeat, null);
    assert.match(cfg.problems.join(), /heartbeat\.everySeconds: a number of seconds, at least 10/);
    t.cleanup();
  });
});
