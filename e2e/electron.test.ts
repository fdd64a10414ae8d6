// The desktop app end to end, through Playwright's Electron driver: it launches the app, opens
// the dashboard from the tray menu's action, and watches a layer fail and recover. It runs
// wherever the Electron binary exists; where it does not (npm here cannot download it), it
// reports "skipped: no Electron binary".
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { installedElectron } from '../main/cli/electron-binary.ts';
import { killAndHoldPort } from '../test/helpers/hijack.ts';
import { freePort } from '../test/helpers/net.ts';
import { ROOT, tempHome, writeSkill } from '../test/helpers/home.ts';

// Found as `npm start` finds it (path.txt written by Electron's install.js, or
// ELECTRON_OVERRIDE_DIST_PATH); a test never downloads it.
const bin = installedElectron(join(ROOT, 'node_modules', 'electron'));
const built = existsSync(join(ROOT, 'dist', 'main', 'electron', 'main.js'));
const skip = !bin ? 'skipped: no Electron binary' : !built ? 'skipped: no Electron binary build (run npm run build)' : false;

describe('the Electron app', () => {
  it('launches, opens the dashboard from the tray, and shows a layer fail and recover', { skip, timeout: 120_000 }, async () => {
    const t = tempHome();
    writeSkill(t.home, 'tick', { schedule: '* * * * * *' }, 'ok.mjs');
    const gatewayPort = await freePort();
    const sessionPort = await freePort();
    const app = await electron.launch({
      executablePath: bin!,
      args: [ROOT, '--no-sandbox'],
      env: {
        ...process.env, CLAWKEEPER_HOME: t.home, CLAWKEEPER_GATEWAY_PORT: String(gatewayPort),
        CLAWKEEPER_SESSION_PORT: String(sessionPort),
      },
    });
    try {
      // The tray menu's "Open dashboard…" runs the same action as a second launch.
      await app.evaluate(({ app: a }) => a.emit('second-instance'));
      const win = await app.firstWindow();
      await win.locator('main[data-mode="operational"]').waitFor({ timeout: 30_000 });
      // The window talks to the host over IPC: no token, no HTTP.
      assert.equal(await win.evaluate(() => typeof (window as unknown as { clawkeeper?: unknown }).clawkeeper), 'object');
      assert.equal(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require), 'undefined');
      const held = await killAndHoldPort(Number(await win.locator('[data-layer="gateway"]').getAttribute('data-pid')), gatewayPort);
      await win.locator('[data-layer="gateway"]:not([data-color="green"])').waitFor({ timeout: 10_000 });
      await held.release();
      await win.locator('main[data-mode="operational"]').waitFor({ timeout: 20_000 });
    } finally {
      await app.close();
      t.cleanup();
    }
  });
});
