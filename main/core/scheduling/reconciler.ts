import type { CatchUpMode } from '../../common/types.ts';

export type { MissedReason } from '../../common/host-events.ts';

export interface CatchUpPlan {
  /** Slots to run now, oldest first. */
  run: number[];
  /** Slots recorded as not run, with what the policy decided. */
  skip: { slot: number; detail: string; paused: boolean }[];
}

/**
 * What to do with slots that passed without running (host down, machine asleep), per `catchUp`:
 * skip runs none; once runs only the newest; all runs the newest `max` in order. Every slot not
 * run is returned with the reason, to be recorded in the ledger.
 */
export function planCatchUp(missed: number[], policy: { mode: CatchUpMode; max: number }, paused: boolean): CatchUpPlan {
  const sorted = [...missed].sort((a, b) => a - b);
  if (paused) return { run: [], skip: sorted.map((slot) => ({ slot, detail: 'the skill is paused', paused: true })) };
  if (policy.mode === 'skip') {
    return { run: [], skip: sorted.map((slot) => ({ slot, detail: 'catchUp=skip: missed slots are not run', paused: false })) };
  }
  const keep = policy.mode === 'once' ? 1 : policy.max;
  const run = sorted.slice(-keep);
  const older = sorted.slice(0, Math.max(0, sorted.length - keep));
  const detail =
    policy.mode === 'once'
      ? 'catchUp=once: only the newest missed slot runs'
      : `catchUp=all: over the cap of ${policy.max} catch-up runs`;
  return { run, skip: older.map((slot) => ({ slot, detail, paused: false })) };
}
