import type { WebContents, WebPreferences } from 'electron';
import { ClawError } from '../common/errors.ts';
import { dashboardCsp } from '../core/layers/gateway/csp.ts';
import { SKILL_NAME } from '../core/skills/skill-schema-json.ts';

// Electron's security checklist, in one place, with tests that fail if any of it is loosened.

export const APP_SCHEME = 'app';
export const APP_HOST = 'dashboard';
export const DASHBOARD_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export function dashboardWebPreferences(preload: string): WebPreferences {
  return {
    preload,
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
  };
}

/** The window's CSP: the dashboard's, with no network at all (IPC brings the data). */
export function windowCsp(indexHtml: string): string {
  return dashboardCsp(indexHtml, []);
}

/** Only our own page may talk to the host: checked on every IPC message. */
export function isTrustedSender(frameUrl: string | undefined | null): boolean {
  if (!frameUrl) return false;
  try {
    const u = new URL(frameUrl);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

export type Command = { op: 'run' | 'pause' | 'resume' | 'reset-breaker'; skill: string; note?: string };

/** IPC arguments are untrusted input like any request body (the host checks the note's length). */
export function validateCommand(op: unknown, skill: unknown, opts?: unknown): Command {
  if (op !== 'run' && op !== 'pause' && op !== 'resume' && op !== 'reset-breaker') throw new ClawError(
    'CK_BAD_REQUEST', 'ipc', `unknown command ${JSON.stringify(op)?.slice(0, 40)}`,
  );
  if (typeof skill !== 'string' || !SKILL_NAME.test(skill)) throw new ClawError(
    'CK_INVALID_NAME', 'ipc', 'the skill name must be lower-case letters, digits and dashes',
  );
  const note = (opts as { note?: unknown } | null | undefined)?.note;
  return op === 'pause' && typeof note === 'string' && note !== '' ? { op, skill, note } : { op, skill };
}

/** No navigation away from the dashboard, no new windows, no webviews. */
export function hardenContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedSender(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedSender(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
