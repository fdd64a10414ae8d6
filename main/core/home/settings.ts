import { existsSync } from 'node:fs';
import type { Logger } from './logger.ts';
import type { HomePaths } from './paths.ts';

/**
 * Settings: one schema for electron-store (the app) and conf (headless), over the same file,
 * $CLAWKEEPER_HOME/config.json. Environment variables win over the file.
 */
export const settingsSchema = {
  gatewayPort: { type: 'integer', minimum: 1, maximum: 65535, default: 3019 },
  sessionPort: { type: 'integer', minimum: 1, maximum: 65535, default: 3020 },
  notifications: { type: 'boolean', default: true },
  startAtLogin: { type: 'boolean', default: false },
  theme: { enum: ['system', 'light', 'dark'], default: 'system' },
} as const;

export interface Settings {
  gatewayPort: number;
  sessionPort: number;
  notifications: boolean;
  startAtLogin: boolean;
  theme: 'system' | 'light' | 'dark';
}

export const SETTINGS_DEFAULTS: Settings = {
  gatewayPort: 3019, sessionPort: 3020, notifications: true, startAtLogin: false, theme: 'system',
};

export const STORE_OPTIONS = { configName: 'config', schema: settingsSchema, clearInvalidConfig: false } as const;

/**
 * Headless: read config.json through conf when it exists. conf validates with ajv, which costs
 * the host ~15 MB, so a host without a config file never loads it.
 */
export async function readHeadlessSettings(paths: HomePaths): Promise<Settings> {
  if (!existsSync(paths.config)) return { ...SETTINGS_DEFAULTS };
  const { default: Conf } = await import('conf');
  const conf = new Conf<Settings>({ ...STORE_OPTIONS, cwd: paths.home, projectName: 'clawkeeper', schema: settingsSchema });
  return { ...SETTINGS_DEFAULTS, ...conf.store };
}

/** Ports: environment first, then settings. */
export function effectivePorts(env: NodeJS.ProcessEnv, s: Settings): { gateway: number; session: number } {
  const pick = (name: string, fallback: number) => {
    const n = Number(env[name]);
    return env[name] !== undefined && Number.isInteger(n) && n >= 0 && n < 65536 ? n : fallback;
  };
  return { gateway: pick('CLAWKEEPER_GATEWAY_PORT', s.gatewayPort), session: pick('CLAWKEEPER_SESSION_PORT', s.sessionPort) };
}

/** A broken config.json never stops the host: it says what is wrong and runs on the defaults. */
export async function settingsOrDefaults(paths: HomePaths, logger: Logger): Promise<Settings> {
  try {
    return await readHeadlessSettings(paths);
  } catch (err) {
    logger.warn(`[settings] ${paths.config}: ${(err as Error).message}; running on the default settings until it is fixed`);
    return { ...SETTINGS_DEFAULTS };
  }
}
