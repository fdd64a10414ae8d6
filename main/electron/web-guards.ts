import type { App, Session, WebContents } from 'electron';
import { hardenContents } from './security.ts';

// Electron grants every permission by default (camera, microphone, notifications from a page,
// geolocation, HID, serial...). The dashboard needs none: every request and check is denied, in
// every session, including sessions created later.

export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/**
 * Every web contents, ours or not (a devtools page, something a bug or an extension opened): no
 * new windows, no webviews, no navigation away from app://dashboard. Contents we did not create
 * may not navigate at all.
 */
export function guardAllWebContents(app: Pick<App, 'on'>, ours: (contents: WebContents) => boolean): void {
  app.on('web-contents-created', (_event, contents) => {
    hardenContents(contents);
    // Asked at the event, not now: a window's contents are created before we can mark them ours.
    contents.on('will-navigate', (event) => {
      if (!ours(contents)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!ours(contents)) event.preventDefault();
    });
  });
  app.on('session-created', (session) => denyAllPermissions(session));
}
