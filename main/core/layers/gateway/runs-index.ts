// Every skill's runs, as rows (a start and its end joined), read from the ledgers and kept in
// memory between requests: the newest RUNS_KEPT of each skill, so the gateway's memory stays
// bounded (ledgers rotate at 2 MB, two generations: up to ~10,000 runs a skill). A ledger that
// grew is read from where the last read stopped (ledgers are append-only until they rotate); one
// that rotated or shrank is read again whole. So a request costs one stat per ledger plus the new
// lines, not a parse of every ledger: with 200 skills and 10,000 runs the first request takes
// ~0.4 s on a loaded 2-core machine and the next ones ~10 ms (bench/dashboard.ts).
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEnd, LedgerEntry, LedgerStart } from '../../../common/types.ts';
import { rotatedName } from '../../home/jsonl.ts';
import { isLedgerEntry } from '../../runs/ledger.ts';

/** One run as the dashboard lists it. `outcome` null: still running (or its end was never written). */
export interface RunRow {
  run_id: string;
  skill: string;
  slot: string | null;
  trigger: string;
  attempt: number;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  outcome: string | null;
  error?: string;
  exit_code?: number | null;
  /** Tokens the run's model calls used (null: no model call). */
  tokens: number | null;
  /** A prompt skill's delivery (null: nothing to deliver). */
  delivery: { status: 'delivered' | 'failed'; error?: string } | null;
  /** A prompt skill's saved reply, relative to the home (null: none). */
  output: string | null;
  probe?: true;
}

export function rowFromStart(e: LedgerStart | LedgerEnd): RunRow {
  return {
    run_id: e.run_id, skill: e.skill, slot: e.slot, trigger: e.trigger, attempt: e.attempt, started_at: e.started_at,
    ended_at: null, duration_ms: null, outcome: null, tokens: null, delivery: null, output: null,
  };
}

/** A row once its end entry is read. */
export function withEnd(r: RunRow, e: LedgerEnd): RunRow {
  return {
    ...r,
    ended_at: e.ended_at,
    duration_ms: e.duration_ms,
    outcome: e.outcome,
    ...(e.error ? { error: e.error } : {}),
    exit_code: e.exit_code,
    tokens: e.usage?.total_tokens ?? null,
    delivery: e.delivery ?? null,
    output: e.output ?? null,
    ...(e.breaker_probe ? { probe: true as const } : {}),
  };
}

interface FileState {
  size: number;
  mtimeMs: number;
  ino: number;
}

interface SkillRuns {
  current: FileState | null;
  rotated: FileState | null;
  /** Bytes of the current file already read (up to its last complete line). */
  offset: number;
  /** In ledger order (oldest first). */
  rows: RunRow[];
  byId: Map<string, RunRow>;
  /** Older rows were let go (more than RUNS_KEPT). */
  trimmed: boolean;
}

/** Rows kept per skill (the newest); the runs view says when a skill has more. */
export const RUNS_KEPT = 1000;

export interface RunsQuery {
  skill?: string;
  outcome?: string;
  trigger?: string;
  /** ISO times, on started_at: from inclusive, to exclusive. */
  from?: number;
  to?: number;
  offset: number;
  limit: number;
}

export interface RunsPage {
  runs: RunRow[];
  /** Matching runs in all (for "page 3 of 12"), among the newest RUNS_KEPT of each skill. */
  total: number;
  /** Some skill in the view has older runs than the ones kept (the count is a floor). */
  capped: boolean;
  offset: number;
  limit: number;
  /** Every skill with a ledger, for the filter's list. */
  skills: string[];
}

const LEDGER = /^([a-z0-9][a-z0-9-]{0,63})\.jsonl$/;

export class RunsIndex {
  private readonly dir: string;
  private readonly skills = new Map<string, SkillRuns>();
  /** All rows newest first, rebuilt only when some ledger changed. */
  private merged: RunRow[] | null = null;

  constructor(runsDir: string) {
    this.dir = runsDir;
  }

  /** One run of one skill, or null; an old one (no longer kept) is looked up in the ledger itself. */
  find(skill: string, runId: string): RunRow | null {
    this.refresh(skill);
    const s = this.skills.get(skill);
    const hit = s?.byId.get(runId);
    if (hit || !s?.trimmed) return hit ?? null;
    const file = join(this.dir, `${skill}.jsonl`);
    let row: RunRow | null = null;
    for (const f of [rotatedName(file), file]) {
      readLines(f, 0, (e) => {
        if (e.type === 'skip' || e.run_id !== runId || e.skill !== skill) return;
        row = e.type === 'start' ? (row ?? rowFromStart(e)) : withEnd(row ?? rowFromStart(e), e);
      });
    }
    return row;
  }

