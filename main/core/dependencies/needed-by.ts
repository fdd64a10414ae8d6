import type { LoadedSkill } from '../../common/types.ts';
import { alertsConfigured } from '../alerts/alert-config.ts';

/**
 * Which dependencies are watched, and by which skills: what the host's monitor probes and what
 * the file-only `status` reads back, computed once so the two can never disagree. Alerts and
 * pings wait for the network while it is down (alerts/alert-service.ts), so `network` is watched
 * whenever alert channels, a heartbeat or a skill's ping exist, needed by a skill or not (then
 * its list of skills is empty).
 */
export function dependencyNeeds(skills: LoadedSkill[], configPath: string): Map<string, string[]> {
  const neededBy = new Map<string, string[]>();
  for (const s of skills) {
    if (!s.manifest?.enabled) continue;
    for (const n of s.manifest.needs) neededBy.set(n, [...(neededBy.get(n) ?? []), s.name]);
  }
  if (!neededBy.has('network') && (alertsConfigured(configPath) || skills.some((s) => s.manifest?.ping))) neededBy.set('network', []);
  return neededBy;
}
