import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LayerLink } from '../../main/core/front/layer-link.ts';
import { DASHBOARD_URL } from '../../main/electron/security.ts';
import { denyAllPermissions, guardAllWebContents } from '../../main/electron/web-guards.ts';
import { ROOT } from '../helpers/home.ts';

type Ev = { prevented: boolean; preventDefault: () => void };
const ev = (): Ev => {
  const e = { prevented: false, preventDefault: () => (e.prevented = true) };
  return e;
};

/** A stand-in for Electron's session at our injected seam: records the handlers installed. */
function fakeSession() {
  const s = {
    request: undefined as undefined | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
    check: undefined as undefined | ((...a: unknown[]) => boolean),
    device: undefined as undefined | ((...a: unknown[]) => boolean),
    setPermissionRequestHandler: (h: never) => void (s.request = h),
    setPermissionCheckHandler: (h: never) => void (s.check = h),
    setDevicePermissionHandler: (h: never) => void (s.device = h),
  };
  return s;
}

function fakeContents() {
  const c = new EventEmitter() as EventEmitter & { setWindowOpenHandler: (h: () => unknown) => void; opener?: () => unknown };
  c.setWindowOpenHandler = (h) => (c.opener = h);
  return c;
}

describe('Electron: permissions and web contents guards', () => {
  it('denies every permission request and check (camera, microphone, geolocation, notifications, HID)', () => {
    const s = fakeSession();
    denyAllPermissions(s);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'openExternal']) {
      let answer: boolean | undefined;
      s.request!({}, p, (ok) => (answer = ok));
      assert.equal(answer, false, p);
      assert.equal(s.check!({}, p, 'app://dashboard', {}), false, p);
    }
    assert.equal(s.device!({ deviceType: 'hid' }), false);
  });

  it('guards every web contents: no new windows or webviews anywhere; contents we did not create cannot navigate at all', () => {
    const app = new EventEmitter();
    const owned = new Set<unknown>();
    guardAllWebContents(app as never, (c) => owned.has(c));
    const ours = fakeContents();
    app.emit('web-contents-created', {}, ours);
    owned.add(ours); // marked after creation, as main.ts does
    const foreign = fakeContents();
    app.emit('web-contents-created', {}, foreign);
    for (const c of [ours, foreign]) {
      assert.deepEqual(c.opener!(), { action: 'deny' });
      const wv = ev();
      c.emit('will-attach-webview', wv);
      assert.equal(wv.prevented, true);
      const away = ev();
      c.emit('will-navigate', away, 'https://evil.example/');
      assert.equal(away.prevented, true);
    }
    const home = ev();
    ours.emit('will-navigate', home, DASHBOARD_URL);
    assert.equal(home.prevented, false, 'our window may load the dashboard');
    const foreignHome = ev();
    foreign.emit('will-navigate', foreignHome, DASHBOARD_URL);
    assert.equal(foreignHome.prevented, true, 'a contents we did not create may not even load the dashboard');
    const s = fakeSession();
    app.emit('session-created', s);
    let answer: boolean | undefined;
    s.request!({}, 'media', (ok) => (answer = ok));
    assert.equal(answer, false, 'a session created later denies too');
  });

  it('the packaged app requests the fuses: no RunAsNode, no NODE_OPTIONS, no inspect flags, asar integrity and asar-only loading', () => {
    const yml = readFileSync(join(ROOT, 'build', 'electron-builder.yml'), 'utf8');
    const block = /^electronFuses:\n((?: {2}\w+: (?:true|false)\n?)+)/m.exec(yml)?.[1] ?? '';
    const cfg = { electronFuses: Object.fromEntries([...block.matchAll(/(\w+): (true|false)/g)].map((m) => [m[1]!, m[2] === 'true'])) };
    assert.deepEqual(cfg.electronFuses, {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    // Every name is one electron-builder knows (a typo would be ignored silently otherwise).
    const scheme = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8'),
    ) as { definitions: { FuseOptionsV1: { properties: Record<string, unknown> } } };
    for (const k of Object.keys(cfg.electronFuses)) assert.ok(k in scheme.definitions.FuseOptionsV1.properties, k);
  });

  it('the start-up login code lives 60 s, as clawkeeper open\'s', () => {
    const sent: { type: string; expiresAt?: number }[] = [];
    const link = new LayerLink({} as never, {
      send: (_n: string, m: { type: string; expiresAt?: number }) => sent.push(m),
    } as never, { now: () => Date.now(), monotonic: () => 0 });
    const before = Date.now();
    link.loginCode();
    assert.equal(sent[0]!.type, 'login-code');
    assert.ok(sent[0]!.expiresAt! <= before + 60_000 + 50 && sent[0]!.expiresAt! >= before + 59_000, String(sent[0]!.expiresAt! - before));
  });
});
