import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isPlainHttpUrl as isHttpUrl } from '../../common/plain-url.ts';
import { CHANNEL_TYPES, type ChannelType } from '../../common/alerts.ts';

/**
 * config.json → `alerts` and `heartbeat`, read with a plain JSON.parse (as `models`: the settings
 * module owns the rest of the file through conf), fresh whenever asked, so an edit takes effect
 * without a restart. A bad channel is named and left out; the others still work.
 */

/** A secret is named, never written here: a 0600 file (`*File`) or an environment variable (`*Env`). */
export interface SecretRef {
  /** Only for what is not secret (a webhook or ntfy URL without credentials). */
  value?: string;
  file?: string;
  env?: string;
  /** The config field, for messages ("alerts.channels.team.urlFile"). */
  where: string;
}

export interface ChannelConfig {
  name: string;
  type: ChannelType;
  /** webhook, ntfy, slack, discord. */
  url?: SecretRef;
  /** ntfy: an access token for a protected topic (Authorization: Bearer). */
  token?: SecretRef;
  /** telegram */
  botToken?: SecretRef;
  chatId?: string;
  /** telegram: the Bot API's base URL (a self-hosted Bot API server, or a test stand-in). */
  apiBase?: string;
  /** email */
  smtp?: string;
  user?: SecretRef;
  password?: SecretRef;
  from?: string;
  to?: string[];
}

export interface AlertsConfig {
  channels: Map<string, ChannelConfig>;
  default: string[];
  cooldownMinutes: number;
  heartbeat: { url: string; everySeconds: number } | null;
  problems: string[];
}

export const DEFAULT_COOLDOWN_MINUTES = 5;
export const HEARTBEAT_MIN_SECONDS = 10;
export const TELEGRAM_API = 'https://api.telegram.org';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function readAlertsConfig(configFile: string): AlertsConfig {
  const out: AlertsConfig = { channels: new Map(), default: [], cooldownMinutes: DEFAULT_COOLDOWN_MINUTES, heartbeat: null, problems: [] };
  let data: Raw = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(configFile, 'utf8'));
    if (isObject(parsed)) data = parsed;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') out.problems.push(
      `${configFile}: not readable JSON (${(err as Error).message}); no alerts until it is fixed`,
    );
    return out;
  }
  const p = (m: string) => out.problems.push(`${configFile}: ${m}`);
  if (data.heartbeat !== undefined) out.heartbeat = readHeartbeat(data.heartbeat, p);
  if (data.alerts === undefined) return out;
  if (!isObject(data.alerts)) {
    p('alerts: must be an object {"channels": {...}, "default": [...], "cooldownMinutes": 5}');
    return out;
  }
  const a = data.alerts;
  if (a.channels !== undefined && !isObject(a.channels)) p('alerts.channels: must be an object {"<name>": {"type": "webhook", ...}}');
  for (const [name, raw] of Object.entries(isObject(a.channels) ? a.channels : {})) {
    const c = readChannel(name, raw, p);
    if (c) out.channels.set(name, c);
  }
  if (a.default !== undefined) {
    if (!Array.isArray(a.default) || a.default.some((n) => typeof n !== 'string')) p(
      'alerts.default: must be a list of channel names, e.g. ["phone"]',
    );
    else {
      for (const n of a.default as string[]) if (!out.channels.has(n) && !isObject((a.channels as Raw | undefined)?.[n])) p(
        `alerts.default: no channel named "${n}" in alerts.channels`,
      );
      out.default = (a.default as string[]).filter((n) => out.channels.has(n));
    }
  } else out.default = [...out.channels.keys()];
  if (a.cooldownMinutes !== undefined) {
    if (typeof a.cooldownMinutes !== 'number' || !(a.cooldownMinutes >= 0) || a.cooldownMinutes > 1440) p(
      'alerts.cooldownMinutes: a number of minutes from 0 to 1440',
    );
    else out.cooldownMinutes = a.cooldownMinutes;
  }
  return out;
}

