import type { SkillManifest } from '../../common/types.ts';

const UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day' };

/**
 * `every` and `at` in words ("Every 7 minutes", "Once, at 2026-12-24T18:00:00+01:00"), with the
 * jitter; null for a cron schedule, which the views put in words with cronstrue
 * (schedule-words.ts, kept out of the host's memory).
 */
export function scheduleKindWords(m: Pick<SkillManifest, 'every' | 'at' | 'anchor' | 'jitterSeconds'>): string | null {
  const jitter = m.jitterSeconds ? `, started up to ${m.jitterSeconds} s late (jitter)` : '';
  if (typeof m.every === 'string') {
    const [, n, u] = /^([\d.]+)([smhd])$/.exec(m.every) ?? [];
    const what = n === '1' ? UNITS[u!] : `${n} ${UNITS[u!]}s`;
    return `Every ${what ?? m.every}${m.anchor ? ` from ${m.anchor}` : ''}${jitter}`;
  }
  if (typeof m.at === 'string') return `Once, at ${m.at}${jitter}`;
  return null;
}
