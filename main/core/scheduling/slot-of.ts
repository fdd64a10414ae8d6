import { isSlotOfSkill, type Timing } from './slots.ts';

/**
 * Whether `t` (ms) is one of the skill's scheduled slots: the one check a handed-over slot passes
 * (host.sock `run-once`, the CLI's `--slot`), so no arbitrary time is recorded as a slot. Every
 * schedule kind (cron, every, at) answers through slots.ts.
 */
export function isSlotOf(m: Timing, t: number): boolean {
  return Number.isFinite(t) && isSlotOfSkill(m, t);
}
