// `clawkeeper backfill <skill> --from ISO --to ISO [--dry-run] [--max N]`: the slots of a range
// that never started run, oldest first, as trigger `backfill` (core/scheduling/backfill-plan.ts).
// A running host does it (over host.sock, as the API's POST /api/skills/:name/backfill does);
// with no host, this process holds the home folder and does it, then waits for the runs.
import { parseArgs } from 'node:util';
import { ClawError } from '../common/errors.ts';
import type { BackfillSlot } from '../core/scheduling/backfill-plan.ts';
import { Host } from '../core/host/host.ts';
import { acquireHostLock } from '../core/host/host-lock.ts';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import { askHost } from './ask-host.ts';
import type { CliContext } from './commands.ts';

export const BACKFILL_USAGE = `usage: clawkeeper backfill <skill> --from ISO --to ISO [--dry-run] [--max N]
  runs every slot in [from, to] that has no start entry (skipped, missed or never recorded),
  oldest first, as trigger "backfill"; a slot that started before never runs again.
  --dry-run   list each slot and why it would or would not run; nothing runs
  --max N     allow up to N runs (needed past 100); the oldest N run`;

type Result = { slots: BackfillSlot[]; toRun: string[]; queued: number };

export async function backfillCommand(ctx: CliContext, argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        from: { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean' }, max: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    ctx.err(`clawkeeper backfill: ${(err as Error).message}\n${BACKFILL_USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
  if (values.help) return (ctx.out(BACKFILL_USAGE), 0);
  if (positionals.length !== 1 || !values.from || !values.to) {
    ctx.err(`clawkeeper backfill: give one skill, --from and --to\n${BACKFILL_USAGE}`);
    return 64;
  }
  const max = values.max === undefined ? undefined : Number(values.max);
  const req = { from: values.from, to: values.to, dryRun: values['dry-run'] === true, ...(max !== undefined ? { max } : {}) };
  const name = positionals[0]!;
  const home = resolveHome(ctx.env);
  const r = await askHost(home, { id: 1, op: 'backfill', skill: name, ...req });
  if (r && !r.ok) {
    ctx.err(`clawkeeper backfill: ${r.error.message}`);
    return r.error.code === 'CK_BAD_REQUEST' ? 64 : 1;
  }
  if (r) {
    report(ctx, name, r.result as Result, req.dryRun, 'by the host');
    return 0;
  }
  return backfillHere(ctx, home, name, req);
}

/** No host: this process takes the home folder (so no host starts beside it) and runs them. */
async function backfillHere(
  ctx: CliContext, home: string, name: string, req: { from: string; to: string; dryRun: boolean; max?: number },
): Promise<number> {
  const release = req.dryRun ? () => {} : acquireHostLock(homePaths(home).lock);
  try {
    const host = new Host({ home, bundledSkillsDir: bundledSkillsDir(), logger: ctx.logger, useTrigger: false });
    host.prepareLocal();
    if (!host.listSkills().some((s) => s.name === name)) {
      ctx.err(`clawkeeper backfill: no skill named "${name}"; \`clawkeeper skills\` lists them`);
      return 66;
    }
    let result: Result;
    try {
      result = host.backfills.start(name, req);
    } catch (err) {
      ctx.err(`clawkeeper backfill: ${(err as Error).message}`);
      return err instanceof ClawError && err.code === 'CK_BAD_REQUEST' ? 64 : 1;
    }
    report(ctx, name, result, req.dryRun, 'here (no host is running)');
    let failed = 0;
    host.on('run-end', (e) => {
      if (e.entry.skill === name && e.entry.trigger === 'backfill') {
        ctx.out(`  ${e.entry.slot}: ${e.entry.outcome} in ${e.entry.duration_ms} ms (run ${e.entry.run_id})`);
        if (e.entry.outcome !== 'success') failed++;
      }
    });
    while (host.backfills.pending(name) > 0 || host.isRunning(name)) {
      await host.idle();
      host.backfills.next(name);
      await new Promise((r) => setTimeout(r, 20));
    }
    return failed > 0 ? 1 : 0;
  } finally {
    release();
  }
}

function report(ctx: CliContext, name: string, r: Result, dryRun: boolean, where: string): void {
  for (const s of r.slots) ctx.out(`  ${s.slot}  ${s.run ? (dryRun ? 'would run' : 'runs') : 'skipped'}: ${s.why}`);
  ctx.out(`${name}: ${r.slots.length} slots in the range, ${r.toRun.length} ${dryRun ? 'would run' : `run ${where}, oldest first`}`);
}
