import { Host } from './host.ts';
import type { ProcessLauncher } from './launcher.ts';
import type { Logger } from './logger.ts';

export interface HeadlessOptions {
  home: string;
  bundledSkillsDir: string | null;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  launcher?: ProcessLauncher;
}

export interface HeadlessApp {
  host: Host;
  banner(): string[];
  stop(): Promise<void>;
}

/** The host process without Electron: scheduler, ledger and runs (and, later, the layer supervisor). */
export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessApp> {
  const host = new Host({ home: opts.home, bundledSkillsDir: opts.bundledSkillsDir, logger: opts.logger, launcher: opts.launcher });
  await host.start();
  return {
    host,
    banner: () => [`ClawKeeper host running (pid ${process.pid}), home ${host.paths.home}`, `skills: ${host.validSkills().length} scheduled, ${host.invalidSkills().length} invalid`],
    stop: () => host.stop(),
  };
}
