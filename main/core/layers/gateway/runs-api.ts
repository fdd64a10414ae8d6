// The dashboard's runs view and run outputs (gateway-app.ts routes here):
//   GET /api/runs?skill=&outcome=&trigger=&from=&to=&offset=&limit=   every skill's runs, newest first, paged
//   GET /api/skills/:name/output/:runId                                a prompt skill's saved reply, rendered
import { ClawError } from '../../../common/errors.ts';
import { SKILL_NAME } from '../../skills/skill-schema-json.ts';
import type { HomePaths } from '../../home/paths.ts';
import type { RunsIndex, RunsPage, RunsQuery } from './runs-index.ts';
import type { RunOutput } from './run-output.ts';

const C = 'gateway';
const OUTCOMES = new Set(['success', 'failure', 'timeout', 'crashed', 'interrupted', 'upstream-failure', 'budget-exceeded', 'running']);
const TRIGGERS = new Set(['schedule', 'catch-up', 'manual', 'retry', 'backfill']);
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;
export const RUNS_PAGE_MAX = 200;

/** The query string as a RunsQuery; a bad value is a 400 that names the parameter and what it takes. */
export function parseRunsQuery(p: URLSearchParams): RunsQuery {
  const bad = (name: string, what: string) => new ClawError(
    'CK_BAD_REQUEST', C, `"${name}" ${what} (got ${JSON.stringify(String(p.get(name)).slice(0, 60))})`,
  );
  const q: RunsQuery = { offset: 0, limit: 50 };
  const skill = p.get('skill');
  if (skill) {
    if (!SKILL_NAME.test(skill)) throw bad('skill', 'is a skill name');
    q.skill = skill;
  }
  const outcome = p.get('outcome');
  if (outcome) {
    if (!OUTCOMES.has(outcome)) throw bad('outcome', `is one of ${[...OUTCOMES].join(', ')}`);
    q.outcome = outcome;
  }
  const trigger = p.get('trigger');
  if (trigger) {
    if (!TRIGGERS.has(trigger)) throw bad('trigger', `is one of ${[...TRIGGERS].join(', ')}`);
    q.trigger = trigger;
  }
  for (const k of ['from', 'to'] as const) {
    const v = p.get(k);
    if (!v) continue;
    const t = Date.parse(v);
    if (!Number.isFinite(t)) throw bad(k, 'is an ISO-8601 time');
    q[k] = t;
  }
  for (const [k, max] of [['offset', Number.MAX_SAFE_INTEGER], ['limit', RUNS_PAGE_MAX]] as const) {
    const v = p.get(k);
    if (v === null || v === '') continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < (k === 'limit' ? 1 : 0) || n > max) throw bad(
      k, k === 'limit' ? `is a whole number from 1 to ${RUNS_PAGE_MAX}` : 'is a whole number, 0 or more',
    );
    q[k] = n;
  }
  return q;
}

export function runsPage(index: RunsIndex, params: URLSearchParams): RunsPage {
  return index.query(parseRunsQuery(params));
}

/** Loaded on first use: the gateway does not carry markdown-it until someone reads a reply. */
export async function runOutput(index: RunsIndex, paths: HomePaths, skill: string, runId: string): Promise<RunOutput> {
  if (!RUN_ID.test(runId)) throw new ClawError('CK_INVALID_NAME', C, `"${runId.slice(0, 80)}" is not a run id`);
  const { readRunOutput } = await import('./run-output.ts');
  return readRunOutput(paths, index.find(skill, runId), skill, runId);
}
