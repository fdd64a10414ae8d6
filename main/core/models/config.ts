import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainHttpUrl } from '../../common/plain-url.ts';
import type { SkillManifest } from '../../common/types.ts';

/**
 * `config.json` → `models`: OpenAI-compatible servers by name. Read with a plain JSON.parse (the
 * settings module owns the rest of the file through conf; these keys are ours), fresh at every
 * run, so an edited model takes effect without a restart.
 */
export interface ModelConfig {
  baseURL: string;
  /** The model id sent to the server. */
  model: string;
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv?: string;
  /** Or a file holding the key; it must be mode 0600 (nobody else can read it). */
  apiKeyFile?: string;
  /** One request's time limit; a request past it is retried (within the run's deadline). */
  timeoutMs: number;
  /** A stream with no event for this long (or timeoutMs, if shorter) is cut and retried; default STREAM_IDLE_MS. */
  streamIdleMs?: number;
}

export type ModelsConfig = Record<string, ModelConfig>;

/** config.json → `skills.<name>`: what the user turns on for a skill without editing its files. */
export interface SkillOverride {
  model?: unknown;
  budget?: unknown;
}

export interface ModelsFile {
  models: ModelsConfig;
  overrides: Record<string, SkillOverride>;
  /** What is wrong with the file, with the field; the rest still loads. */
  problems: string[];
}

export const DEFAULT_MODEL_TIMEOUT_MS = 60_000;

/** The home's config.json models, with `CLAWKEEPER_MODEL_BASE_URL`/`CLAWKEEPER_MODEL_NAME` over `models.default`. */
export function readModelsFile(home: string, env: NodeJS.ProcessEnv = process.env): ModelsFile {
  const file = join(home, 'config.json');
  const out: ModelsFile = { models: {}, overrides: {}, problems: [] };
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') out.problems.push(
      `${file}: not readable JSON (${(err as Error).message}); no models configured until it is fixed`,
    );
  }
  const raw = data.models;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    out.problems.push(`${file}: models: must be an object {"<name>": {"baseURL", "model", "apiKeyEnv", "timeoutMs"}}`);
  } else if (raw) {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      const m = checkModel(value, `${file}: models.${name}`, out.problems);
      if (m) out.models[name] = m;
    }
  }
  const baseURL = env.CLAWKEEPER_MODEL_BASE_URL?.trim();
  const modelName = env.CLAWKEEPER_MODEL_NAME?.trim();
  if (baseURL || modelName) {
    const prev = out.models.default;
    const merged = {
      timeoutMs: DEFAULT_MODEL_TIMEOUT_MS, ...prev, ...(baseURL ? { baseURL } : {}),
      ...(modelName ? { model: modelName } : {}),
    } as Partial<ModelConfig>;
    const m = checkModel(merged, 'CLAWKEEPER_MODEL_BASE_URL/CLAWKEEPER_MODEL_NAME over models.default', out.problems);
    if (m) out.models.default = m;
  }
  if (data.skills && typeof data.skills === 'object' && !Array.isArray(data.skills)) {
    for (const [name, value] of Object.entries(data.skills as Record<string, unknown>)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        out.overrides[name] = {
          ...(v.model !== undefined ? { model: v.model } : {}), ...(v.budget !== undefined ? { budget: v.budget } : {}),
        };
      }
    }
  }
  return out;
}

function checkModel(value: unknown, where: string, problems: string[]): ModelConfig | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where}: must be an object with "baseURL" and "model"`);
    return null;
  }
  const v = value as Record<string, unknown>;
  const before = problems.length;
  if (!isPlainHttpUrl(v.baseURL)) problems.push(
    `${where}.baseURL: give the server's http(s) URL without credentials or query, e.g. "http://127.0.0.1:11434/v1" (a key goes in apiKeyEnv)`,
  );
  if (typeof v.model !== 'string' || v.model === '') problems.push(`${where}.model: give the model id the server knows, e.g. "llama3.1"`);
  if (v.apiKeyEnv !== undefined && (typeof v.apiKeyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.apiKeyEnv))) problems.push(
    `${where}.apiKeyEnv: the NAME of an environment variable (the key itself never goes in config.json)`,
  );
  if (v.apiKeyFile !== undefined && typeof v.apiKeyFile !== 'string') problems.push(
    `${where}.apiKeyFile: a path to a 0600 file holding the key`,
  );
  if (v.timeoutMs !== undefined && (typeof v.timeoutMs !== 'number' || !(v.timeoutMs > 0))) problems.push(
    `${where}.timeoutMs: a positive number of milliseconds`,
  );
  if (v.streamIdleMs !== undefined && (typeof v.streamIdleMs !== 'number' || !(v.streamIdleMs > 0))) problems.push(
    `${where}.streamIdleMs: a positive number of milliseconds`,
  );
  if (v.apiKey !== undefined) problems.push(
    `${where}.apiKey: keys are never read from config.json; put it in an environment variable named by "apiKeyEnv" or a 0600 file named by "apiKeyFile"`,
  );
  if (problems.length > before) return null;
  return {
    baseURL: (v.baseURL as string).replace(/\/+$/, ''),
    model: v.model as string,
    ...(typeof v.apiKeyEnv === 'string' ? { apiKeyEnv: v.apiKeyEnv } : {}),
    ...(typeof v.apiKeyFile === 'string' ? { apiKeyFile: v.apiKeyFile } : {}),
    timeoutMs: (v.timeoutMs as number | undefined) ?? DEFAULT_MODEL_TIMEOUT_MS,
    ...(typeof v.streamIdleMs === 'number' ? { streamIdleMs: v.streamIdleMs } : {}),
  };
}


/**
 * The API key of a model: the named environment variable, or a file only its owner can read.
 * Throws a clear error (never containing the key) when the file is readable by others.
 */
export function resolveApiKey(m: ModelConfig, env: NodeJS.ProcessEnv, home: string): string | null {
  if (m.apiKeyEnv) {
    const v = env[m.apiKeyEnv];
    if (v && v.trim() !== '') return v.trim();
  }
  if (m.apiKeyFile) {
    const file = m.apiKeyFile.startsWith('/') ? m.apiKeyFile : join(home, m.apiKeyFile);
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0) throw new Error(
      `the API key file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`,
    );
    return readFileSync(file, 'utf8').trim();
  }
  return null;
}

/** Every environment variable that holds a model key: kept out of every run's environment. */
export function apiKeyEnvNames(models: ModelsConfig): string[] {
  return [...new Set(Object.values(models).flatMap((m) => (m.apiKeyEnv ? [m.apiKeyEnv] : [])))];
}

/**
 * The dependency a skill's model makes (ARCHITECTURE.md "Dependencies"): `model:<name>`, probed at
 * `GET {baseURL}/models`. An optional model is no dependency: its failures reach the skill.
 */
export function modelDependencies(manifest: Pick<SkillManifest, 'model'>, models: ModelsConfig): { name: string; probe: string }[] {
  const m = manifest.model;
  if (!m || m.optional) return [];
  const cfg = models[m.name];
  if (!cfg) return [];
  return [{ name: `model:${m.name}`, probe: `${cfg.baseURL}/models` }];
}
