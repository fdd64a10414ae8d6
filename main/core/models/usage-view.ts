import type { LedgerEnd, SkillManifest } from '../../common/types.ts';
import type { HomePaths } from '../paths.ts';
import { spentOn } from './day-budget.ts';
import { localDay } from './local-day.ts';

/** A run's outcome in words every view shares: a provider's failure is not the skill's. */
export function outcomeWords(e: Pick<LedgerEnd, 'outcome' | 'error'>): string {
  const why = e.error ? `: ${e.error}` : '';
  if (e.outcome === 'upstream-failure') return `provider failed${why}`;
  if (e.outcome === 'budget-exceeded') return `over token budget${why}`;
  return `${e.outcome}${why}`;
}

/** `tokens=<n>` and the delivery of a run, for `clawkeeper logs`. */
export function usageWords(e: Pick<LedgerEnd, 'usage' | 'delivery'>): string {
  const parts: string[] = [];
  if (e.usage) parts.push(`tokens=${e.usage.total_tokens}${e.usage.estimated ? ' (estimated)' : ''} in ${e.usage.calls} call${e.usage.calls === 1 ? '' : 's'}`);
  if (e.delivery) parts.push(`delivery=${e.delivery.status}${e.delivery.error ? ` (${e.delivery.error})` : ''}`);
  return parts.join(', ');
}

/** Tokens a skill used today (its local day) against its day budget, or null for a skill without a model. */
export function tokensToday(paths: HomePaths, m: SkillManifest, now: number): string | null {
  if (!m.model && !m.budget) return null;
  const used = spentOn(paths, m.name, localDay(now, m.timezone));
  const limit = m.budget?.tokensPerDay;
  return limit ? `${used} of ${limit} tokens today (${Math.round((used / limit) * 100)}%)` : `${used} tokens today`;
}
