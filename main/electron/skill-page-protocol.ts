// The skill page's API paths and the runs view's inside the Electron window (app://dashboard/api/skills/...):
// answered in the main process from the same files the gateway reads, so the page works in the
// app with the gateway down, and when the app is attached to the service.
import { ClawError } from '../common/errors.ts';
import type { Snapshot } from '../common/layer-protocol.ts';
import { readLogChunk, skillPage } from '../core/layers/gateway/skill-page-api.ts';
import type { Ledger } from '../core/runs/ledger.ts';
import type { RunsIndex } from '../core/layers/gateway/runs-index.ts';
import { runsPage } from '../core/layers/gateway/runs-api.ts';
import { readRunOutput } from '../core/layers/gateway/run-output.ts';
import type { HomePaths } from '../core/home/paths.ts';

export interface SkillPageApiDeps {
  paths: HomePaths;
  ledger: Ledger;
  /** Every skill's runs (the runs view), kept between requests. */
  runs: RunsIndex;
  snapshot: () => Snapshot | null;
}

/** A JSON reply for /api/runs, /api/skills/:name/page, /log/:runId or /output/:runId, or null for any other path. */
export function skillPageApi(url: URL, d: SkillPageApiDeps): { status: number; body: unknown } | null {
  const m = /^\/api\/skills\/([a-z0-9][a-z0-9-]{0,63})\/(?:page|(log|output)\/([^/]+))$/.exec(url.pathname);
  if (!m && url.pathname !== '/api/runs') return null;
  try {
    if (!m) return { status: 200, body: runsPage(d.runs, url.searchParams) };
    const skill = d.snapshot()?.skills.find((s) => s.name === m[1]);
    if (!skill) throw new ClawError('CK_NOT_FOUND', 'app', `no skill named "${m[1]}"`);
    if (m[2] === undefined) return {
      status: 200,
      body: skillPage(skill, d.ledger, d.paths, Math.min(20_000, Math.max(1, Number(url.searchParams.get('limit') ?? 500) || 500))),
    };
    if (m[2] === 'output') return { status: 200, body: readRunOutput(d.paths, d.runs.find(skill.name, m[3]!), skill.name, m[3]!) };
    return { status: 200, body: readLogChunk(d.paths, skill.name, m[3]!, Number(url.searchParams.get('from') ?? 0) || 0) };
  } catch (err) {
    if (err instanceof ClawError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
    return { status: 500, body: { error: { code: 'CK_INTERNAL', message: 'internal error' } } };
  }
}
