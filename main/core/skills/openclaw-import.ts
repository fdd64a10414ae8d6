// OpenClaw's cron jobs → ClawKeeper skills. The job shape (OpenClaw src/cron/types.ts): {id, name,
// description?, enabled, createdAtMs, schedule, sessionTarget, wakeMode, payload, delivery?,
// failureAlert?} with schedule {kind:"cron", expr, tz?, staggerMs?} | {kind:"every", everyMs,
// anchorMs?} | {kind:"at", at} (older files: {kind:"at", atMs}); payload {kind:"agentTurn",
// message, model?, fallbacks?, thinking?, timeoutSeconds?, ...} | {kind:"command", argv | command
// + args, cwd?, env?, input?, timeoutSeconds?, outputMaxBytes?} | {kind:"systemEvent", text};
// delivery {mode: none|announce|webhook, channel?, to?}; failureAlert (openclaw-alerts.ts). Pure:
// openclaw-store.ts reads the files.
// Every field that is not carried over is listed per job, never dropped silently.
import { checkCron } from '../scheduling/cron.ts';
import { ISO_WITH_OFFSET } from '../scheduling/slots.ts';
import { SKILL_NAME } from './skill-schema.ts';
import { mapFailureAlert, type JobAlert } from './openclaw-alerts.ts';

export interface MappedJob {
  jobId: string;
  jobName: string;
  /** The skill name before collisions are resolved. */
  baseName: string;
  manifest: Record<string, unknown>;
  /** What was carried over only in part, or not at all, each with the reason. */
  notes: string[];
  /** Where the job's output goes (delivery.to; a webhook URL as its origin only): shown in every plan. */
  destination: string | null;
  /** Its failureAlert as ClawKeeper can have it (openclaw-alerts.ts), or null. */
  alert: JobAlert | null;
}

export interface UnmappedJob {
  jobId: string;
  jobName: string;
  reason: string;
  destination: string | null;
}

/** Job and payload fields handled below; any other is listed as not carried over. */
const JOB_FIELDS = new Set([
  'id', 'name', 'description', 'enabled', 'createdAtMs', 'updatedAtMs', 'schedule', 'payload', 'delivery', 'state',
  'sessionTarget', 'wakeMode', 'failureAlert',
]);
const PAYLOAD_FIELDS: Record<string, Set<string>> = {
  agentTurn: new Set(['kind', 'message', 'timeoutSeconds', 'model', 'deliver', 'channel', 'to']),
  command: new Set(['kind', 'argv', 'command', 'args', 'env', 'timeoutSeconds']),
};

/** No line breaks or other control characters: a job's text must not forge lines of a plan. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** config.json's models by name (only the model id matters here). */
export type KnownModels = Record<string, { model: string }>;

/** `cooldownMinutes`: config.json alerts.cooldownMinutes, which a job's failureAlert cooldown must equal to be carried over. */
export function mapOpenClawJobs(
  jobs: unknown[], now = Date.now(), models: KnownModels = {}, cooldownMinutes?: number,
): { mapped: MappedJob[]; unmapped: UnmappedJob[] } {
  const mapped: MappedJob[] = [];
  const unmapped: UnmappedJob[] = [];
  jobs.forEach((raw: unknown, i) => {
    const job = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const jobId = oneLine(typeof job.id === 'string' ? job.id : `#${i + 1}`).slice(0, 200);
    const jobName = oneLine(typeof job.name === 'string' ? job.name : jobId).slice(0, 200);
    const r = mapJob(job, jobId, jobName, now, models, cooldownMinutes);
    if ('reason' in r) unmapped.push({ jobId, jobName, reason: oneLine(r.reason), destination: destinationOf(job) });
    else mapped.push(r);
  });
  return { mapped, unmapped };
}

