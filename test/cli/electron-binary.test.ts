// The launcher's decision: desktop app or headless, and why, through injected probes.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  chooseDesktop, downloadsAllowed, installedElectron, type DownloadResult, type ElectronProbes,
} from '../../main/cli/electron-binary.ts';
import { tempHome } from '../helpers/home.ts';

function probes(o: { present?: boolean; download?: DownloadResult; installs?: boolean }) {
  const calls = { download: 0 };
  let present = o.present ?? false;
  const p: ElectronProbes = {
    installed: () => (present ? '/x/electron' : null),
    download: (onProgress) => {
      calls.download++;
      onProgress({ transferred: 1, total: 2 });
      if (o.download?.ok && o.installs !== false) present = true;
      return Promise.resolve(o.download ?? { ok: false, why: 'offline' });
    },
  };
  return { p, calls };
}
const linuxDisplay = { DISPLAY: ':0' };

describe('chooseDesktop', () => {
  it('starts the desktop app with a binary already on disk, without downloading', async () => {
    const { p, calls } = probes({ present: true });
    assert.deepEqual(await chooseDesktop({
      platform: 'linux', env: linuxDisplay, argv: [], probes: p,
    }), { mode: 'electron', bin: '/x/electron' });
    assert.equal(calls.download, 0);
  });

  it('downloads a missing binary, reports progress, then starts the desktop app', async () => {
    const { p, calls } = probes({ download: { ok: true } });
    const seen: unknown[] = [];
    const d = await chooseDesktop({ platform: 'darwin', env: {}, argv: [], probes: p, onProgress: (x) => seen.push(x) });
    assert.deepEqual(d, { mode: 'electron', bin: '/x/electron' });
    assert.equal(calls.download, 1);
    assert.deepEqual(seen, [{ transferred: 1, total: 2 }]);
  });

  it('runs headless with the download failure as the reason when the binary cannot be obtained', async () => {
    const { p } = probes({ download: { ok: false, why: 'fetch failed: ENOTFOUND' } });
    const d = await chooseDesktop({ platform: 'linux', env: linuxDisplay, argv: [], probes: p });
    assert.deepEqual(d, { mode: 'headless', why: 'the Electron binary could not be downloaded (fetch failed: ENOTFOUND)' });
  });

  it('runs headless when a download that stalls is cut off (the bound is the probe\'s reason)', async () => {
    const { p } = probes({ download: { ok: false, why: 'it stalled: no progress for 30 s' } });
    const d = await chooseDesktop({ platform: 'darwin', env: {}, argv: [], probes: p });
    assert.equal(d.mode, 'headless');
    assert.match(String(d.mode === 'headless' && d.why), /stalled/);
  });

  it('runs headless when a download succeeds but leaves no executable', async () => {
    const { p } = probes({ download: { ok: true }, installs: false });
    assert.deepEqual(await chooseDesktop({ platform: 'darwin', env: {}, argv: [], probes: p }), {
      mode: 'headless', why: 'the Electron download finished but left no executable',
    });
  });

  it('runs headless on Linux without a display, and does not download', async () => {
    const { p, calls } = probes({ present: true });
    assert.deepEqual(await chooseDesktop({ platform: 'linux', env: {}, argv: [], probes: p }), {
      mode: 'headless', why: 'no display (DISPLAY/WAYLAND_DISPLAY unset)',
    });
    assert.equal(calls.download, 0);
    assert.equal((await chooseDesktop({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, argv: [], probes: p })).mode, 'electron');
  });

  it('never downloads on CI or with CLAWKEEPER_NO_ELECTRON_DOWNLOAD', async () => {
    for (const env of [{ CI: 'true' }, { CI: '1' }, { CLAWKEEPER_NO_ELECTRON_DOWNLOAD: '1' }]) {
      const { p, calls } = probes({ download: { ok: true } });
      const d = await chooseDesktop({ platform: 'darwin', env, argv: [], probes: p });
      assert.equal(d.mode, 'headless');
      assert.match(String(d.mode === 'headless' && d.why), /downloads are off/);
      assert.equal(calls.download, 0);
    }
    assert.equal(downloadsAllowed({ CI: 'false' }), true);
    assert.equal(downloadsAllowed({ CI: '' }), true);
  });

  it('runs headless without a reason when --headless is asked for', async () => {
    const { p, calls } = probes({ present: true });
    assert.deepEqual(
      await chooseDesktop({ platform: 'darwin', env: {}, argv: ['--headless'], probes: p }),
      { mode: 'headless', why: null },
    );
    assert.equal(calls.download, 0);
  });
});

describe('installedElectron', () => {
  it('finds the executable named by path.txt under dist/, as node_modules/electron/index.js does', () => {
    const t = tempHome();
    try {
      assert.equal(installedElectron(t.home, {}), null);
      writeFileSync(join(t.home, 'path.txt'), 'electron');
      assert.equal(installedElectron(t.home, {}), null, 'path.txt alone is not a binary');
      mkdirSync(join(t.home, 'dist'));
      writeFileSync(join(t.home, 'dist', 'electron'), '#!/bin/sh\n');
      chmodSync(join(t.home, 'dist', 'electron'), 0o755);
      assert.equal(installedElectron(t.home, {}), join(t.home, 'dist', 'electron'));
    } finally {
      t.cleanup();
    }
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const t = tempHome();
    try {
      writeFileSync(join(t.home, 'electron'), '');
      assert.equal(installedElectron('/nonexistent', { ELECTRON_OVERRIDE_DIST_PATH: t.home }), join(t.home, 'electron'));
    } finally {
      t.cleanup();
    }
  });
});
