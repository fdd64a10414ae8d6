// `clawkeeper run-once <skill> [--slot ISO] [--trigger schedule|manual]`: what an external
// scheduler calls. Arguments here; the work is main/core/runs/run-once.ts.
import { parseArgs } from 'node:util';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { resolveHome } from '../core/home/paths.ts';
import { RUN_ONCE_EXIT, runOnce, type RunOnceOptions } from '../core/runs/run-once.ts';
import type { CliContext } from './commands.ts';
import { hostHandOff } from './run-once-handoff.ts';

export const RUN_ONCE_USAGE = `usage: clawkeeper run-once <skill> [--slot ISO] [--trigger schedule|manual]
  One run of <skill>, with no scheduler and no layers: the same ledger entries, status file and
  logs as inside the host, retries (the skill's retries policy) included. What a Kubernetes
  CronJob, a systemd timer or launchd calls (\`clawkeeper export\`).
  --slot ISO        the scheduled time this run serves (one of the schedule's slots);
                    default: the newest slot at or before now
  --trigger T       schedule (default) or manual; a manual run without --slot serves no slot
  Exactly once per slot: a slot already in the ledger, or being run by another run-once (a claim
  file in runs/_claims/), is refused and exits 0. Beside a running host the slot is handed to it
  (host.sock) and run-once exits with the outcome of the host's run (retries included).
exit codes: 0 success, slot already done or claimed, skill paused or disabled · 1 failure ·
  3 timeout · 4 crashed · 5 interrupted · 6 upstream-failure · 7 budget-exceeded · 64 bad arguments ·
  66 no such skill · 75 a live host holds the home and did not take the slot · 78 invalid skill`;

export async function runOnceCommand(ctx: CliContext, argv: string[], handOff?: RunOnceOptions['handOff']): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { slot: { type: 'string' }, trigger: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    ctx.err(`clawkeeper run-once: ${(err as Error).message}\n${RUN_ONCE_USAGE}`);
    return RUN_ONCE_EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    ctx.out(RUN_ONCE_USAGE);
    return 0;
  }
  const trigger = values.trigger ?? 'schedule';
  if (positionals.length !== 1 || (trigger !== 'schedule' && trigger !== 'manual')) {
    ctx.err(
      `clawkeeper run-once: ${positionals.length !== 1 ? 'give exactly one skill name' : `--trigger must be schedule or manual, not "${trigger}"`}\n${RUN_ONCE_USAGE}`,
    );
    return RUN_ONCE_EXIT.usage;
  }
  // SIGTERM is how Kubernetes (activeDeadlineSeconds, a deleted pod) and systemd stop us: the
  // run is stopped and recorded `interrupted` instead of leaving a start without an end.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const r = await runOnce({
      home: resolveHome(ctx.env),
      bundledSkillsDir: bundledSkillsDir(),
      skill: positionals[0]!,
      slot: values.slot,
      trigger,
      logger: ctx.logger,
      out: ctx.out,
      signal: abort.signal,
      handOff: handOff ?? hostHandOff(resolveHome(ctx.env), ctx.out, ctx.logger),
    });
    (r.kind === 'error' ? ctx.err : ctx.out)(r.kind === 'error' ? `clawkeeper run-once: ${r.message}` : r.message);
    return r.exitCode;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
