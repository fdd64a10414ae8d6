import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AlertBody, AlertsView } from '../../../main/common/alerts.ts';
import { tempHome, waitFor, writeSkill } from '../../helpers/home.ts';
import { http, startHostProcess, type HostProcess } from '../../helpers/host-process.ts';
import { freePort } from '../../helpers/net.ts';
import { startRecorder, type Recorder } from '../../helpers/recorder.ts';
import { writeConfig } from './fixtures.ts';

const bodies = (rec: Recorder) => rec.requests.filter((r) => r.path === '/alerts').map((r) => JSON.parse(r.body) as AlertBody);
const outbox = (home: string) => (existsSync(join(home, 'alerts', 'outbox.json')) ? (JSON.parse(
  readFileSync(join(home, 'alerts', 'outbox.json'), 'utf8'),
) as { entries: { alert: AlertBody }[] }).entries : []);

async function runSkill(h: HostProcess, name: string): Promise<void> {
  const r = await http(h.gatewayPort, 'POST', `/api/skills/${name}/run`, { headers: { authorization: `Bearer ${h.token()}` } });
  assert.equal(r.status, 202, r.body);
}

async function alertsOf(h: HostProcess): Promise<AlertsView> {
  const r = await http(h.gatewayPort, 'GET', '/api/health', { headers: { authorization: `Bearer ${h.token()}` } });
  return (r.json() as { alerts: AlertsView }).alerts;
}

function setupHome(rec: Recorder) {
  const t = tempHome();
  writeSkill(t.home, 'backup', { schedule: '0 0 1 1 *' }, 'throws.mjs');
  writeConfig(t.home, { alerts: { channels: { hook: { type: 'webhook', url: `${rec.url}/alerts` } }, default: ['hook'] } });
  return t;
}

describe('alerts through a network partition and a host restart (real host processes)', () => {
  it('holds alerts while the network probe fails, and delivers them marked delayed when it answers again', async () => {
    const rec = await startRecorder();
    const t = setupHome(rec);
    const probePort = await freePort(); // closed: the partition
    const h = await startHostProcess(t.home, { CLAWKEEPER_NETWORK_PROBE: `http://127.0.0.1:${probePort}/` });
    let probe: Recorder | null = null;
    try {
      await waitFor('the outbox to hold the partition alert', () => outbox(t.home).some((e) => e.alert.event === 'dependency-down'));
      await runSkill(h, 'backup');
      await waitFor('the outbox to hold the failure', () => outbox(t.home).some((e) => e.alert.event === 'skill-failing'));
      await new Promise((r) => setTimeout(r, 1500)); // a few delivery rounds
      assert.equal(bodies(rec).length, 0, 'nothing is sent while the network is down');
      const held = await alertsOf(h);
      assert.equal(held.targets.find((x) => x.name === 'hook')!.pending, 2);
      assert.equal(held.targets.find((x) => x.name === 'hook')!.held, true, 'the view says why they wait');

      probe = await startRecorder(probePort); // the network is back
      await waitFor('three alerts delivered', () => bodies(rec).length === 3);
      const got = bodies(rec);
      assert.deepEqual(got.map((b) => [b.event, b.delayed ?? false]), [
        ['dependency-down', true], ['skill-failing', true], ['dependency-up', false],
      ]);
      assert.equal(got[1]!.skill, 'backup');
      assert.equal(got[1]!.outcome, 'failure');
      assert.match(got[2]!.message, /caught up/);
      await waitFor('the outbox emptied on disk', () => outbox(t.home).length === 0);
      // The gateway's snapshot follows within a second.
      const after = await waitFor('the view to show the outbox empty', async () => {
        const v = await alertsOf(h);
        return v.targets.find((x) => x.name === 'hook')!.pending === 0 && v;
      });
      const hook = after.targets.find((x) => x.name === 'hook')!;
      assert.equal(hook.held, undefined);
      assert.ok(hook.lastDelivery, 'the last delivery is shown');
      assert.deepEqual(
        after.recent.map((a) => a.event), ['dependency-down', 'skill-failing', 'dependency-up'],
        'the same stream the native notifier shows',
      );
    } finally {
      await h.stop();
      await probe?.close();
      await rec.close();
      t.cleanup();
    }
  });

  it('an alert the host could not deliver before it died is delivered by the next host, which also says it restarted after an unclean stop', async () => {
    const rec = await startRecorder();
    const t = setupHome(rec);
    const closed = await freePort();
    const first = await startHostProcess(t.home, { CLAWKEEPER_NETWORK_PROBE: `http://127.0.0.1:${closed}/` });
    try {
      await runSkill(first, 'backup');
      await waitFor('the failure in the outbox', () => outbox(t.home).some((e) => e.alert.event === 'skill-failing'));
    } finally {
      await first.stop('SIGKILL');
    }
    assert.equal(bodies(rec).length, 0);
    // The next host reaches the network (the probe target answers).
    const second = await startHostProcess(t.home, { CLAWKEEPER_NETWORK_PROBE: `${rec.url}/probe` });
    try {
      await waitFor(
        'the held failure and the restart delivered',
        () => bodies(rec).some((b) => b.event === 'skill-failing') && bodies(rec).some((b) => b.event === 'host-restarted'),
      );
      const failing = bodies(rec).find((b) => b.event === 'skill-failing')!;
      assert.equal(failing.skill, 'backup');
      assert.equal(failing.delayed, true);
      assert.match(bodies(rec).find((b) => b.event === 'host-restarted')!.message, /stopped without shutting down/);
      await waitFor('the outbox emptied', () => outbox(t.home).length === 0);
    } finally {
      await second.stop();
      await rec.close();
      t.cleanup();
    }
  });
});
