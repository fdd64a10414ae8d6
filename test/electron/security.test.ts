import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IPC_CHANNELS, registerCommandHandler } from '../../main/electron/ipc.ts';
import { loginItemState, setLoginItem, type LoginItemApi } from '../../main/electron/login-item.ts';
import { dashboardWebPreferences, DASHBOARD_URL, hardenContents, isTrustedSender, windowCsp } from '../../main/electron/security.ts';
import { ROOT } from '../helpers/home.ts';

describe('Electron security checklist', () => {
  it('the dashboard window is isolated, sandboxed, without Node, and nothing is loosened', () => {
    assert.deepEqual(dashboardWebPreferences('/p/preload.cjs'), {
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    });
  });

  it('the window CSP allows only our own files, the hashed import map, and no network', () => {
    const csp = windowCsp(readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8'));
    const d: Record<string, string[]> = Object.fromEntries(csp.split('; ').map((x) => [x.split(' ')[0]!, x.split(' ').slice(1)]));
    assert.deepEqual(d['default-src'], ["'none'"]);
    assert.equal(d['script-src']![0], "'self'");
    assert.equal(d['script-src']!.length, 2);
    assert.match(d['script-src']?.[1] ?? '', /^'sha256-[A-Za-z0-9+/]{43}='$/);
    assert.deepEqual(d['connect-src'], ["'self'"]);
    assert.deepEqual(d['frame-ancestors'], ["'none'"]);
    assert.doesNotMatch(csp, /unsafe-|\*|http:|https:|ws:/);
  });

  it('trusts IPC only from frames of our own app://dashboard origin', () => {
    assert.equal(isTrustedSender(DASHBOARD_URL), true);
    assert.equal(isTrustedSender('app://dashboard/other.html#x'), true);
    for (const bad of [
      'https://evil.example/', 'app://evil/index.html', 'file:///etc/passwd', 'app://dashboard.evil/',
      'http://127.0.0.1:3019/', '', undefined, null, 'not a url',
    ]) {
      assert.equal(isTrustedSender(bad), false, String(bad));
    }
  });

  it('the IPC handler refuses foreign senders and bad arguments before the host sees them', () => {
    let handler: ((e: unknown, ...a: unknown[]) => unknown) | undefined;
    const seen: unknown[] = [];
    registerCommandHandler(
      {
        handle: (ch: string, fn: (e: unknown, ...a: unknown[]) => unknown) => (ch === IPC_CHANNELS.command ? (handler = fn) : undefined),
      } as never,
      (c) => seen.push(c),
    );
    const frame = (url: string) => ({ senderFrame: { url } });
    assert.throws(() => handler!(frame('https://evil.example/'), 'run', 'poster'), /only taken from the ClawKeeper dashboard/);
    assert.throws(() => handler!(frame(DASHBOARD_URL), 'rm -rf', 'poster'), /unknown command/);
    assert.throws(() => handler!(frame(DASHBOARD_URL), 'run', '../etc'), /skill name/);
    assert.throws(() => handler!({ senderFrame: null }, 'run', 'poster'), /only taken/);
    assert.deepEqual(seen, []);
    handler!(frame(DASHBOARD_URL), 'run', 'poster');
    assert.deepEqual(seen, [{ op: 'run', skill: 'poster' }]);
    // The skill page's Pause carries its note (only a pause does), and Reset breaker is an op.
    handler!(frame(DASHBOARD_URL), 'pause', 'poster', { note: 'until Monday' });
    handler!(frame(DASHBOARD_URL), 'run', 'poster', { note: 'ignored' });
    handler!(frame(DASHBOARD_URL), 'reset-breaker', 'poster', { note: 42 });
    assert.deepEqual(seen.slice(1), [{
      op: 'pause', skill: 'poster', note: 'until Monday',
    }, { op: 'run', skill: 'poster' }, { op: 'reset-breaker', skill: 'poster' }]);
  });

  it('denies navigation away, new windows and webviews', () => {
    const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler: (h: () => unknown) => void; opener?: () => unknown };
    contents.setWindowOpenHandler = (h) => (contents.opener = h);
    hardenContents(contents as never);
    const ev = () => {
      const e = { prevented: false, preventDefault: () => (e.prevented = true) };
      return e;
    };
    const away = ev();
    contents.emit('will-navigate', away, 'https://evil.example/');
    const home = ev();
    contents.emit('will-navigate', home, DASHBOARD_URL);
    const webview = ev();
    contents.emit('will-attach-webview', webview);
    assert.equal(away.prevented, true);
    assert.equal(home.prevented, false);
    assert.equal(webview.prevented, true);
    assert.deepEqual(contents.opener!(), { action: 'deny' });
  });
});

describe('start at login, with its real status', () => {
  const api = (settings: { openAtLogin: boolean; status?: string }): LoginItemApi & { set: boolean[] } => {
    const a = {
      set: [] as boolean[],
      getLoginItemSettings: () => settings as never,
      setLoginItemSettings: (s: { openAtLogin?: boolean }) => {
        a.set.push(!!s.openAtLogin);
        settings.openAtLogin = !!s.openAtLogin;
        settings.status = s.openAtLogin ? 'requires-approval' : 'not-registered';
      },
    };
    return a;
  };
  it('reports enabled, disabled, and requires-approval (macOS 13+) from the OS, not from what we asked', () => {
    assert.equal(loginItemState(api({ openAtLogin: true, status: 'enabled' }), 'darwin'), 'enabled');
    assert.equal(loginItemState(api({ openAtLogin: false, status: 'not-registered' }), 'darwin'), 'disabled');
    assert.equal(loginItemState(api({ openAtLogin: true, status: 'requires-approval' }), 'darwin'), 'requires-approval');
    assert.equal(loginItemState(api({ openAtLogin: true }), 'win32'), 'enabled');
    assert.equal(loginItemState(api({ openAtLogin: true }), 'linux'), 'unsupported');
  });
  it('turning it on may still need approval, and says so', () => {
    const a = api({ openAtLogin: false, status: 'not-registered' });
    assert.equal(setLoginItem(a, 'darwin', true), 'requires-approval');
    assert.deepEqual(a.set, [true]);
    assert.equal(setLoginItem(a, 'linux', true), 'unsupported');
  });
});
