// Where OpenClaw keeps its cron jobs, read without disturbing it. Since 2026.6:
// `<state dir>/state/openclaw.sqlite`, table `cron_jobs` (the job as JSON in `job_json`, its
// runtime state in `state_json`; later releases spread the job over columns — schedule_kind,
// schedule_expr, payload_message, delivery_to… — and both are read). Before: `cron/jobs.json`
// ({version: 1, jobs}) beside `cron/jobs-state.json` (runtime state only: nothing in it maps).
// `*.migrated` copies are read only when named with --from.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sharedFolderProblem } from '../home/no-follow.ts';

/** At most this many jobs are read from a store; one with more is refused (never cut short). */
export const MAX_STORE_JOBS = 10_000;

export interface OpenClawStore {
  /** The file read. */
  source: string;
  kind: 'sqlite' | 'json';
  jobs: unknown[];
}

/** The sources looked at, in order, when --from names none. */
export function defaultSources(stateDir: string): string[] {
  return [join(stateDir, 'state', 'openclaw.sqlite'), join(stateDir, 'cron', 'jobs.json')];
}

/** Reads the jobs from `from`, or from the first default source that exists. Throws a sentence. */
export function readOpenClawStore(stateDir: string, from?: string): OpenClawStore {
  const candidates = from ? [resolve(from)] : defaultSources(stateDir);
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`no OpenClaw cron store found (looked for ${candidates.join(' and ')}); name one with --from FILE`);
  storeTrustProblem(file);
  const head = readFileSync(file).subarray(0, 16).toString('latin1');
  if (head.startsWith('SQLite format 3')) return { source: file, kind: 'sqlite', jobs: readSqliteJobs(file) };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is neither SQLite nor JSON: ${(err as Error).message}`);
  }
  const jobs = (data as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) throw new Error(`${file} is not an OpenClaw cron file: expected {"version": 1, "jobs": [...]}`);
  if (jobs.length > MAX_STORE_JOBS) throw new Error(`${file} has ${jobs.length} jobs; ClawKeeper reads at most ${MAX_STORE_JOBS}`);
  return { source: file, kind: 'json', jobs };
}

/**
 * Its command jobs become skills that run as us, so the store must be as much ours as a skill.json:
 * owned by us (or root), writable by no other user nor a group not ours, in a folder no one else can write
 * (nor the link's target's folder), and the same for SQLite's -wal and -shm beside it. Throws the
 * sentence that names the file and what to do.
 */
export function storeTrustProblem(file: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const refuse = (why: string) => {
    throw new Error(
      `refusing to read ${file}: ${why}; its command jobs would run as you. Keep the store in a folder only you can write (chmod go-w) and owned by you`,
    );
  };
  const real = realpathSync(file);
  for (const dir of new Set([dirname(resolve(file)), dirname(real)])) {
    const p = sharedFolderProblem(dir);
    if (p) refuse(p.replace(/: another user could plant .*$/, ''));
  }
  for (const f of [real, `${real}-wal`, `${real}-shm`]) {
    let st;
    try {
      st = statSync(f);
    } catch {
      continue;
    }
    if (st.uid !== uid && st.uid !== 0) refuse(`${f} belongs to another user (uid ${st.uid}, you are uid ${uid})`);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.mode & 0o002) refuse(`${f} is writable by every user (mode ${mode})`);
    // A group of one's own (a user-private group, umask 002) is as good as one's own, as for folders.
    if (st.mode & 0o020 && st.gid !== process.getgid?.()) refuse(`${f} is writable by its group (gid ${st.gid}, mode ${mode})`);
  }
}

/**
 * Read-only and briefly: OpenClaw may be running and writing. A read-only connection never takes
 * a write lock; in WAL mode (OpenClaw's) a reader does not even block its writers, and a busy
 * database is waited for at most 2 s, never retried in a loop.
 */
function readSqliteJobs(file: string): unknown[] {
  const db = new DatabaseSync(file, { readOnly: true, timeout: 2000 });
  try {
    const kind = (db.prepare("SELECT type FROM sqlite_master WHERE name = 'cron_jobs'").get() as { type?: string } | undefined)?.type;
    if (kind && kind !== 'table') throw new Error(
      `${file}: cron_jobs is a ${kind}, not a table: OpenClaw never makes one, so it is not read`,
    );
    const columns = new Set((db.prepare('PRAGMA table_info(cron_jobs)').all() as { name: string }[]).map((c) => c.name));
    if (columns.size === 0) throw new Error(`${file} has no cron_jobs table: is it OpenClaw's state database (2026.6 or later)?`);
    const rows = db.prepare(`SELECT * FROM cron_jobs LIMIT ${MAX_STORE_JOBS + 1}`).all() as Record<string, unknown>[];
    if (rows.length > MAX_STORE_JOBS) throw new Error(
      `${file}: cron_jobs has more than ${MAX_STORE_JOBS} jobs; ClawKeeper reads at most ${MAX_STORE_JOBS}`,
    );
    if (columns.has('job_json')) return rows.map((r, i) => parseJobJson(r.job_json, file, i));
    if (columns.has('schedule_kind')) return rows.map(jobFromColumns);
    throw new Error(`${file}: cron_jobs has neither job_json nor schedule_kind; this OpenClaw version is not known`);
  } finally {
    db.close();
  }
}

function parseJobJson(text: unknown, file: string, i: number): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    // One unreadable row loses nothing else: it is listed as not mapped.
    return { id: `${file}#row${i + 1}`, name: `row ${i + 1}`, schedule: {}, payload: { kind: `unreadable job_json` } };
  }
}

/** The column layout back into the job shape of src/cron/types.ts. */
function jobFromColumns(r: Record<string, unknown>): Record<string, unknown> {
  const v = (k: string) => (r[k] === null || r[k] === undefined ? undefined : r[k]);
  const json = (k: string) => {
    try {
      return typeof r[k] === 'string' ? (JSON.parse(r[k]) as unknown) : undefined;
    } catch {
      return undefined;
    }
  };
  const kind = v('schedule_kind');
  const schedule = kind === 'cron' ? {
    kind, expr: v('schedule_expr'), tz: v('schedule_tz'), staggerMs: v('stagger_ms'),
  } : kind === 'every' ? { kind, everyMs: v('every_ms'), anchorMs: v('anchor_ms') } : { kind, at: v('at') };
  const payloadKind = v('payload_kind');
  const payload = payloadKind === 'command' ? { kind: payloadKind, ...(json('payload_json') as object | undefined) } : {
    kind: payloadKind, message: v('payload_message'), model: v('payload_model'),
    fallbacks: json('payload_fallbacks_json'), thinking: v('payload_thinking'),
    timeoutSeconds: v('payload_timeout_seconds'),
  };
  const delivery = v('delivery_mode') !== undefined ? {
    mode: v('delivery_mode'), channel: v('delivery_channel'), to: v('delivery_to'),
  } : undefined;
  const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
  return strip({
    id: v('job_id'), name: v('name'), description: v('description'), enabled: v('enabled') !== 0,
    createdAtMs: v('created_at_ms'), schedule: strip(schedule), payload: strip(payload),
    delivery: delivery && strip(delivery),
  });
}
