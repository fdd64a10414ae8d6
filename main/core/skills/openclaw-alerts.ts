// An OpenClaw job's `failureAlert` → ClawKeeper's alerts (docs/alerts.md). OpenClaw's shape
// (src/cron/types.ts): `false | {after?, channel?, to?, cooldownMs?, includeSkipped?, mode?:
// "announce" | "webhook", accountId?}`. OpenClaw alerts after `after` failures in a row (default
// 2), at most once per `cooldownMs` (default 1 h), never for a job whose delivery is
// `bestEffort`; mode "webhook" POSTs to `to`, "announce" (the default) writes to a chat channel
// through OpenClaw's own account. What ClawKeeper can express is mapped: a webhook becomes a
// channel of config.json `alerts.channels` named after the skill (its URL in a 0600 file, as every
// secret: a token may sit in its path), and the skill's `"alerts": [that]`; `false` becomes
// `"alerts": false`. Everything else is listed as not carried over, with the reason.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { DEFAULT_COOLDOWN_MINUTES } from '../alerts/alert-config.ts';

/** What a job asks of alerts: none at all, or a webhook to become a channel. */
export type JobAlert = { off: string } | { webhook: string; after: string; cooldown: string };

const OPENCLAW_AFTER = 2;
const OPENCLAW_COOLDOWN_MS = 3_600_000;
type Raw = Record<string, unknown>;
// Every plan line goes through the CLI's oneLine; this only keeps a note short.
const short = (v: unknown, n: number) => String(v).slice(0, n);
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const minutes = (ms: number) => `${Math.round((ms / 60_000) * 100) / 100} min`;

/** Pure. Sets `alerts: false` where OpenClaw sends no alert; pushes a note for every part not carried over. */
export function mapFailureAlert(job: Raw, manifest: Raw, notes: string[], cooldownMinutes = DEFAULT_COOLDOWN_MINUTES): JobAlert | null {
  const fa = job.failureAlert;
  if (fa === undefined || fa === null) return null;
  if (fa === false) {
    manifest.alerts = false;
    return { off: 'failureAlert: false' };
  }
  if (!isObject(fa)) {
    notes.push(`failureAlert ${short(JSON.stringify(fa), 40)} not carried over: OpenClaw knows false or an object`);
    return null;
  }
  const delivery = isObject(job.delivery) ? job.delivery : {};
  if (delivery.bestEffort === true) {
    manifest.alerts = false;
    return { off: 'delivery.bestEffort: OpenClaw sends no failure alert for such a job' };
  }
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? short(v.trim(), 120) : null);
  if (fa.mode !== 'webhook') {
    // OpenClaw's chat channels send through its own bot accounts: ClawKeeper has not their credentials.
    const where = [str(fa.channel) ?? str(delivery.channel) ?? 'last', str(fa.to) ?? str(delivery.to)].filter(Boolean).join(' ');
    notes.push(
      `failureAlert to chat (${where}) not carried over: a ClawKeeper channel holds its own credentials; add a slack, discord, telegram or email channel to config.json alerts.channels and name it in the skill's "alerts" (until then alerts.default serves it)`,
    );
    return null;
  }
  const to = typeof fa.to === 'string' ? fa.to.trim() : '';
  if (!/^https?:\/\/[^\s]+$/i.test(to) || !URL.canParse(to)) {
    notes.push(`failureAlert webhook ${to ? `"${short(to, 80)}" ` : ''}not carried over: not an http(s) URL`);
    return null;
  }
  const after = typeof fa.after === 'number' && fa.after >= 1 ? Math.floor(fa.after) : OPENCLAW_AFTER;
  const afterWords = `${after}${typeof fa.after === 'number' ? '' : " (OpenClaw's default)"}`;
  if (after !== 1) notes.push(
    `failureAlert.after ${afterWords} not carried over: ClawKeeper alerts at the first failing outcome of a run (after the skill's own retries), not after ${after} failures in a row; its cooldown holds back the repeats`,
  );
  const cooldownMs = typeof fa.cooldownMs === 'number' && fa.cooldownMs >= 0 ? Math.floor(fa.cooldownMs) : OPENCLAW_COOLDOWN_MS;
  const cooldownWords = `${minutes(cooldownMs)}${typeof fa.cooldownMs === 'number' ? '' : " (OpenClaw's default)"}`;
  const same = cooldownMs === cooldownMinutes * 60_000;
  if (!same) notes.push(
    `failureAlert.cooldownMs ${cooldownWords} not carried over: ClawKeeper has one cooldown for every alert (config.json alerts.cooldownMinutes, now ${cooldownMinutes} min); changing it would change every skill's alerts`,
  );
  if (fa.includeSkipped === true) notes.push(
    'failureAlert.includeSkipped not carried over: a skipped slot raises no skill-failing alert here (a late skill is told as skill-late)',
  );
  if (fa.accountId !== undefined) notes.push("failureAlert.accountId not carried over: it names one of OpenClaw's chat accounts");
  return {
    webhook: to, after: after === 1 ? 'at the first failure, as after 1' : 'at the first failure',
    cooldown: same
      ? `cooldown ${minutes(cooldownMs)}, as alerts.cooldownMinutes`
      : `cooldown alerts.cooldownMinutes (${cooldownMinutes} min)`,
  };
}

