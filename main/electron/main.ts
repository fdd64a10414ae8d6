// The menu-bar app: Electron's entry. It wires; the logic lives in main/core and the modules
// beside this file.
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Notification, powerMonitor, protocol, session, Tray, utilityProcess, type WebContents } from 'electron';
import Store from 'electron-store';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot, bundledSkillsDir } from '../core/app-paths.ts';
import { startHeadless } from '../core/headless.ts';
import { HOST_SESSION } from '../core/layer-link.ts';
import { dashboardFiles } from '../core/layers/dashboard-files.ts';
import { createFileLogger } from '../core/logger.ts';
import { ensureHome, homePaths, resolveHome } from '../core/paths.ts';
import { withScheduleWords } from '../core/schedule-words.ts';
import { effectivePorts, SETTINGS_DEFAULTS, STORE_OPTIONS, type Settings } from '../core/settings.ts';
import { IPC_CHANNELS, registerCommandHandler } from './ipc.ts';
import { loginItemState, setLoginItem } from './login-item.ts';
import { Notifier } from './notifier.ts';
import { handleAppProtocol, registerAppScheme } from './protocol.ts';
import { DASHBOARD_URL, dashboardWebPreferences, hardenContents, isTrustedSender } from './security.ts';
import { initializeTray } from './tray.ts';
import type { TrayAction, TrayIcon } from './tray-model.ts';
import { createUtilityLauncher } from './utility-launcher.ts';
import { denyAllPermissions, guardAllWebContents } from './web-guards.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
registerAppScheme(protocol);
// Before any window: every web contents is guarded, and only the dashboard window counts as ours.
const ownContents = new WeakSet<WebContents>();
guardAllWebContents(app, (c) => ownContents.has(c));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  await app.whenReady();
  app.dock?.hide(); // menu-bar only (LSUIElement in the packaged app)
  denyAllPermissions(session.defaultSession);
  const home = resolveHome();
  const paths = homePaths(home);
  ensureHome(paths);
  const store = new Store<Settings>({ ...STORE_OPTIONS, cwd: home, defaults: SETTINGS_DEFAULTS, schema: STORE_OPTIONS.schema });
  const ports = effectivePorts(process.env, store.store);
  const logger = createFileLogger(join(paths.logs, 'app.log'));
  handleAppProtocol(protocol, dashboardFiles());

  const headless = await startHeadless({
    home,
    bundledSkillsDir: bundledSkillsDir(),
    logger,
    env: { ...process.env, CLAWKEEPER_GATEWAY_PORT: String(ports.gateway), CLAWKEEPER_SESSION_PORT: String(ports.session) },
    launcher: createUtilityLauncher(utilityProcess),
  });
  const { host, link } = headless;

  let win: BrowserWindow | null = null;
  const openDashboard = () => {
    if (win) return win.show();
    win = new BrowserWindow({ width: 1200, height: 900, show: false, title: 'ClawKeeper', webPreferences: dashboardWebPreferences(join(here, 'preload.cjs')) });
    ownContents.add(win.webContents);
    hardenContents(win.webContents);
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => (win = null));
    void win.loadURL(DASHBOARD_URL);
  };
  app.on('second-instance', openDashboard);
  app.on('window-all-closed', () => undefined); // a menu-bar app keeps running without windows

  const platform = process.platform;
  const icon = (state: TrayIcon, template: boolean) => {
    const img = nativeImage.createFromPath(join(appRoot(), 'build', 'icons', template ? 'trayTemplate.png' : `tray-${state}.png`));
    img.setTemplateImage(template);
    return img;
  };
  const act = (a: TrayAction) => {
    if (a.type === 'open-dashboard') openDashboard();
    else if (a.type === 'run') host.runNow(a.skill);
    else if (a.type === 'pause-all') for (const s of host.listSkills()) host.pause(s.name);
    else if (a.type === 'resume-all') for (const s of host.listSkills()) host.resume(s.name);
    else if (a.type === 'toggle-login-item') store.set('startAtLogin', setLoginItem(app, platform, loginItemState(app, platform) === 'disabled') !== 'disabled');
    else if (a.type === 'quit') app.quit();
  };
  const tray = initializeTray({ tray: new Tray(icon('operational', true)), buildMenu: (t) => Menu.buildFromTemplate(t), image: icon, onAction: act });
  const notifier = new Notifier((n) => store.get('notifications') && new Notification({ title: n.title, body: n.body, silent: false }).show());

  registerCommandHandler(ipcMain, (c) => (c.op === 'run' ? host.runNow(c.skill) : c.op === 'pause' ? host.pause(c.skill) : host.resume(c.skill)));
  ipcMain.on(IPC_CHANNELS.ready, (e) => isTrustedSender(e.senderFrame?.url) && e.sender.send(IPC_CHANNELS.snapshot, link ? withScheduleWords(link.snapshot()) : null));
  const forward = (kind: string) => (data: unknown) => win?.webContents.send(IPC_CHANNELS.event, { session: HOST_SESSION, kind, data });
  host.on('run-start', forward('run-start'));
  host.on('run-end', (e) => forward('run-end')({ ...e.entry, fields: e.fields }));
  headless.supervisor?.on('transition', forward('layer'));

  const pump = () => {
    const raw = link?.snapshot();
    const snap = raw ? withScheduleWords(raw) : null;
    tray.update(snap, loginItemState(app, platform));
    if (snap) notifier.update(snap);
    win?.webContents.send(IPC_CHANNELS.snapshot, snap);
  };
  pump();
  setInterval(pump, 1000);

  // Sleep: the reconciler runs on wake, so slots missed while asleep follow their catchUp policy.
  powerMonitor.on('resume', () => host.onResume());
  let quitting = false;
  app.on('before-quit', (e) => {
    if (quitting) return;
    quitting = true;
    e.preventDefault();
    void headless.stop().finally(() => app.exit(0));
  });
}
