import { systemClock, type Clock } from '../scheduling/clock.ts';
import { Host } from '../host/host.ts';
import { LayerLink } from '../front/layer-link.ts';
import { nodeLauncher, type ProcessLauncher } from '../runs/launcher.ts';
import type { Logger } from '../home/logger.ts';
import { ensureHome, homePaths, type HomePaths } from '../home/paths.ts';
import { Supervisor } from '../supervision/supervisor.ts';
import { ensureToken } from '../auth/token.ts';
import { startTokenKeeper } from '../auth/token-keeper.ts';
import { effectivePorts, settingsOrDefaults } from '../home/settings.ts';
import { executeCommand } from '../front/host-commands.ts';
import { followOpenClaw } from '../skills/openclaw-follow.ts';
import { startHostSocket, type HostSocket } from '../front/host-socket.ts';
import { watchSkillFolders } from '../skills/skill-watcher.ts';
import { RemoteLauncher } from '../runs/run-launcher/remote-launcher.ts';
import { HostAlerts } from './host-alerts.ts';

export interface HeadlessOptions {
  home: string;
  bundledSkillsDir: string | null;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  launcher?: ProcessLauncher;
  clock?: Clock;
  /** Off: the host alone, no gateway or session process. */
  layers?: boolean;
}

export interface HeadlessApp {
  host: Host;
  supervisor: Supervisor | null;
  link: LayerLink | null;
  /** host.sock, the CLI's way in; null when it could not listen (said in the log). */
  socket: HostSocket | null;
  gatewayPort(): number;
  sessionPort(): number;
  banner(): string[];
  stop(force?: boolean): Promise<void>;
}

/** The host process without Electron: scheduler, ledger, runs, and the supervised layers. */
export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessApp> {
  const clock = opts.clock ?? systemClock;
  const launcher = opts.launcher ?? nodeLauncher;
  const paths = homePaths(opts.home);
  ensureHome(paths);
  ensureToken(paths.token);
  const stopTokenKeeper = startTokenKeeper(paths.token, opts.logger);
  // Headless, runs are created by a small launcher process (run-launcher/), off the host's event
  // loop; an injected launcher (Electron's utilityProcess) is used as it is. CLAWKEEPER_RUN_LAUNCHER=0: from the host.
  const runLauncher = opts.launcher || opts.env.CLAWKEEPER_RUN_LAUNCHER === '0' ? null : new RemoteLauncher(launcher, opts.logger);
  runLauncher?.start();
  const host = new Host({
    home: opts.home, bundledSkillsDir: opts.bundledSkillsDir, logger: opts.logger, launcher: runLauncher ?? launcher,
    clock, env: opts.env,
  });
  // Before start: what the start finds (an unclean stop, runs cut off) is an alert too.
  const alerts = (host.alerts = new HostAlerts(host, { env: opts.env, logger: opts.logger, clock }));
  // The host (scheduler, ledger) starts first and on its own: a layer that cannot start never
  // holds up a run. If it cannot start (another host holds the home), what was started for it stops.
  try {
    await host.start();
  } catch (err) {
    stopTokenKeeper();
    await runLauncher?.stop();
    throw err;
  }
  alerts.start();
  // As many warm shells as skills that may come due together (run-launcher/warm-shells.js).
  const reserveShells = () => runLauncher?.reserve(host.validSkills().length);
  reserveShells();
  host.on('skills-changed', reserveShells);
  const watching = await watchSkills(paths, opts, host);
  const layers = opts.layers !== false ? await startLayers(opts, paths, host, launcher, clock) : null;
  const { supervisor, link } = layers ?? { supervisor: null, link: null };
  const sup = supervisor;
  const commandLink = link;
  // A socket that cannot listen (a home path too long for a Unix socket, say) costs the CLI its
  // way in, never the host its runs.
  const socket = await startHostSocket(paths, (req) => executeCommand(host, commandLink, req), opts.logger).catch((err: unknown) => {
    opts.logger.error(
      `[host-socket] cannot listen on ${paths.hostSocket}: ${(err as Error).message}; \`clawkeeper run\` cannot reach this host`,
    );
    return null;
  });
  return {
    host,
    supervisor,
    link,
    socket,
    gatewayPort: () => sup?.port('gateway') ?? 0,
    sessionPort: () => sup?.port('session') ?? 0,
    banner: () => [
      `ClawKeeper host running (pid ${process.pid}), home ${host.paths.home}`,
      `skills: ${host.validSkills().length} scheduled, ${host.invalidSkills().length} invalid`,
    ],
    stop: async (force = false) => {
      await socket?.close();
      await watching.close();
      stopTokenKeeper();
      link?.stop();
      alerts.stop();
      await host.stop(force);
      await runLauncher?.stop();
      await sup?.stop();
    },
  };
}

/** The gateway and session layers, under a supervisor, linked to the host. */
async function startLayers(
  opts: HeadlessOptions, paths: HomePaths, host: Host, launcher: ProcessLauncher, clock: Clock,
): Promise<{ supervisor: Supervisor; link: LayerLink }> {
  const env: NodeJS.ProcessEnv = { ...opts.env, CLAWKEEPER_HOME: opts.home };
  delete env.CLAWKEEPER_TOKEN;
  const ports = effectivePorts(opts.env, await settingsOrDefaults(paths, opts.logger));
  const supervisor = new Supervisor({
    launcher,
    logger: opts.logger,
    clock,
    healthDir: paths.health,
    env,
    ports,
    // How much the layers yield the CPU to the host and its runs (0 = not at all, 19 = most).
    layerNice: Math.min(19, Math.max(0, Number(opts.env.CLAWKEEPER_LAYER_NICE ?? 19) || 0)),
    // CLAWKEEPER_STANDBY=0: no warm standby (a new process boots at each restart; the bench's baseline).
    standby: opts.env.CLAWKEEPER_STANDBY !== '0',
  });
  const link = new LayerLink(host, supervisor, clock);
  link.start();
  supervisor.start();
  return { supervisor, link };
}

/**
 * What changes the skills while the host runs: a skill.json added, changed or removed takes effect
 * within a second or so (in-flight runs keep going: Host.reload only re-reads the manifests and
 * re-arms the schedule), and `import openclaw --follow` keeps imported skills in step with
 * OpenClaw's store.
 */
async function watchSkills(paths: HomePaths, opts: HeadlessOptions, host: Host): Promise<{ close: () => Promise<void> }> {
  const follower = followOpenClaw({
    home: paths.home, skillsDir: paths.skills, bundledDir: opts.bundledSkillsDir, logger: opts.logger,
    onChange: () => host.reload(),
  });
  const watcher = await watchSkillFolders([opts.bundledSkillsDir, paths.skills], () => host.reload(), {
    ignore: [paths.status], logger: opts.logger,
  }).catch((err: unknown) => {
    opts.logger.warn(`[skill-watcher] cannot watch the skill folders: ${(err as Error).message}; SIGHUP reloads them`);
    return null;
  });
  return {
    close: async () => {
      follower.stop();
      await watcher?.close();
    },
  };
}
