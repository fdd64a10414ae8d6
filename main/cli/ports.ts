import type { Logger } from '../core/home/logger.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import { effectivePorts, settingsOrDefaults } from '../core/home/settings.ts';

/**
 * The ports the host listens on, found as the host finds them: the environment first, then
 * config.json, then the defaults. Every command that talks to a layer asks here.
 */
export async function cliPorts(env: NodeJS.ProcessEnv, logger: Logger): Promise<{ gateway: number; session: number }> {
  return effectivePorts(env, await settingsOrDefaults(homePaths(resolveHome(env)), logger));
}