function readHeartbeat(raw: unknown, p: (m: string) => void): AlertsConfig['heartbeat'] {
  if (!isObject(raw) || !isHttpUrl(raw.url)) {
    p('heartbeat: must be {"url": "https://hc-ping.com/<uuid>", "everySeconds": 300}');
    return null;
  }
  const every = raw.everySeconds ?? 300;
  if (typeof every !== 'number' || !(every >= HEARTBEAT_MIN_SECONDS)) {
    p(`heartbeat.everySeconds: a number of seconds, at least ${HEARTBEAT_MIN_SECONDS}`);
    return null;
  }
  return { url: raw.url, everySeconds: every };
}

function readChannel(name: string, raw: unknown, p: (m: string) => void): ChannelConfig | null {
  const where = `alerts.channels.${name}`;
  if (!CHANNEL_NAME.test(name)) return p(`${where}: a channel name is lower-case letters, digits, "-" and "_"`), null;
  if (!isObject(raw)) return p(`${where}: must be an object with "type"`), null;
  const type = raw.type as ChannelType;
  if (!CHANNEL_TYPES.includes(type)) return p(`${where}.type: must be one of ${CHANNEL_TYPES.join(', ')}`), null;
  let wrong = 0;
  const q = (m: string) => {
    wrong++;
    p(m);
  };
  const c: ChannelConfig = { name, type };
  if (type === 'webhook' || type === 'ntfy' || type === 'slack' || type === 'discord') {
    // A Slack or Discord webhook URL is itself the credential: never in config.json.
    c.url = secretRef(raw, 'url', where, q, type === 'webhook' || type === 'ntfy', true) ?? undefined;
    if (type === 'ntfy' && (raw.tokenFile !== undefined || raw.tokenEnv !== undefined)) c.token = secretRef(
      raw, 'token', where, q, false, false,
    ) ?? undefined;
  } else if (type === 'telegram') {
    c.botToken = secretRef(raw, 'botToken', where, q, false, true) ?? undefined;
    if (typeof raw.chatId !== 'string' && typeof raw.chatId !== 'number') q(
      `${where}.chatId: the chat's id, e.g. "12345" (ask @userinfobot)`,
    );
    else c.chatId = String(raw.chatId);
    if (raw.apiBase !== undefined && !isHttpUrl(raw.apiBase)) q(`${where}.apiBase: an http(s) URL without credentials or query`);
    c.apiBase = typeof raw.apiBase === 'string' ? raw.apiBase.replace(/\/+$/, '') : TELEGRAM_API;
  } else {
    readEmail(raw, c, where, q);
  }
  return wrong > 0 ? null : c;
}

