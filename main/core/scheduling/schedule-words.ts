import cronstrue from 'cronstrue';
import type { Snapshot } from '../../common/layer-protocol.ts';

// Schedules in words for the people-facing views (gateway, desktop window, CLI). The host itself
// never loads cronstrue: it would cost its idle memory for text only a person reads.
const words = new Map<string, string>();

/** "At 23:55", "Every 5 minutes". */
export function scheduleInWords(expr: string): string {
  let w = words.get(expr);
  if (w === undefined) {
    try {
      w = cronstrue.toString(expr, { use24HourTimeFormat: true, verbose: false });
    } catch {
      w = expr;
    }
    if (words.size > 1000) words.clear();
    words.set(expr, w);
  }
  return w;
}

/** The report with each skill's schedule in words (`status --json` says what the text view says). */
export function withScheduleWords<T extends Pick<Snapshot, 'skills'>>(snap: T): T {
  return {
    ...snap,
    skills: snap.skills.map((s) => (s.schedule && !s.scheduleText ? { ...s, scheduleText: scheduleInWords(s.schedule) } : s)),
  };
}
