// OpenClaw cron stores built from OpenClaw's own shapes (src/cron/types.ts; the 2026.6 state
// database keeps each job as JSON in cron_jobs.job_json and its runtime state in state_json;
// later releases spread it over columns), for the import tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export type Job = Record<string, unknown> & { id: string };

export const cronJob = (id: string, name: string, over: Record<string, unknown> = {}): Job => ({
  id, name, enabled: true, createdAtMs: 1_767_225_600_000, updatedAtMs: 1_767_225_600_000,
  schedule: { kind: 'cron', expr: '0 7 * * *', tz: 'Europe/Berlin' }, sessionTarget: 'isolated', wakeMode: 'now',
  payload: { kind: 'agentTurn', message: `Do ${name}.` }, state: {}, ...over,
});

/** `<stateDir>/state/openclaw.sqlite`, job_json layout, in WAL mode as OpenClaw runs it. Returns its path. */
export function writeSqliteStore(stateDir: string, jobs: Job[]): string {
  mkdirSync(join(stateDir, 'state'), { recursive: true });
  const file = join(stateDir, 'state', 'openclaw.sqlite');
  const db = new DatabaseSync(file);
  db.exec(
    'PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS cron_jobs (id TEXT PRIMARY KEY, job_json TEXT NOT NULL, state_json TEXT, updated_at_ms INTEGER NOT NULL); DELETE FROM cron_jobs;',
  );
  const put = db.prepare('INSERT INTO cron_jobs (id, job_json, state_json, updated_at_ms) VALUES (?, ?, ?, ?)');
  db.exec('BEGIN');
  for (const j of jobs) {
    const { state, ...job } = j;
    put.run(j.id, JSON.stringify(job), JSON.stringify(state ?? {}), Date.now());
  }
  db.exec('COMMIT');
  db.close();
  return file;
}

/** The column layout of later releases (a subset of its columns: the ones the import reads). */
export function writeColumnStore(file: string, rows: Record<string, string | number | null>[]): void {
  const db = new DatabaseSync(file);
  db.exec(`CREATE TABLE cron_jobs (store_key TEXT NOT NULL, job_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
    enabled INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, schedule_kind TEXT NOT NULL, schedule_expr TEXT, schedule_tz TEXT,
    every_ms INTEGER, anchor_ms INTEGER, at TEXT, stagger_ms INTEGER, session_target TEXT NOT NULL, wake_mode TEXT NOT NULL,
    payload_kind TEXT NOT NULL, payload_message TEXT, payload_model TEXT, payload_fallbacks_json TEXT, payload_thinking TEXT,
    payload_timeout_seconds INTEGER, delivery_mode TEXT, delivery_channel TEXT, delivery_to TEXT)`);
  for (const r of rows) {
    const row = { store_key: 'default', session_target: 'isolated', wake_mode: 'now', enabled: 1, created_at_ms: 0, ...r };
    const keys = Object.keys(row);
    db.prepare(`INSERT INTO cron_jobs (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`).run(...Object.values(row));
  }
  db.close();
}

/** `<stateDir>/cron/jobs.json` + `jobs-state.json`, the layout before 2026.6. */
export function writeJsonStore(stateDir: string, jobs: Job[]): string {
  mkdirSync(join(stateDir, 'cron'), { recursive: true });
  const file = join(stateDir, 'cron', 'jobs.json');
  writeFileSync(file, JSON.stringify({ version: 1, jobs: jobs.map(({ state: _s, ...j }) => j) }));
  writeFileSync(join(stateDir, 'cron', 'jobs-state.json'), JSON.stringify(Object.fromEntries(jobs.map((j) => [j.id, j.state ?? {}]))));
  return file;
}
