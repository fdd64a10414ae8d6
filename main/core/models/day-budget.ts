import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { LedgerEnd, SkillManifest, TokenUsage } from '../../common/types.ts';
import type { HomePaths } from '../home/paths.ts';
import { localDay } from '../scheduling/local-day.ts';

/**
 * Tokens spent per skill and local day (the skill's zone), in `runs/_spend/<skill>.json`:
 * `{"days": {"2026-01-10": 1234, ...}}`, the last DAYS_KEPT days. Kept in files so a day budget
 * survives restarts; written by the host alone, after each run that used a model.
 */
const DAYS_KEPT = 35;

export function spendFile(paths: HomePaths, skill: string): string {
  return join(paths.runs, '_spend', `${skill}.json`);
}

export function readSpend(paths: HomePaths, skill: string): Record<string, number> {
  try {
    const data = JSON.parse(readFileSync(spendFile(paths, skill), 'utf8')) as { days?: Record<string, unknown> };
    const out: Record<string, number> = {};
    for (const [d, n] of Object.entries(data.days ?? {})) if (typeof n === 'number' && n >= 0) out[d] = n;
    return out;
  } catch {
    return {};
  }
}

export function spentOn(paths: HomePaths, skill: string, day: string): number {
  return readSpend(paths, skill)[day] ?? 0;
}

/** What is left of today's budget (undefined without `budget.tokensPerDay`): passed to each run. */
export function dayTokensLeft(paths: HomePaths, m: SkillManifest, now: number): number | undefined {
  const limit = m.budget?.tokensPerDay;
  if (limit === undefined) return undefined;
  return Math.max(0, limit - spentOn(paths, m.name, localDay(now, m.timezone)));
}

/** Host dispatch hook: why a slot is skipped with reason `budget`, or null when it may run. */
export function dayBudgetReached(paths: HomePaths, m: SkillManifest, now: number): string | null {
  const limit = m.budget?.tokensPerDay;
  if (limit === undefined) return null;
  const day = localDay(now, m.timezone);
  const spent = spentOn(paths, m.name, day);
  return spent >= limit
    ? `budget.tokensPerDay=${limit} reached: ${spent} tokens used on ${day} (${m.timezone ?? 'local time'}); runs again the next day`
    : null;
}

export function recordSpend(paths: HomePaths, m: SkillManifest, now: number, tokens: number): void {
  if (tokens <= 0) return;
  const days = readSpend(paths, m.name);
  const day = localDay(now, m.timezone);
  days[day] = (days[day] ?? 0) + tokens;
  const kept = Object.fromEntries(Object.entries(days).sort(([a], [b]) => a.localeCompare(b)).slice(-DAYS_KEPT));
  mkdirSync(join(paths.runs, '_spend'), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(spendFile(paths, m.name), JSON.stringify({ days: kept }) + '\n', { mode: 0o600, fsync: false });
}

/**
 * Host finish hook: a run's model usage and delivery go into its ledger end entry and status line
 * (`tokens=<total>`, `delivery=delivered|failed`), and its tokens into the day's spend.
 */
/** What the hook reads of a finished run (runs/runner.ts `FinishedRun`; models sit below runs, docs/design.md). */
export interface AgentRunEnd {
  fields: Record<string, string>;
  usage?: TokenUsage;
  delivery?: LedgerEnd['delivery'];
}

export function recordAgentEnd(paths: HomePaths, m: SkillManifest, entry: LedgerEnd, r: AgentRunEnd, now: number): void {
  if (r.usage) {
    entry.usage = r.usage;
    r.fields.tokens = String(r.usage.total_tokens);
    try {
      recordSpend(paths, m, now, r.usage.total_tokens);
    } catch {
      // the spend file is bookkeeping for the day budget; the ledger still has the usage
    }
  }
  // Each run's own reply, not only the newest one the status line names.
  if (typeof r.fields.output === 'string' && r.fields.output.startsWith('outputs/')) entry.output = r.fields.output;
  if (r.delivery) {
    entry.delivery = r.delivery;
    r.fields.delivery = r.delivery.status;
  }
}
