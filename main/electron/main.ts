// The menu-bar app: Electron's entry. It wires; the logic lives in main/core and the modules
// beside this file.
import {
  app, BrowserWindow, ipcMain, Menu, nativeImage, net, Notification, powerMonitor, protocol, session, Tray,
  utilityProcess, type WebContents,
} from 'electron';
import Store from 'electron-store';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot, bundledSkillsDir } from '../core/home/app-paths.ts';
import { DesktopHost, ownHost } from '../core/app/attach.ts';
import { installCliShim, shimCandidates } from '../core/install/cli-shim.ts';
import { startHeadless } from '../core/app/headless.ts';
import { HOST_SESSION } from '../core/front/layer-link.ts';
import { dashboardFiles } from '../core/layers/gateway/dashboard-files.ts';
import { Ledger } from '../core/runs/ledger.ts';
import { createFileLogger } from '../core/home/logger.ts';
import { ensureHome, homePaths, resolveHome } from '../core/home/paths.ts';
import { leaveRunningHostPointer } from '../core/home/current-host.ts';
import { withScheduleWords } from '../core/scheduling/schedule-words.ts';
import { defaultServiceContext, startInstalledService } from '../cli/service.ts';
import { effectivePorts, SETTINGS_DEFAULTS, STORE_OPTIONS, type Settings } from '../core/home/settings.ts';
import { IPC_CHANNELS, registerCommandHandler } from './ipc.ts';
import { loginItemState, setLoginItem } from './login-item.ts';
import { Notifier } from './notifier.ts';
import { initializeOnlineHint } from './online-hint.ts';
import { cliArgs, runCliInElectron } from './cli-mode.ts';
import { runHeadlessInElectron } from './headless-mode.ts';
import { handleAppProtocol, registerAppScheme } from './protocol.ts';
import { skillPageApi } from './skill-page-protocol.ts';
import { RunsIndex } from '../core/layers/gateway/runs-index.ts';
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