/** config.json's alert channels as written (raw: a channel the reader would refuse still takes its name). */
export interface AlertChannels {
  home: string;
  configFile: string;
  channels: Raw;
  /** `alerts.default` was absent: every channel served every skill. */
  defaultAbsent: boolean;
  /** config.json cannot be changed safely (not JSON, or alerts not an object). */
  problem: string | null;
}

export function readAlertChannels(home: string): AlertChannels {
  const configFile = join(home, 'config.json');
  const out: AlertChannels = { home, configFile, channels: {}, defaultAbsent: true, problem: null };
  let data: unknown = {};
  try {
    data = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') out.problem = `${configFile} is not readable JSON`;
    return out;
  }
  const alerts = isObject(data) ? data.alerts : undefined;
  if (!isObject(data) || (alerts !== undefined && !isObject(alerts))
    || (isObject(alerts) && alerts.channels !== undefined && !isObject(alerts.channels))) {
    out.problem = `${configFile}: alerts or alerts.channels is not an object`;
    return out;
  }
  out.channels = isObject(alerts) && isObject(alerts.channels) ? alerts.channels : {};
  out.defaultAbsent = !isObject(alerts) || alerts.default === undefined;
  return out;
}

export interface ChannelPlan {
  name: string;
  /**
   * create: write it; unchanged: there as the import wrote it; kept: ours, its URL file edited
   * since; refused: not ours or not writable.
   */
  action: 'create' | 'unchanged' | 'kept' | 'refused';
  entry: Raw;
  /** The URL: written to `secretFile` only, never to config.json or a plan line. */
  url: string;
  secretFile: string;
  /** The URL without its path and query, for plan lines. */
  shown: string;
  why?: string;
}

/** The channel a skill's webhook alert becomes: never overwrites a channel or a file. */
export function planChannel(skill: string, url: string, now: AlertChannels): ChannelPlan {
  const secretFile = `secrets/alert-${skill}.url`;
  const entry = { type: 'webhook', urlFile: secretFile };
  const plan: ChannelPlan = { name: skill, action: 'create', entry, url, secretFile, shown: `${new URL(url).origin}/…` };
  if (now.problem) return { ...plan, action: 'refused', why: `${now.problem}; fix it and import again` };
  const existing = now.channels[skill];
  const file = join(now.home, secretFile);
  if (existing !== undefined && !isDeepStrictEqual(existing, entry)) return {
    ...plan, action: 'refused', why: `config.json already has a channel "${skill}" of its own: left as it is`,
  };
  if (!existsSync(file)) return plan;
  let held = '';
  try {
    held = readFileSync(file, 'utf8').trim();
  } catch {
    held = '';
  }
  if (held !== url) return {
    ...plan, action: existing === undefined ? 'refused' : 'kept',
    why: `${secretFile} holds another URL: left as it is (remove it and import again to take the job's)`,
  };
  return { ...plan, action: existing === undefined ? 'create' : 'unchanged' };
}

/**
 * Writes the channels to create: each URL to its 0600 file (never over a file), then config.json
 * at once (atomically, its other keys as they were). When `alerts.default` was absent every
 * channel served every skill: it is set to the channels there before, so a job's webhook hears
 * only of its skill. Throws a sentence when config.json changed under us into something unsafe.
 */
export function writeChannels(plans: ChannelPlan[], now: AlertChannels): string[] {
  const todo = plans.filter((p) => p.action === 'create');
  if (todo.length === 0) return [];
  const fresh = readAlertChannels(now.home);
  if (fresh.problem) throw new Error(`alert channels not written: ${fresh.problem}`);
  let data: Raw = {};
  if (existsSync(now.configFile)) data = JSON.parse(readFileSync(now.configFile, 'utf8')) as Raw;
  const alerts: Raw = isObject(data.alerts) ? data.alerts : {};
  const channels: Raw = isObject(alerts.channels) ? alerts.channels : {};
  if (alerts.default === undefined) alerts.default = Object.keys(channels);
  mkdirSync(join(now.home, 'secrets'), { recursive: true, mode: 0o700 });
  for (const p of todo) {
    const file = join(now.home, p.secretFile);
    if (!existsSync(file)) writeFileSync(file, `${p.url}\n`, { mode: 0o600, flag: 'wx' });
    if (channels[p.name] === undefined) channels[p.name] = p.entry;
  }
  data.alerts = { ...alerts, channels };
  writeFileAtomic.sync(now.configFile, JSON.stringify(data, null, 2) + '\n', {
    fsync: false, ...(existsSync(now.configFile) ? {} : { mode: 0o600 }),
  });
  return todo.map((p) => p.name);
}