function mapJob(
  job: Record<string, unknown>, jobId: string, jobName: string, now: number, models: KnownModels,
  cooldownMinutes?: number,
): MappedJob | { reason: string } {
  const payload = (job.payload ?? {}) as Record<string, unknown>;
  const notes: string[] = [];
  if (payload.kind === 'systemEvent') return {
    reason: "a systemEvent is injected into OpenClaw's main session at its next heartbeat: it needs OpenClaw's own agent, which ClawKeeper does not have",
  };
  const schedule = mapSchedule((job.schedule ?? {}) as Record<string, unknown>, job, notes);
  if ('reason' in schedule) return schedule;
  const what = payload.kind === 'agentTurn'
    ? mapAgentTurn(payload, notes, models)
    : payload.kind === 'command' ? mapCommand(payload, notes) : {
    reason: `payload kind ${JSON.stringify(payload.kind)} is not known (agentTurn and command map)`,
  };
  if ('reason' in what) return what;
  const manifest: Record<string, unknown> = {
    name: '',
    description: (typeof job.description === 'string' && job.description
      ? job.description
      : `Imported from OpenClaw job "${jobName}" (${jobId})`).slice(0, 500),
    ...schedule.ok,
    ...what.ok,
  };
  if (job.enabled === false) manifest.enabled = false;
  if (typeof manifest.at === 'string' && Date.parse(manifest.at) <= now) {
    // OpenClaw has run it (or let it pass) already: here it is recorded as missed, never run again.
    manifest.catchUp = 'skip';
    notes.push(`at ${manifest.at} has passed: imported with catchUp "skip", so it is recorded as missed and done, not run`);
  }
  const destination = mapDelivery(job, payload, manifest, notes);
  const alert = mapFailureAlert(job, manifest, notes, cooldownMinutes);
  for (const k of Object.keys(job)) if (!JOB_FIELDS.has(k)) notes.push(`${oneLine(k)} not carried over: ClawKeeper has no equivalent`);
  const known = PAYLOAD_FIELDS[String(payload.kind)] ?? new Set();
  for (const [k, v] of Object.entries(payload)) {
    if (!known.has(k) && !notes.some((n) => n.startsWith(`payload.${k} `))) notes.push(
      `payload.${oneLine(k)}=${oneLine(JSON.stringify(v) ?? '').slice(0, 120)} not carried over: ClawKeeper has no equivalent`,
    );
  }
  return { jobId, jobName, baseName: skillNameFor(jobName, jobId), manifest, notes, destination, alert };
}

function mapSchedule(
  s: Record<string, unknown>, job: Record<string, unknown>, notes: string[],
): { ok: Record<string, unknown> } | { reason: string } {
  if (s.kind === 'cron') {
    if (typeof s.expr !== 'string') return { reason: 'cron schedule without an expression' };
    const timezone = typeof s.tz === 'string' && s.tz !== '' ? s.tz : undefined;
    const c = checkCron(s.expr, timezone);
    if (!c.ok) return { reason: `cron "${oneLine(s.expr)}": ${c.message}` };
    if (!timezone) notes.push("no tz: OpenClaw used the gateway host's zone, and so does ClawKeeper (the machine's zone)");
    const out: Record<string, unknown> = { schedule: s.expr, ...(timezone ? { timezone } : {}) };
    if (typeof s.staggerMs === 'number' && s.staggerMs > 0) {
      out.jitterSeconds = Math.min(86400, Math.ceil(s.staggerMs / 1000));
      notes.push(
        `staggerMs=${s.staggerMs} → jitterSeconds ${String(out.jitterSeconds)}: the same window; each slot's delay within it is ClawKeeper's own`,
      );
    }
    return { ok: out };
  }
  if (s.kind === 'every') {
    const every = everyText(Number(s.everyMs));
    if (!every) return { reason: `every: everyMs ${oneLine(String(s.everyMs))} is not a whole number of seconds of at least 1 s` };
    // OpenClaw counts from anchorMs, else from when the job was created.
    const anchorMs = typeof s.anchorMs === 'number' ? s.anchorMs : typeof job.createdAtMs === 'number' ? job.createdAtMs : null;
    return { ok: { every, ...(anchorMs !== null ? { anchor: new Date(anchorMs).toISOString() } : {}) } };
  }
  if (s.kind === 'at') {
    const raw = typeof s.at === 'string' ? s.at : typeof s.atMs === 'number' ? new Date(s.atMs).toISOString() : null;
    if (raw === null) return { reason: 'at schedule without a time' };
    // OpenClaw reads a time without an offset as UTC.
    const at = ISO_WITH_OFFSET.test(raw) ? raw : `${raw}Z`;
    if (!ISO_WITH_OFFSET.test(at) || Number.isNaN(Date.parse(at))) return { reason: `at "${oneLine(raw)}" is not an ISO time` };
    return { ok: { at } };
  }
  return { reason: `schedule kind ${oneLine(JSON.stringify(s.kind) ?? 'none')} is not known` };
}

/** A configured model for OpenClaw's "provider/model" (or alias): by name, by model id, or by the id after the provider. */
function modelFor(wanted: string, models: KnownModels): string | null {
  const bare = wanted.includes('/') ? wanted.slice(wanted.indexOf('/') + 1) : wanted;
  const hit = Object.entries(models).find(([name, m]) => name === wanted || m.model === wanted || m.model === bare);
  return hit && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(hit[0]) ? hit[0] : null;
}

function mapAgentTurn(
  p: Record<string, unknown>, notes: string[], models: KnownModels,
): { ok: Record<string, unknown> } | { reason: string } {
  if (typeof p.message !== 'string' || p.message.trim() === '') return { reason: 'the agentTurn has no message to send' };
  const out: Record<string, unknown> = { prompt: p.message, model: true };
  if (typeof p.timeoutSeconds === 'number' && p.timeoutSeconds > 0) out.timeoutSeconds = Math.min(p.timeoutSeconds, 86400);
  const model = typeof p.model === 'string' ? modelFor(p.model, models) : null;
  if (model) out.model = model;
  else if (typeof p.model === 'string') notes.push(
    `payload.model "${oneLine(p.model)}" not carried over: no model of config.json "models" has that name or id, so the skill uses models.default; add it there and name it in the skill.json`,
  );
  if (p.fallbacks !== undefined) notes.push(
    `payload.fallbacks ${oneLine(JSON.stringify(p.fallbacks))} not carried over: a ClawKeeper model has no fallbacks (transient errors are retried within the run)`,
  );
  if (p.thinking !== undefined) notes.push(
    `payload.thinking ${oneLine(JSON.stringify(p.thinking))} not carried over: ClawKeeper's model config has no thinking level`,
  );
  return { ok: out };
}

