// What the files say about whether skills are running, for `clawkeeper health` when the gateway
// does not answer. Skills run only where something starts them: a live host holding the home,
// or an external scheduler calling `clawkeeper run-once` (its start entries say so, `by: run-once`:
// a pid alone cannot tell, since the runs of an earlier host carry another pid too). A status file
// younger than an hour proves neither (a host killed a minute ago
// left them), so it is not evidence.
import type { LedgerStart } from '../../common/types.ts';
import type { Logger } from '../home/logger.ts';
import type { HomePaths } from '../home/paths.ts';
import { Ledger } from '../runs/ledger.ts';
import { nextSlotOf, slotSpecOf } from '../scheduling/slots.ts';
import { validateSkills } from '../skills/skill-validation.ts';

export interface RunEvidence {
  /** A run-once start within its skill's own period plus grace, or null. */
  runOnce: { skill: string; at: string } | null;
  /** The newest run start of any skill, or null when none ever ran. */
  lastRun: { skill: string; at: string } | null;
}

export function runEvidence(
  paths: HomePaths, bundledDir: string | null, logger: Logger, now: number, env: NodeJS.ProcessEnv = process.env,
): RunEvidence {
  const ledger = new Ledger(paths.runs, logger);
  let runOnce: RunEvidence['runOnce'] = null;
  let lastRun: RunEvidence['lastRun'] = null;
  for (const s of validateSkills(paths, bundledDir, env).skills) {
    const m = s.manifest;
    if (!m) continue;
    const starts = ledger.readEntries(s.name).filter((e): e is LedgerStart => e.type === 'start');
    const newest = starts[starts.length - 1];
    if (newest && (!lastRun || newest.started_at > lastRun.at)) lastRun = { skill: s.name, at: newest.started_at };
    const external = starts.filter((e) => e.by === 'run-once' && e.trigger !== 'manual').pop();
    if (!external) continue;
    const t = Date.parse(external.started_at);
    // The skill's own period: the gap between the two slots after that start.
    const spec = slotSpecOf(m);
    const a = nextSlotOf(spec, t);
    const b = a === null ? null : nextSlotOf(spec, a);
    const period = a !== null && b !== null ? b - a : 0;
    const grace = (m.staleAfterMinutes ?? 2) * 60_000;
    if (now - t <= period + grace && (!runOnce || external.started_at > runOnce.at)) runOnce = { skill: s.name, at: external.started_at };
  }
  return { runOnce, lastRun };
}
