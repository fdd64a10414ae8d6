// Whether `npm start` opens the desktop app or runs headless, decided from injected probes so
// every branch is testable without Electron. Electron 45 no longer downloads its binary at
// `npm install`: node_modules/electron/index.js downloads it on the first `require('electron')`
// (unbounded, no fallback), or `npx install-electron` does. We obtain it the same way
// (node_modules/electron/install.js, which writes path.txt), but bounded in time, with progress,
// and never on CI.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type DesktopDecision = { mode: 'electron'; bin: string } | { mode: 'headless'; why: string | null };

export interface DownloadProgress {
  transferred: number;
  total: number | null;
}

export type DownloadResult = { ok: true } | { ok: false; why: string };

export interface ElectronProbes {
  /** The Electron executable if it is on disk, else null. */
  installed(): string | null;
  /** Obtains the binary (bounded in time by the implementation). */
  download(onProgress: (p: DownloadProgress) => void): Promise<DownloadResult>;
}

export interface DesktopContext {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  argv: readonly string[];
  probes: ElectronProbes;
  onProgress?: (p: DownloadProgress) => void;
}

/** CI never downloads (a CI machine has no display and often no internet; a download there only costs time). */
export function downloadsAllowed(env: NodeJS.ProcessEnv): boolean {
  const on = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return !on(env.CI) && !on(env.CLAWKEEPER_NO_ELECTRON_DOWNLOAD);
}

export function hasDisplay(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export async function chooseDesktop(c: DesktopContext): Promise<DesktopDecision> {
  if (c.argv.includes('--headless')) return { mode: 'headless', why: null };
  // Without a display Electron cannot open a tray or a window: no point fetching 100 MB for it.
  if (!hasDisplay(c.platform, c.env)) return { mode: 'headless', why: 'no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  const present = c.probes.installed();
  if (present) return { mode: 'electron', bin: present };
  if (!downloadsAllowed(c.env)) {
    return { mode: 'headless', why: 'no Electron binary, and downloads are off here (CI or CLAWKEEPER_NO_ELECTRON_DOWNLOAD)' };
  }
  const r = await c.probes.download(c.onProgress ?? (() => undefined));
  if (!r.ok) return { mode: 'headless', why: `the Electron binary could not be downloaded (${r.why})` };
  const bin = c.probes.installed();
  return bin ? { mode: 'electron', bin } : { mode: 'headless', why: 'the Electron download finished but left no executable' };
}

/** Where Electron's own installer puts the executable: `dist/<path.txt>`, as node_modules/electron/index.js reads it. */
export function installedElectron(electronDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const pathFile = join(electronDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const bin = join(env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron');
    return existsSync(bin) ? bin : null;
  }
  if (!rel) return null;
  const bin = join(electronDir, 'dist', rel);
  return existsSync(bin) ? bin : null;
}