  query(q: RunsQuery): RunsPage {
    const names = this.ledgerNames();
    let changed = false;
    for (const n of names) changed = this.refresh(n) || changed;
    for (const n of [...this.skills.keys()]) {
      if (!names.includes(n)) {
        this.skills.delete(n);
        changed = true;
      }
    }
    if (changed || !this.merged) this.merged = [...this.skills.values()].flatMap((s) => s.rows).sort(newestFirst);
    const source = q.skill ? [...(this.skills.get(q.skill)?.rows ?? [])].reverse() : this.merged;
    const capped = q.skill ? (this.skills.get(q.skill)?.trimmed ?? false) : [...this.skills.values()].some((s) => s.trimmed);
    const match = (r: RunRow) =>
      (!q.outcome || (q.outcome === 'running' ? r.outcome === null : r.outcome === q.outcome)) &&
      (!q.trigger || r.trigger === q.trigger) &&
      (q.from === undefined || Date.parse(r.started_at) >= q.from) &&
      (q.to === undefined || Date.parse(r.started_at) < q.to);
    const all = q.outcome || q.trigger || q.from !== undefined || q.to !== undefined ? source.filter(match) : source;
    return {
      runs: all.slice(q.offset, q.offset + q.limit), total: all.length, capped, offset: q.offset, limit: q.limit,
      skills: names.sort(),
    };
  }

  private ledgerNames(): string[] {
    try {
      return readdirSync(this.dir).flatMap((f) => LEDGER.exec(f)?.[1] ?? []);
    } catch {
      return [];
    }
  }

  /** Reads what changed in one skill's ledger; true if anything did. */
  private refresh(skill: string): boolean {
    const file = join(this.dir, `${skill}.jsonl`);
    const current = stat(file);
    const rotated = stat(rotatedName(file));
    const had = this.skills.get(skill);
    if (had && same(had.current, current) && same(had.rotated, rotated)) return false;
    // Appended to, same generation: read only the new bytes.
    if (had && current && had.current && same(had.rotated, rotated) && current.ino === had.current.ino && current.size >= had.offset) {
      had.offset = readLines(file, had.offset, (e) => e.skill === skill && apply(had, e));
      had.current = current;
      return true;
    }
    const fresh: SkillRuns = { current, rotated, offset: 0, rows: [], byId: new Map(), trimmed: false };
    if (rotated) readLines(rotatedName(file), 0, (e) => e.skill === skill && apply(fresh, e));
    if (current) fresh.offset = readLines(file, 0, (e) => e.skill === skill && apply(fresh, e));
    if (!current && !rotated) this.skills.delete(skill);
    else this.skills.set(skill, fresh);
    return true;
  }
}

function apply(s: SkillRuns, e: LedgerEntry): void {
  if (e.type === 'skip') return;
  const had = s.byId.get(e.run_id);
  if (e.type === 'start') {
    if (!had) add(s, rowFromStart(e));
  } else if (had) Object.assign(had, withEnd(had, e));
  else add(s, withEnd(rowFromStart(e), e));
}

function add(s: SkillRuns, r: RunRow): void {
  s.byId.set(r.run_id, r);
  s.rows.push(r);
  // Let the oldest go in batches (a quarter over the limit), not one row per new run.
  if (s.rows.length > RUNS_KEPT * 1.25) {
    for (const old of s.rows.splice(0, s.rows.length - RUNS_KEPT)) s.byId.delete(old.run_id);
    s.trimmed = true;
  }
}

function newestFirst(a: RunRow, b: RunRow): number {
  return a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : a.run_id < b.run_id ? 1 : -1;
}

function stat(file: string): FileState | null {
  try {
    const s = statSync(file);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch {
    return null;
  }
}

function same(a: FileState | null, b: FileState | null): boolean {
  return a === b || (a !== null && b !== null && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino);
}

/**
 * Calls `each` for every valid ledger entry from byte `from` up to the last complete line, and
 * returns where that line ends (a line being written is read next time). Bad lines are skipped.
 */
function readLines(file: string, from: number, each: (e: LedgerEntry) => void): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return from;
  }
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(1 << 20);
    let pos = from;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
    const all = Buffer.concat(chunks);
    const end = all.lastIndexOf(0x0a) + 1;
    for (const line of all.subarray(0, end).toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const v: unknown = JSON.parse(line);
        if (isLedgerEntry(v)) each(v);
      } catch {
        // a corrupt line: the ledger's own reader reports it; a view just leaves it out
      }
    }
    return from + end;
  } finally {
    closeSync(fd);
  }
}
