import type { LedgerEnd, SkillManifest } from '../../common/types.ts';
import type { HomePaths } from '../home/paths.ts';
import { readSpend, spentOn } from './day-budget.ts';
import { localDay } from '../scheduling/local-day.ts';

/** A run's outcome in words every view shares: a provider's failure is not the skill's. */
/** `tokens=<n>` and the delivery of a run, for `clawkeeper logs`. */
export function usageWords(e: Pick<LedgerEnd, 'usage' | 'delivery'>): string {
  const parts: string[] = [];
  if (e.usage) parts.push(
    `tokens=${e.usage.total_tokens}${e.usage.estimated ? ' (estimated)' : ''} in ${e.usage.calls} call${e.usage.calls === 1 ? '' : 's'}`,
  );
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

/**
 * What a dashboard's budget bar and 7-day chart need for one skill: tokens per local day, oldest
 * first (days without use are 0), today's use and its day budget.
 */
export function tokenHistory(paths: HomePaths, m: SkillManifest, now: number, days = 7): {
  days: { day: string; tokens: number }[]; today: number; tokensPerDay: number | null;
} {
  const spend = readSpend(paths, m.name);
  const out: { day: string; tokens: number }[] = [];
  // Whole days back from now; a repeated local day (a DST shift near midnight) is listed once.
  for (let i = days - 1; i >= 0; i--) {
    const day = localDay(now - i * 86_400_000, m.timezone);
    if (out.at(-1)?.day !== day) out.push({ day, tokens: spend[day] ?? 0 });
  }
  return { days: out, today: out.at(-1)?.tokens ?? 0, tokensPerDay: m.budget?.tokensPerDay ?? null };
}
