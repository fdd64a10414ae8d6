// `ClawKeeper --headless`: the packaged app's own binary as the always-on service (`clawkeeper
// service install` writes this argv when it runs inside the app). There is no Node on a user's
// Mac and the RunAsNode fuse is off, so the host runs in Electron's main process with utility
// processes, without tray or window, logging to its rotating file.
import type { App } from 'electron';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { startHeadless } from '../core/app/headless.ts';
import { createConsoleLogger } from '../core/home/logger.ts';
import { resolveHome } from '../core/home/paths.ts';
import { leaveRunningHostPointer } from '../core/home/current-host.ts';
import { createServiceLogger } from '../core/home/rotating-log.ts';
import { createUtilityLauncher, type UtilityForker } from './utility-launcher.ts';

export async function runHeadlessInElectron(app: App, utilityProcess: UtilityForker): Promise<void> {
  await app.whenReady();
  app.dock?.hide();
  const env = process.env;
  const logger = env.CLAWKEEPER_LOG_FILE ? createServiceLogger(env.CLAWKEEPER_LOG_FILE) : createConsoleLogger();
  const headless = await startHeadless({
    home: resolveHome(env), bundledSkillsDir: bundledSkillsDir(), logger, env,
    launcher: createUtilityLauncher(utilityProcess),
  });
  for (const line of headless.banner()) logger.info(line);
  const clearPointer = leaveRunningHostPointer(
    env, { home: resolveHome(env), gatewayPort: headless.gatewayPort(), sessionPort: headless.sessionPort() }, logger,
  );
  app.on('window-all-closed', () => undefined);
  let stopping = false;
  const stop = () => {
    if (stopping) return headless.host.interruptAll();
    stopping = true;
    void headless.stop().finally(() => {
      clearPointer();
      app.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