function mapCommand(p: Record<string, unknown>, notes: string[]): { ok: Record<string, unknown> } | { reason: string } {
  const args: unknown[] = Array.isArray(p.args) ? (p.args as unknown[]) : [];
  const argv: unknown[] | null = Array.isArray(p.argv)
    ? (p.argv as unknown[])
    : typeof p.command === 'string' ? [p.command, ...args] : null;
  if (!argv || argv.length === 0 || !argv.every((a) => typeof a === 'string')) return {
    reason: 'the command payload has no argv (an array of strings)',
  };
  const out: Record<string, unknown> = { command: argv };
  if (typeof p.timeoutSeconds === 'number' && p.timeoutSeconds > 0) out.timeoutSeconds = Math.min(p.timeoutSeconds, 86400);
  if (p.env && typeof p.env === 'object') {
    const env = Object.entries(p.env as Record<string, unknown>).filter(
      ([k, v]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && typeof v === 'string',
    );
    if (env.length > 0) out.env = Object.fromEntries(env);
    if (env.length < Object.keys(p.env).length) notes.push('payload.env: entries that are not NAME=string not carried over');
  }
  if (p.cwd !== undefined) notes.push(
    `payload.cwd ${oneLine(JSON.stringify(p.cwd))} not carried over: a command skill runs in its own folder; cd in the command if it needs another`,
  );
  if (p.input !== undefined) notes.push('payload.input not carried over: a command skill gets no standard input');
  return { ok: out };
}

/** delivery and the older payload.deliver/channel/to: mapped where ClawKeeper can; the destination is always returned. */
function mapDelivery(
  job: Record<string, unknown>, p: Record<string, unknown>, manifest: Record<string, unknown>, notes: string[],
): string | null {
  const d = (job.delivery ?? {}) as Record<string, unknown>;
  const to = typeof d.to === 'string' ? d.to : typeof p.to === 'string' ? p.to : null;
  const destination = destinationOf(job);
  if (d.mode === 'webhook') {
    if (to && /^https?:\/\//.test(to) && typeof manifest.prompt === 'string') manifest.deliver = { webhook: to };
    else notes.push(
      `webhook delivery${to ? ` to ${shownUrl(to)}` : ''} not carried over: ${typeof manifest.prompt === 'string' ? 'not an http(s) URL' : 'only a prompt skill delivers its reply'}`,
    );
  } else if (d.mode === 'announce' || p.deliver === true) {
    notes.push(
      `chat delivery (announce${destination ? ` to ${destination}` : ''}) not carried over: ClawKeeper has no chat channels; the reply is saved under outputs/ (or add deliver.webhook)`,
    );
  }
  return destination;
}

/** Where a job's output goes: delivery (or the older payload) channel and `to`, on one line. */
function destinationOf(job: Record<string, unknown>): string | null {
  const d = (job.delivery ?? {}) as Record<string, unknown>;
  const p = (job.payload ?? {}) as Record<string, unknown>;
  const to = typeof d.to === 'string' ? d.to : typeof p.to === 'string' ? p.to : null;
  const channel = typeof d.channel === 'string' ? d.channel : typeof p.channel === 'string' ? p.channel : null;
  return [channel, to === null ? null : shownUrl(to)].filter((x) => x !== null).map((x) => oneLine(x)).join(' ') || null;
}

/** A URL as a plan shows it: its origin only (a webhook's path or query is often its secret); any other text as it is. */
export function shownUrl(text: string): string {
  if (!/^https?:\/\//i.test(text)) return oneLine(text);
  try {
    const u = new URL(text);
    return u.pathname === '/' && !u.search && !u.hash && !u.username ? u.origin : `${u.origin}/…`;
  } catch {
    return 'an unreadable URL';
  }
}

/** everyMs as ClawKeeper's "7m": the largest unit that divides it; null under a second or off whole seconds. */
export function everyText(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < 1000 || ms % 1000 !== 0) return null;
  for (const [unit, size] of [
    ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000],
  ] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}

/** A valid, readable skill name from a job name. */
export function skillNameFor(jobName: string, jobId: string): string {
  const slug = (s: string) => s.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56).replace(/-+$/, '');
  let name = slug(jobName) || `openclaw-${slug(jobId) || 'job'}`;
  if (name === 'status') name = 'status-job';
  return SKILL_NAME.test(name) ? name : `openclaw-${name}`.slice(0, 56);
}
