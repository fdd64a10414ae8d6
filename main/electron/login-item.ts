import type { LoginItemSettings, Settings } from 'electron';

export type LoginItemState = 'enabled' | 'disabled' | 'requires-approval' | 'unsupported';

/** The two calls of Electron's `app` we use (passed in). */
export interface LoginItemApi {
  getLoginItemSettings(): Pick<LoginItemSettings, 'openAtLogin'> & Partial<Pick<LoginItemSettings, 'status'>>;
  setLoginItemSettings(settings: Pick<Settings, 'openAtLogin'>): void;
}

/**
 * The real state, as the OS reports it: on macOS 13+ `status` says whether the user still has to
 * approve the item in System Settings, which `openAtLogin` alone would show as on.
 */
export function loginItemState(api: LoginItemApi, platform: NodeJS.Platform): LoginItemState {
  if (platform !== 'darwin' && platform !== 'win32') return 'unsupported';
  const s = api.getLoginItemSettings();
  if (s.status === 'requires-approval') return 'requires-approval';
  if (s.status === 'enabled') return 'enabled';
  if (s.status === 'not-registered' || s.status === 'not-found') return 'disabled';
  return s.openAtLogin ? 'enabled' : 'disabled';
}

export function setLoginItem(api: LoginItemApi, platform: NodeJS.Platform, enabled: boolean): LoginItemState {
  if (platform !== 'darwin' && platform !== 'win32') return 'unsupported';
  api.setLoginItemSettings({ openAtLogin: enabled });
  return loginItemState(api, platform);
}
