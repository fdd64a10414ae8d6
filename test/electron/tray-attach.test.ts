// The tray when the app is attached to the service, and when that service stops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trayMenu, trayView, type TrayItem } from '../../main/electron/tray-model.ts';
import { snapshot } from './fixtures.ts';

const labels = (items: TrayItem[]) => items.map((i) => i.label ?? `(${i.type})`);

describe('tray menu with the ClawKeeper service', () => {
  it('attached: says so with the service\'s pid, and quitting leaves the service running', () => {
    const items = trayMenu(snapshot(), { loginItem: 'disabled', host: { kind: 'attached', pid: 4242 } });
    assert.equal(items[0]?.label, 'Attached to the ClawKeeper service (pid 4242)');
    assert.equal(items.at(-1)?.label, 'Quit ClawKeeper (the service keeps running)');
    assert.ok(labels(items).includes('Pause all skills'), 'commands still work through the service');
  });

  it('service gone: red, and the menu offers to start it or to take over', () => {
    const host = { kind: 'service-gone', pid: 4242 } as const;
    const items = trayMenu(null, { loginItem: 'disabled', host });
    assert.match(items[0]?.label ?? '', /service \(pid 4242\) stopped/);
    assert.deepEqual(items.filter((i) => i.action).map((i) => i.action!.type).slice(0, 2), ['start-service', 'take-over']);
    const v = trayView(null, host);
    assert.equal(v.icon, 'down');
    assert.equal(v.title, 'Stopped');
  });

  it('own host: no service lines', () => {
    const items = trayMenu(snapshot(), { loginItem: 'disabled', host: { kind: 'own' } });
    assert.ok(!labels(items).some((l) => /service/i.test(l)));
  });
});

describe('tray menu in the packaged app', () => {
  it('offers to install the clawkeeper command only where the app can install it', () => {
    const has = (canInstallCli: boolean) => trayMenu(snapshot(), { loginItem: 'disabled', canInstallCli }).some(
      (i) => i.action?.type === 'install-cli',
    );
    assert.equal(has(true), true);
    assert.equal(has(false), false);
  });
});
