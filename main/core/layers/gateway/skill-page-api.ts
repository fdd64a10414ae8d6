// What the dashboard's skill page asks the gateway (beyond /api/skills/:name/runs):
//   GET /api/skills/:name/page              runs (start+end joined), skips, next 10 slots, manifest as loaded
//   GET /api/skills/:name/log/:runId?from=N one run's log from byte N (a live tail polls it)
// Files only (ledger, logs, skill.json): it works whatever the host is doing.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ClawError } from '../../../common/errors.ts';
import type { LedgerSkip } from '../../../common/types.ts';
import { rowFromStart, withEnd, type RunRow } from './runs-index.ts';
import type { SkillView } from '../../../common/layer-protocol.ts';
import { bundledSkillsDir } from '../../home/app-paths.ts';
import { slotSpecOf, timingOfLabel } from '../../scheduling/slots.ts';
import { planSlots, type PlannedSlot } from '../../scheduling/slot-plan.ts';
import type { Ledger } from '../../runs/ledger.ts';
import type { HomePaths } from '../../home/paths.ts';

const C = 'gateway';
/** A log tail answers at most this much per request; the page asks again from `next`. */
const LOG_CHUNK = 256 * 1024;
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** A run with its tokens, delivery and saved reply (runs-index.ts). */
export type PageRun = RunRow;

export interface SkillPage {
  skill: SkillView;
  /** Newest first, at most `limit`. */
  runs: PageRun[];
  totalRuns: number;
  /** Newest first. */
  skips: LedgerSkip[];
  /** The next 10 slots, each marked when the breaker, budget, pause or a waiting dependency will skip it. */
  nextSlots: PlannedSlot[];
  manifest: { file: string; text: string } | null;
}

export function skillPage(skill: SkillView, ledger: Ledger, paths: HomePaths, limit: number, now = Date.now()): SkillPage {
  const runs = new Map<string, PageRun>();
  const skips: LedgerSkip[] = [];
  for (const e of ledger.readEntries(skill.name)) {
    if (e.type === 'skip') skips.push(e);
    else if (e.type === 'start') runs.set(e.run_id, rowFromStart(e));
    else runs.set(e.run_id, withEnd(runs.get(e.run_id) ?? rowFromStart(e), e));
  }
  const all = [...runs.values()].reverse();
  const spec = skill.schedule ? slotSpecOf(timingOfLabel(skill.schedule, skill.timezone)) : null;
  const nextSlots = skill.state === 'invalid' || skill.state === 'done' ? [] : planSlots(
    { ...skill, spec, tokens: skill.tokens ?? null }, now, 10,
  );
  return {
    skill, runs: all.slice(0, limit), totalRuns: all.length, skips: skips.reverse().slice(0, limit), nextSlots,
    manifest: manifestOf(skill, paths),
  };
}

/** The skill.json the host loaded (a user skill wins over a bundled one), as text: an invalid one may not parse. */
function manifestOf(skill: SkillView, paths: HomePaths): { file: string; text: string } | null {
  const dirs = skill.source === 'user' ? [paths.skills] : [bundledSkillsDir()];
  for (const d of dirs) {
    const file = join(d, skill.name, 'skill.json');
    try {
      return { file, text: readFileSync(file, 'utf8').slice(0, 64 * 1024) };
    } catch {
      // not there
    }
  }
  return null;
}

export interface LogChunk {
  text: string;
  /** Ask again from here. */
  next: number;
  size: number;
}

export function readLogChunk(paths: HomePaths, skill: string, runId: string, from: number): LogChunk {
  if (!RUN_ID.test(runId)) throw new ClawError('CK_INVALID_NAME', C, `"${runId.slice(0, 80)}" is not a run id`);
  let fd: number;
  try {
    fd = openSync(join(paths.logs, skill, `${runId}.log`), 'r');
  } catch {
    throw new ClawError('CK_NOT_FOUND', C, `no log for run ${runId} of ${skill} (logs are kept for the newest 30 runs)`);
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.min(Math.max(0, from), size);
    const buf = Buffer.alloc(Math.min(LOG_CHUNK, size - start));
    const n = readSync(fd, buf, 0, buf.length, start);
    const end = completeUtf8(buf, n);
    return { text: buf.subarray(0, end).toString('utf8'), next: start + end, size };
  } finally {
    closeSync(fd);
  }
}

/** The length of `buf[0..n)` without a trailing, incomplete UTF-8 character (the next request gets it whole). */
export function completeUtf8(buf: Uint8Array, n: number): number {
  let i = n - 1;
  while (i >= 0 && i > n - 4 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return n;
  const b = buf[i]!;
  const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return i + len > n ? i : n;
}
