// OpenClaw's cron/jobs.json → ClawKeeper prompt skills. The shape (OpenClaw src/cron/types.ts):
// {version: 1, jobs: [{id, name, description?, enabled, schedule, sessionTarget, payload, delivery?}]}
// with schedule {kind:"cron", expr, tz?, staggerMs?} | {kind:"every", everyMs, anchorMs?} |
// {kind:"at", at} (older files: {kind:"at", atMs}), payload {kind:"agentTurn", message, model?,
// timeoutSeconds?, ...} | {kind:"systemEvent", text}, delivery {mode: none|announce|webhook, to?}.
// Pure: the CLI reads and writes the files.
import { checkCron } from '../scheduling/cron.ts';
import { SKILL_NAME } from './skill-schema.ts';

export interface MappedJob {
  jobId: string;
  jobName: string;
  /** The skill name before collisions are resolved. */
  baseName: string;
  manifest: Record<string, unknown>;
  /** What was carried over only in part, each with the reason. */
  notes: string[];
}

export interface UnmappedJob {
  jobId: string;
  jobName: string;
  reason: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function mapOpenClawJobs(data: unknown): { mapped: MappedJob[]; unmapped: UnmappedJob[] } {
  const jobs = (data as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) throw new Error('not an OpenClaw cron file: expected {"version": 1, "jobs": [...]}');
  const mapped: MappedJob[] = [];
  const unmapped: UnmappedJob[] = [];
  jobs.forEach((raw: unknown, i) => {
    const job = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const jobId = typeof job.id === 'string' ? job.id : `#${i + 1}`;
    const jobName = typeof job.name === 'string' ? job.name : jobId;
    const r = mapJob(job, jobId, jobName);
    if ('reason' in r) unmapped.push({ jobId, jobName, reason: r.reason });
    else mapped.push(r);
  });
  return { mapped, unmapped };
}

function mapJob(job: Record<string, unknown>, jobId: string, jobName: string): MappedJob | { reason: string } {
  const payload = (job.payload ?? {}) as Record<string, unknown>;
  const schedule = (job.schedule ?? {}) as Record<string, unknown>;
  const notes: string[] = [];
  if (payload.kind === 'systemEvent') return { reason: "a systemEvent is injected into OpenClaw's main session at its next heartbeat; ClawKeeper has no main agent session to inject into" };
  if (payload.kind !== 'agentTurn') return { reason: `payload kind ${JSON.stringify(payload.kind)} is not known (only agentTurn maps to a prompt skill)` };
  if (typeof payload.message !== 'string' || payload.message.trim() === '') return { reason: 'the agentTurn has no message to send' };

  let cron: string;
  let timezone: string | undefined;
  if (schedule.kind === 'cron') {
    if (typeof schedule.expr !== 'string') return { reason: 'cron schedule without an expression' };
    timezone = typeof schedule.tz === 'string' && schedule.tz !== '' ? schedule.tz : undefined;
    const c = checkCron(schedule.expr, timezone);
    if (!c.ok) return { reason: `cron "${schedule.expr}": ${c.message}` };
    cron = schedule.expr;
    if (typeof schedule.staggerMs === 'number' && schedule.staggerMs > 0) notes.push(`staggerMs=${schedule.staggerMs} not mapped: runs at the exact time`);
    if (!timezone) notes.push("no tz: OpenClaw used the gateway host's zone, and so does ClawKeeper (the machine's zone)");
  } else if (schedule.kind === 'every') {
    const anchor = typeof schedule.anchorMs === 'number' ? schedule.anchorMs : typeof job.createdAtMs === 'number' ? job.createdAtMs : 0;
    const c = everyToCron(Number(schedule.everyMs), anchor);
    if ('reason' in c) return c;
    cron = c.cron;
    timezone = 'UTC';
  } else if (schedule.kind === 'at') {
    return { reason: 'a one-shot job (at): ClawKeeper schedules recurring skills; run a prompt skill once with `clawkeeper run <name>` instead' };
  } else {
    return { reason: `schedule kind ${JSON.stringify(schedule.kind)} is not known` };
  }

  const manifest: Record<string, unknown> = {
    name: '',
    description: (typeof job.description === 'string' && job.description ? job.description : `Imported from OpenClaw job "${jobName}" (${jobId})`).slice(0, 500),
    schedule: cron,
    ...(timezone ? { timezone } : {}),
    prompt: payload.message,
    model: true,
  };
  if (typeof payload.timeoutSeconds === 'number' && payload.timeoutSeconds > 0) manifest.timeoutSeconds = Math.min(payload.timeoutSeconds, 86400);
  if (job.enabled === false) manifest.enabled = false;
  if (typeof payload.model === 'string') notes.push(`model override "${payload.model}" not mapped: the skill uses config.json models.default; name another configured model in its skill.json`);
  const delivery = (job.delivery ?? {}) as Record<string, unknown>;
  if (delivery.mode === 'webhook') {
    if (typeof delivery.to === 'string' && /^https?:\/\//.test(delivery.to)) manifest.deliver = { webhook: delivery.to };
    else notes.push('webhook delivery without an http(s) URL: not mapped');
  } else if (delivery.mode === 'announce' || payload.deliver === true) {
    const where = [delivery.channel ?? payload.channel, delivery.to ?? payload.to].filter((x) => typeof x === 'string').join(' ');
    notes.push(`chat delivery (announce${where ? ` to ${where}` : ''}) not mapped: ClawKeeper has no chat channels; the reply is saved under outputs/ (or add deliver.webhook)`);
  }
  return { jobId, jobName, baseName: skillNameFor(jobName, jobId), manifest, notes };
}

/** An interval as a cron expression, where it divides the minute, hour or day evenly (in UTC). */
export function everyToCron(everyMs: number, anchorMs: number): { cron: string } | { reason: string } {
  if (!Number.isFinite(everyMs) || everyMs <= 0) return { reason: 'every: everyMs is not a positive number' };
  const offset = ((anchorMs % everyMs) + everyMs) % everyMs;
  const list = (period: number, step: number, first: number) => Array.from({ length: period / step }, (_, k) => first + k * step).join(',');
  if (everyMs < MINUTE) {
    const s = everyMs / 1000;
    if (!Number.isInteger(s) || 60 % s !== 0) return { reason: `every ${everyMs} ms does not divide a minute evenly in whole seconds` };
    if (offset % 1000 !== 0) return { reason: `every ${s} s anchored off a whole second` };
    return { cron: `${s === 1 ? '*' : list(60, s, offset / 1000)} * * * * *` };
  }
  if (everyMs % MINUTE !== 0 || offset % MINUTE !== 0) return { reason: `every ${everyMs} ms is not in whole minutes (cron counts minutes)` };
  if (everyMs < HOUR) {
    const m = everyMs / MINUTE;
    if (60 % m !== 0) return { reason: `every ${m} minutes does not divide an hour evenly, so no cron expression repeats it exactly` };
    return { cron: `${m === 1 ? '*' : list(60, m, offset / MINUTE)} * * * *` };
  }
  if (everyMs <= DAY && everyMs % HOUR === 0) {
    const h = everyMs / HOUR;
    if (24 % h !== 0) return { reason: `every ${h} hours does not divide a day evenly, so no cron expression repeats it exactly` };
    const minute = (offset % HOUR) / MINUTE;
    const firstHour = Math.floor(offset / HOUR);
    return { cron: `${minute} ${h === 1 ? '*' : list(24, h, firstHour)} * * *` };
  }
  if (everyMs < DAY) return { reason: `every ${everyMs / MINUTE} minutes crosses hours unevenly, so no cron expression repeats it exactly` };
  return { reason: `every ${everyMs / DAY} days: months and years do not divide evenly into it, so no cron expression repeats it exactly` };
}

/** A valid, readable skill name from a job name. */
export function skillNameFor(jobName: string, jobId: string): string {
  const slug = (s: string) => s.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56).replace(/-+$/, '');
  let name = slug(jobName) || `openclaw-${slug(jobId) || 'job'}`;
  if (name === 'status') name = 'status-job';
  return SKILL_NAME.test(name) ? name : `openclaw-${name}`.slice(0, 56);
}
