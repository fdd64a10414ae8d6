import type { SkillManifest } from '../../common/types.ts';
import { nextSlot } from './cron.ts';

/**
 * Whether `t` (ms) is one of the skill's scheduled slots: the one check a handed-over slot passes
 * (host.sock `run-once`, the CLI's `--slot`), so no arbitrary time is recorded as a slot.
 * New schedule kinds answer here too.
 */
export function isSlotOf(m: Pick<SkillManifest, 'schedule' | 'timezone'>, t: number): boolean {
  return Number.isFinite(t) && nextSlot(m.schedule, m.timezone, t - 1) === t;
}
