// The tray app's host logic against a REAL headless host (bin/clawkeeper.js start --headless):
// attach when it holds the home folder, see it go, take over, or start the service again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DesktopHost, ownHost } from '../../main/core/app/attach.ts';
import { startHeadless } from '../../main/core/app/headless.ts';
import { lockHolderPid } from '../../main/core/host/host-holder.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { homePaths } from '../../main/core/home/paths.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { killAndHoldPort } from '../helpers/hijack.ts';
import { http, startHostProcess, type HostProcess } from '../helpers/host-process.ts';

/** Take over: this process holds the home folder and runs the skills, and frees it on quit. */
async function takeOverAndQuit(paths: ReturnType<typeof homePaths>, home: string): Promise<void> {
  const d2 = new DesktopHost({
    paths,
    gatewayPort: 0,
    startOwn: async () => ownHost(
      await startHeadless({ home, bundledSkillsDir: null, logger: createMemoryLogger(), env: {}, layers: false }),
    ),
    startService: () => false,
  });
  await d2.takeOver();
  assert.equal(d2.mode.kind, 'own');
  assert.equal(lockHolderPid(paths.lock), process.pid);
  await d2.quit();
  assert.equal(lockHolderPid(paths.lock), null, 'an own host stops on quit and frees the home folder');
}

/** Start the service again from the menu: the app attaches to the new host. */
async function restartServiceAndAttach(paths: ReturnType<typeof homePaths>, home: string, countStart: () => void): Promise<void> {
  let restarted: HostProcess | null = null;
  const d3 = new DesktopHost({
    paths,
    gatewayPort: 0,
    everyMs: 100,
    startOwn: () => Promise.reject(new Error('unused')),
    startService: () => {
      countStart();
      void startHostProcess(home).then((h) => (restarted = h));
      return true;
    },
  });
  assert.equal(await d3.startService(), true);
  await waitFor('the restarted service', () => restarted);
  assert.deepEqual(d3.mode, { kind: 'attached', pid: restarted!.proc.pid });
  await d3.quit();
  await restarted!.stop();
}

describe('the desktop app and a host that already holds the home folder', { timeout: 120_000 }, () => {
  it('attaches to it, runs a skill through it, sees it stop, takes over, and attaches again to a restarted service', async () => {
    const t = tempHome();
    writeSkill(t.home, 'tick', { schedule: '0 0 1 1 *' }, 'ok.mjs');
    const paths = homePaths(t.home);
    // Without a warm standby: the test holds the killed gateway's port to keep it down, a race a
    // standby (which takes the port in ~20 ms) could win.
    let service: HostProcess | null = await startHostProcess(t.home, { CLAWKEEPER_STANDBY: '0' });
    let serviceStarts = 0;
    const desktop = new DesktopHost({
      paths,
      gatewayPort: service.gatewayPort,
      everyMs: 100,
      startOwn: async () => ownHost(
        await startHeadless({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), env: {}, layers: false }),
      ),
      startService: () => {
        serviceStarts++;
        return true;
      },
    });
    try {
      // attach
      const mode = await desktop.begin();
      assert.deepEqual(mode, { kind: 'attached', pid: service.proc.pid });
      const snap = await waitFor('a snapshot through the gateway', () => desktop.snapshot());
      assert.equal(snap.host.pid, service.proc.pid);
      assert.ok(snap.skills.some((s) => s.name === 'tick'));
      const events: { kind: string; data: { skill?: string } }[] = [];
      desktop.on('event', (e: { kind: string; data: { skill?: string } }) => events.push(e));
      await waitFor('the session subscription', async () => {
        // a run before the subscription is up would not be seen live; run until one is
        await desktop.command('run', 'tick');
        await new Promise((r) => setTimeout(r, 300));
        return events.some((e) => e.kind === 'run-end' && e.data.skill === 'tick');
      });
      await waitFor(
        'the manual run in the service\'s ledger',
        () => readLedger(t.home, 'tick').some((e) => e.trigger === 'manual' && e.outcome === 'success'),
      );

      // the service's gateway stops answering: shown down, not the last state as current
      const held = await killAndHoldPort(snap.host.layerPids.gateway!, service.gatewayPort);
      try {
        await waitFor('the gateway shown down', () => desktop.snapshot()?.layers.gateway.status === 'failed', 10_000);
        assert.equal(desktop.mode.kind, 'attached', 'the service itself is still there');
      } finally {
        await held.release();
      }
      await waitFor('the gateway back', () => desktop.snapshot()?.layers.gateway.status === 'ok', 20_000);

      // quitting the app leaves the service running
      await desktop.quit();
      assert.equal(lockHolderPid(paths.lock), service.proc.pid);
      assert.equal((await http(service.gatewayPort, 'GET', '/health')).status, 200);

      // the service stops: the app says so and offers to start it or take over
      const again = new DesktopHost({
        paths, gatewayPort: service.gatewayPort, everyMs: 100, startOwn: () => Promise.reject(new Error('unused')),
        startService: () => false,
      });
      await again.begin();
      const gone = new Promise((r) => again.once('mode', r));
      await service.stop();
      service = null;
      assert.equal(((await gone) as { kind: string }).kind, 'service-gone');
      assert.equal(again.snapshot(), null, 'no stale state shown as current');

      // take over: this process now holds the home folder and runs the skills
      desktop.removeAllListeners();
      await takeOverAndQuit(paths, t.home);

      // start the service again from the menu: the app attaches to the new host
      await restartServiceAndAttach(paths, t.home, () => serviceStarts++);
      assert.equal(serviceStarts, 1);
    } finally {
      await service?.stop();
      t.cleanup();
    }
  });
});
