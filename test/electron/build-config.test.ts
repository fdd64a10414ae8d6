import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/home.ts';

describe('packaging config', () => {
  const yml = readFileSync(join(ROOT, 'build', 'electron-builder.yml'), 'utf8');
  it('builds a menu-bar-only, hardened macOS app for both architectures, and a Linux package', () => {
    assert.match(yml, /LSUIElement: true/);
    assert.match(yml, /hardenedRuntime: true/);
    assert.match(yml, /arch: \[arm64, x64\]/);
    assert.match(yml, /entitlements: build\/entitlements\.mac\.plist/);
    assert.match(yml, /target: \[AppImage, deb\]/);
  });
  it('has every icon it names, tray templates at 1x and 2x, and PNGs that are PNGs', () => {
    for (const f of [
      'trayTemplate.png', 'trayTemplate@2x.png', 'tray-degraded.png', 'tray-degraded@2x.png', 'tray-down.png',
      'tray-down@2x.png', 'icon.png',
    ]) {
      const p = join(ROOT, 'build', 'icons', f);
      assert.ok(existsSync(p), f);
      assert.deepEqual([...readFileSync(p).subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], f);
    }
    const twoX = readFileSync(join(ROOT, 'build', 'icons', 'trayTemplate@2x.png'));
    assert.equal(twoX.readUInt32BE(16), 32, '2x template is 32 px wide');
  });
  it('the entitlements allow the JIT and loopback servers, nothing more', () => {
    const plist = readFileSync(join(ROOT, 'build', 'entitlements.mac.plist'), 'utf8');
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]).sort();
    assert.deepEqual(keys, ['com.apple.security.cs.allow-jit', 'com.apple.security.network.client', 'com.apple.security.network.server']);
  });
});