function readEmail(raw: Raw, c: ChannelConfig, where: string, q: (m: string) => void): void {
  let smtpOk = false;
  try {
    const u = new URL(String(raw.smtp));
    smtpOk = (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.username === '' && u.password === '';
  } catch {
    smtpOk = false;
  }
  if (!smtpOk) q(
    `${where}.smtp: "smtp://host:587" or "smtps://host:465", without user or password (those go in userEnv/userFile and passwordEnv/passwordFile)`,
  );
  else c.smtp = String(raw.smtp);
  if (raw.userEnv !== undefined || raw.userFile !== undefined || raw.user !== undefined) c.user = secretRef(
    raw, 'user', where, q, true, true,
  ) ?? undefined;
  if (raw.passwordEnv !== undefined || raw.passwordFile !== undefined || raw.password !== undefined) c.password = secretRef(
    raw, 'password', where, q, false, true,
  ) ?? undefined;
  if (typeof raw.from !== 'string' || !raw.from.includes('@')) q(`${where}.from: the sender's address, e.g. "clawkeeper@example.com"`);
  else c.from = raw.from;
  const to = typeof raw.to === 'string' ? [raw.to] : raw.to;
  if (!Array.isArray(to) || to.length === 0 || to.some(
    (t) => typeof t !== 'string' || !t.includes('@'),
  )) q(`${where}.to: an address or a list of addresses`);
  else c.to = to as string[];
}

/**
 * `<key>File` or `<key>Env` (exactly one; `<key>` itself only where `plainAllowed`). A plain value
 * where a secret belongs is refused with what to do instead.
 */
function secretRef(
  raw: Raw, key: string, where: string, q: (m: string) => void, plainAllowed: boolean, required: boolean,
): SecretRef | null {
  const file = raw[`${key}File`];
  const env = raw[`${key}Env`];
  const plain = raw[key];
  const given = [file, env, plain].filter((v) => v !== undefined).length;
  const field = `${where}.${key}`;
  if (plain !== undefined && !plainAllowed) {
    q(
      `${field}: a secret is never read from config.json; put it in a 0600 file named by "${key}File" or an environment variable named by "${key}Env"`,
    );
    return null;
  }
  if (given === 0) {
    if (required) q(
      `${where}: give ${plainAllowed ? `"${key}", ` : ''}"${key}File" (a 0600 file) or "${key}Env" (an environment variable)`,
    );
    return null;
  }
  if (given > 1) return q(`${where}: give only one of "${key}", "${key}File", "${key}Env"`), null;
  if (plain !== undefined) {
    if (key === 'url' && !isHttpUrl(plain)) return q(
      `${field}: an http(s) URL without user:password or query (a URL with a token goes in "urlFile" or "urlEnv")`,
    ), null;
    if (typeof plain !== 'string' || plain === '') return q(`${field}: must be a string`), null;
    return { value: plain, where: field };
  }
  if (file !== undefined) return typeof file === 'string' && file !== '' ? { file, where: `${field}File` } : (q(
    `${field}File: a path to a 0600 file`,
  ), null);
  return typeof env === 'string' && ENV_NAME.test(env) ? { env, where: `${field}Env` } : (q(
    `${field}Env: the NAME of an environment variable`,
  ), null);
}


/**
 * The secret itself, read when needed (a rotated file takes effect at the next delivery). Throws a
 * clear error that never contains the secret: a file others can read is refused, as model keys are.
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv, home: string): string {
  if (ref.value !== undefined) return ref.value;
  if (ref.env !== undefined) {
    const v = env[ref.env]?.trim();
    if (!v) throw new Error(`${ref.where}: the environment variable ${ref.env} is not set`);
    return printable(v, `${ref.where}: the environment variable ${ref.env}`);
  }
  const file = isAbsolute(ref.file!) ? ref.file! : join(home, ref.file!);
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new Error(`${ref.where}: cannot read ${file}; create it with the secret and chmod 600 it`);
  }
  if ((mode & 0o077) !== 0) throw new Error(
    `${ref.where}: ${file} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`,
  );
  // Surrounding blanks and newlines are trimmed (a secret file usually ends with one).
  const v = readFileSync(file, 'utf8').trim();
  if (!v) throw new Error(`${ref.where}: ${file} is empty`);
  return printable(v, `${ref.where}: ${file}`);
}

/**
 * A secret with a control or non-ASCII character inside is refused: it is no valid header or URL
 * part, and the error of the library that refuses it quotes it (say where, never the value).
 */
function printable(v: string, where: string): string {
  const at = v.search(/[^\x20-\x7e]/);
  if (at < 0) return v;
  const code = v.charCodeAt(at);
  const what = code < 0x20 || code === 0x7f ? (code === 0x0a ? 'a line break' : 'a control character') : 'a non-ASCII character';
  throw new Error(`${where} holds ${what} (at character ${at + 1}): a secret is one line of printable ASCII; fix it and try again`);
}

/** Every environment variable that holds an alert secret: kept out of every run's environment. */
export function alertSecretEnvNames(cfg: AlertsConfig): string[] {
  const names = new Set<string>();
  for (const c of cfg.channels.values()) for (const r of [c.url, c.token, c.botToken, c.user, c.password]) if (r?.env) names.add(r.env);
  return [...names];
}

/** Something to send to the outside (a channel or a heartbeat): the host then watches the network. */
export function alertsConfigured(configFile: string): boolean {
  const c = readAlertsConfig(configFile);
  return c.channels.size > 0 || c.heartbeat !== null;
}
