// run-once beside a live host: the slot is handed to the host over host.sock (op run-once), which
// runs it with its own ledger (so neither can run it twice), and run-once follows the ledger to
// the end of the run, and of the host's retries, to exit with their outcome.
import type { LedgerEnd, SkillManifest } from '../common/types.ts';
import { liveLockHolder } from '../core/host/host-lock.ts';
import { Ledger } from '../core/runs/ledger.ts';
import type { Logger } from '../core/home/logger.ts';
import { homePaths } from '../core/home/paths.ts';
import { retryDelaySeconds } from '../core/scheduling/retry-delay.ts';
import { exitCodeFor, RUN_ONCE_EXIT, type RunOnceOptions, type RunOnceResult } from '../core/runs/run-once.ts';
import { askHost } from './ask-host.ts';

const ERROR_EXIT: Record<string, number> = {
  CK_NOT_FOUND: RUN_ONCE_EXIT.unknownSkill, CK_SKILL_INVALID: RUN_ONCE_EXIT.invalidSkill,
  CK_BAD_REQUEST: RUN_ONCE_EXIT.usage,
};

export function hostHandOff(
  home: string, out: (line: string) => void, logger: Logger, pollMs = 200,
): NonNullable<RunOnceOptions['handOff']> {
  return async (m, slot, trigger) => {
    const reply = await askHost(home, slot ? { id: 1, op: 'run-once', skill: m.name, slot, trigger } : { id: 1, op: 'run', skill: m.name });
    if (!reply) return null;
    const fail = (exitCode: number, message: string): RunOnceResult => ({ exitCode, kind: 'error', message, ends: [] });
    if (!reply.ok) return fail(
      ERROR_EXIT[reply.error.code] ?? RUN_ONCE_EXIT.hostBusy,
      `the running host did not take ${m.name}: ${reply.error.message}`,
    );
    const r = reply.result as { run_id: string | null; queued: boolean; done?: boolean };
    if (r.done) return {
      exitCode: RUN_ONCE_EXIT.refused, kind: 'refused',
      message: `${m.name}: slot ${slot} is already in the running host's ledger (ran or skipped): not run again`,
      ends: [],
    };
    if (!r.run_id && !r.queued) return fail(
      RUN_ONCE_EXIT.hostBusy, `the running host did not start ${m.name} (it may be stopping); try again`,
    );
    out(
      `${m.name}: ${slot ? `slot ${slot}` : 'manual run'} handed to the running host (${r.run_id ? `run ${r.run_id}` : 'queued behind the running one'})`,
    );
    if (!r.run_id && !slot) return {
      exitCode: RUN_ONCE_EXIT.success, kind: 'handed-off',
      message: `${m.name}: queued in the host; \`clawkeeper logs ${m.name}\` shows its outcome`, ends: [],
    };
    const ends = await follow(home, m, slot, r.run_id, logger, pollMs);
    const last = ends[ends.length - 1];
    if (!last) return fail(
      RUN_ONCE_EXIT.hostBusy,
      `the host stopped before ${m.name} ended; the next host records the run and applies its policy`,
    );
    for (const e of ends) out(
      `${m.name}: ${e.outcome} in ${e.duration_ms} ms (run ${e.run_id}, attempt ${e.attempt}, by the host)${e.error ? `: ${e.error}` : ''}`,
    );
    return { exitCode: exitCodeFor(last.outcome), kind: 'handed-off', message: last.log ? `log: ${last.log}` : '', ends };
  };
}

/** End entries of the handed run, then of each retry the host makes of the same slot. */
async function follow(
  home: string, m: SkillManifest, slot: string | null, runId: string | null, logger: Logger, pollMs: number,
): Promise<LedgerEnd[]> {
  const paths = homePaths(home);
  const ledger = new Ledger(paths.runs, logger);
  const ends: LedgerEnd[] = [];
  const matches = (e: LedgerEnd): boolean => {
    const prev = ends[ends.length - 1];
    if (!prev) return runId ? e.run_id === runId : e.slot === slot;
    return e.slot === slot && e.attempt === prev.attempt + 1;
  };
  // The first end comes when the run does (its own timeout bounds it); a retry that has not
  // ended within its backoff plus a whole attempt is one the host decided not to make.
  let retryDeadline = Infinity;
  for (;;) {
    const found = ledger.readEntries(m.name).find((e): e is LedgerEnd => e.type === 'end' && matches(e));
    if (found) {
      ends.push(found);
      if (found.outcome === 'success' || !slot || found.attempt > m.retries.max) return ends;
      retryDeadline = Date.now() + (retryDelaySeconds(m.retries.backoffSeconds, found.attempt) + m.timeoutSeconds + 60) * 1000;
      continue;
    }
    // A host that is gone will not write the end; the next one records the run interrupted.
    if (liveLockHolder(paths.lock) === null || Date.now() > retryDeadline) return ends;
    await new Promise((res) => setTimeout(res, pollMs));
  }
}
