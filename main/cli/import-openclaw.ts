// `clawkeeper import openclaw [--from FILE] [--dry-run] [--force] [--follow]`: one skill per
// OpenClaw cron job that maps (core/skills/openclaw-import.ts), everything else listed with its
// reason. The plan shows every job's destination and every field not carried over; nothing in a
// job's text can break a plan line. --follow keeps the imported skills in step while the host
// runs (core/skills/openclaw-follow.ts).
import { mapOpenClawJobs, oneLine } from '../core/skills/openclaw-import.ts';
import { applyPlan, planImport, type Planned } from '../core/skills/openclaw-plan.ts';
import { readAlertChannels } from '../core/skills/openclaw-alerts.ts';
import { readAlertsConfig } from '../core/alerts/alert-config.ts';
import { readOpenClawStore } from '../core/skills/openclaw-store.ts';
import { removeFollow, writeFollow } from '../core/skills/openclaw-follow.ts';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { readModelsFile } from '../core/models/config.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import type { CliContext } from './commands.ts';

const WORDS: Record<Planned['action'], string> = {
  create: 'created',
  unchanged: 'unchanged',
  update: 'updated',
  detached: 'detached: edited by hand since it was imported, left as it is (--force rewrites it)',
  remove: 'removed: its job is gone',
};

export function importCommand(
  ctx: CliContext, what: string | undefined,
  o: { from?: string; dryRun: boolean; force: boolean; follow?: boolean; unfollow?: boolean },
): number {
  if (what !== 'openclaw') {
    ctx.err('clawkeeper import: only `clawkeeper import openclaw [--from FILE] [--dry-run] [--force] [--follow | --unfollow]` is known');
    return 64;
  }
  const paths = homePaths(resolveHome(ctx.env));
  if (o.unfollow) {
    ctx.out(removeFollow(paths.home) ? 'no longer following OpenClaw: the imported skills stay as they are' : 'nothing was followed');
    return 0;
  }
  // OpenClaw's state folder is ~/.openclaw, ClawKeeper's default home: OPENCLAW_STATE_DIR names another.
  const stateDir = ctx.env.OPENCLAW_STATE_DIR ?? paths.home;
  let store;
  try {
    store = readOpenClawStore(stateDir, o.from);
  } catch (err) {
    ctx.err(`clawkeeper import openclaw: ${(err as Error).message}`);
    return 1;
  }
  const result = mapOpenClawJobs(
    store.jobs, Date.now(), readModelsFile(paths.home, ctx.env).models, readAlertsConfig(paths.config).cooldownMinutes,
  );
  const alerts = readAlertChannels(paths.home);
  const plan = planImport(result.mapped, paths.skills, { force: o.force, bundledDir: bundledSkillsDir(), alerts });
  ctx.out(
    `${o.dryRun ? 'dry run: would import' : 'importing'} ${store.source} (${store.kind}): ${result.mapped.length} jobs map to skills, ${result.unmapped.length} do not`,
  );
  for (const line of planLines(plan, o.dryRun)) ctx.out(oneLine(line));
  const existing = Object.keys(alerts.channels);
  if (alerts.defaultAbsent && plan.some((p) => p.channel?.action === 'create' && p.action !== 'detached')) {
    ctx.out(
      `config.json alerts.default ${o.dryRun ? 'would be' : 'is'} set to ${JSON.stringify(existing)}: it was absent, so every channel served every skill; an imported job's webhook hears only of its own skill`,
    );
  }
  if (!o.dryRun) {
    try {
      applyPlan(plan, paths.skills, alerts);
    } catch (err) {
      ctx.err(`clawkeeper import openclaw: ${(err as Error).message}; nothing was written`);
      return 1;
    }
  }
  if (result.unmapped.length > 0) ctx.out('not mapped:');
  for (const u of result.unmapped) ctx.out(
    oneLine(`  job ${u.jobId} "${u.jobName}": ${u.reason}${u.destination ? ` (it delivers to: ${u.destination})` : ''}`),
  );
  if (result.mapped.some((j) => j.manifest.model === true) && !readModelsFile(paths.home, ctx.env).models.default) {
    ctx.out(
      'the imported prompt skills use the default model: add config.json "models": {"default": {"baseURL", "model", "apiKeyEnv"}} (or set CLAWKEEPER_MODEL_BASE_URL and CLAWKEEPER_MODEL_NAME) before they can run',
    );
  }
  if (o.follow && !o.dryRun) {
    writeFollow(paths.home, store.source);
    ctx.out(
      `following ${store.source}: while the host runs, the imported skills follow its jobs within 5 s (a skill edited by hand is left alone, shown as detached); stop with \`clawkeeper import openclaw --unfollow\``,
    );
  }
  return 0;
}

/** The plan as lines: one per skill, its destination, then every note. */
export function planLines(plan: Planned[], dryRun: boolean): string[] {
  const out: string[] = [];
  for (const p of plan) {
    const words = dryRun && p.action !== 'unchanged' && p.action !== 'detached' ? `would be ${WORDS[p.action]}` : WORDS[p.action];
    if (!p.job) {
      out.push(`  ${p.name}: ${words} (job ${p.jobId})`);
      continue;
    }
    const m = p.job.manifest;
    const text = (k: string) => (typeof m[k] === 'string' ? m[k] : null);
    const when = [
      text('schedule'), text('every') && `every ${text('every')}`, text('at') && `at ${text('at')}`, text('timezone'),
    ].filter(Boolean).join(' ');
    out.push(`  ${p.name}: ${words} ← job ${p.job.jobId} "${p.job.jobName}" (${when})`);
    out.push(`      delivers to: ${p.job.destination ?? 'nowhere (the reply stays in outputs/)'}`);
    // What a command job will run, in full: the one thing to read before importing it.
    if (Array.isArray(m.command)) out.push(`      runs: ${JSON.stringify(m.command)}`);
    const alert = alertLine(p, dryRun);
    if (alert) out.push(`      alerts: ${alert}`);
    for (const n of p.job.notes) out.push(`      note: ${n}`);
  }
  return out;
}

/** What the skill's failureAlert became: none, or the channel (its URL shown without path or query). */
function alertLine(p: Planned, dryRun: boolean): string | null {
  const a = p.job?.alert;
  if (!a) return null;
  if ('off' in a) return `none (${a.off}) → "alerts": false`;
  const c = p.channel;
  if (!c) return null;
  const head = `failureAlert webhook ${c.shown} → channel "${c.name}" in config.json alerts.channels, `
    + `its URL in ${c.secretFile} (0600); ${a.after}, ${a.cooldown}`;
  if (c.action === 'refused') return `failureAlert webhook ${c.shown} not carried over: ${c.why ?? ''}`;
  if (c.action === 'unchanged') return `${head}: already there`;
  if (c.action === 'kept') return `${head}: ${c.why ?? ''}`;
  if (p.action === 'detached') return `${head}: not written (the skill is detached)`;
  return `${head}: ${dryRun ? 'would be created' : 'created'}`;
}