// The packaged app's binary as the always-on service (clawkeeper service install): no tray, no
// single-instance lock (the tray app is the other instance, and attaches to it).
const cli = cliArgs(process.argv);
if (cli) {
  await runCliInElectron(app, utilityProcess, cli);
} else if (process.argv.includes('--headless')) {
  await runHeadlessInElectron(app, utilityProcess);
} else if (!app.requestSingleInstanceLock()) {
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
  const pageLedger = new Ledger(paths.runs, logger);
  const pageRuns = new RunsIndex(paths.runs);
  handleAppProtocol(
    protocol, dashboardFiles(),
    (url) => skillPageApi(url, { paths, ledger: pageLedger, runs: pageRuns, snapshot: () => desktop.snapshot() }),
  );

  let win: BrowserWindow | null = null;
  // Another host holding the home folder (the service): attach to it; else run the host here.
  const forward = (kind: string) => (data: unknown) => win?.webContents.send(IPC_CHANNELS.event, { session: HOST_SESSION, kind, data });
  let clearPointer = () => {};
  const startOwn = async () => {
    const headless = await startHeadless({
      home,
      bundledSkillsDir: bundledSkillsDir(),
      logger,
      env: { ...process.env, CLAWKEEPER_GATEWAY_PORT: String(ports.gateway), CLAWKEEPER_SESSION_PORT: String(ports.session) },
      launcher: createUtilityLauncher(utilityProcess),
    });
    // So `clawkeeper status` in a terminal finds this host (docs/cli.md, "Which host it talks to").
    clearPointer = leaveRunningHostPointer(
      process.env, { home, gatewayPort: headless.gatewayPort(), sessionPort: headless.sessionPort() }, logger,
    );
    headless.host.on('run-start', forward('run-start'));
    headless.host.on('run-end', (e) => forward('run-end')({ ...e.entry, fields: e.fields }));
    headless.supervisor?.on('transition', forward('layer'));
    // Sleep: the reconciler runs on wake, so slots missed while asleep follow their catchUp policy.
    powerMonitor.on('resume', () => headless.host.onResume());
    // The OS going on- or offline is a hint to probe the dependencies now, never the verdict.
    initializeOnlineHint({ isOnline: () => net.isOnline(), onChange: () => headless.host.hintDependencies() });
    return ownHost(headless, withScheduleWords);
  };
  const desktop = new DesktopHost({
    paths, gatewayPort: ports.gateway, startOwn,
    startService: () => startInstalledService(defaultServiceContext(process.env, () => undefined, () => undefined)),
  });
  desktop.on('event', (e: { kind: string; data: unknown }) => forward(e.kind)(e.data)); // attached: the service's live events
  await desktop.begin();
  const command = (
    op: 'run' | 'pause' | 'resume', skill: string,
  ) => desktop.command(op, skill).catch((err: unknown) => logger.warn(String(err)));
  const skillNames = () => desktop.snapshot()?.skills.map((s) => s.name) ?? [];

  const openDashboard = () => {
    if (win) return win.show();
    win = new BrowserWindow({
      width: 1200, height: 900, show: false, title: 'ClawKeeper',
      webPreferences: dashboardWebPreferences(join(here, 'preload.cjs')),
    });
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
    else if (a.type === 'run') {
      // A refusal (a dependency down, an invalid skill) is told, never swallowed.
      const tell = (why: string) => new Notification({ title: `${a.skill} did not start`, body: why }).show();
      void desktop.command('run', a.skill).then(
        (r) => (r as { ok?: boolean; error?: { message: string } } | null)?.ok === false && tell(
          (r as { error: { message: string } }).error.message,
        ),
        (err: unknown) => tell(String(err)),
      );
    }
    else if (a.type === 'pause-all') for (const s of skillNames()) void command('pause', s);
    else if (a.type === 'resume-all') for (const s of skillNames()) void command('resume', s);
    else if (a.type === 'start-service') void desktop.startService();
    else if (a.type === 'take-over') void desktop.takeOver();
    else if (a.type === 'install-cli') {
      const r = installCliShim(process.execPath, shimCandidates(homedir()), homedir(), process.env.PATH);
      new Notification({
        title: 'ClawKeeper',
        body: r.ok
          ? `Installed ${r.path}${r.onPath ? '' : ` (add ${dirname(r.path)} to your PATH)`}`
          : `Could not install the clawkeeper command: ${r.why}`,
      }).show();
    }
    else if (a.type === 'toggle-login-item') store.set(
      'startAtLogin', setLoginItem(app, platform, loginItemState(app, platform) === 'disabled') !== 'disabled',
    );
    else if (a.type === 'quit') app.quit();
  };
  const tray = initializeTray({
    tray: new Tray(icon('operational', true)), buildMenu: (t) => Menu.buildFromTemplate(t), image: icon, onAction: act,
  });
  const notifier = new Notifier(
    (n) => store.get('notifications') && new Notification({ title: n.title, body: n.body, silent: false }).show(),
  );

  registerCommandHandler(ipcMain, (c) => desktop.command(c.op, c.skill, c.note ? { note: c.note } : {}));
  ipcMain.on(IPC_CHANNELS.ready, (e) => isTrustedSender(e.senderFrame?.url) && e.sender.send(IPC_CHANNELS.snapshot, desktop.snapshot()));

  const pump = () => {
    const snap = desktop.snapshot();
    tray.update(snap, loginItemState(app, platform), desktop.mode, app.isPackaged);
    if (snap) notifier.update(snap);
    win?.webContents.send(IPC_CHANNELS.snapshot, snap);
  };
  pump();
  setInterval(pump, 1000);

  let quitting = false;
  app.on('before-quit', (e) => {
    if (quitting) return;
    quitting = true;
    e.preventDefault();
    // An own host stops (runs get their deadline); an attached service keeps running.
    void desktop.quit().finally(() => {
      clearPointer();
      app.exit(0);
    });
  });
}
