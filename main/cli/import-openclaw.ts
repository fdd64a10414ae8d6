// `clawkeeper import openclaw [--from FILE] [--dry-run] [--force]`: one prompt skill per OpenClaw
// cron job that maps (core/openclaw-import.ts), everything else listed with its reason. A skill
// folder remembers its job in `.openclaw-job`, so a second import finds its own skills again
// (idempotent) and never takes over a skill it did not write; --force rewrites a changed job's skill.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { mapOpenClawJobs, type MappedJob } from '../core/skills/openclaw-import.ts';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { readModelsFile } from '../core/models/config.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import type { CliContext } from './commands.ts';

const MARKER = '.openclaw-job';

type Action = 'create' | 'unchanged' | 'update' | 'kept';

interface Planned {
  job: MappedJob;
  name: string;
  action: Action;
  text: string;
}

export function importCommand(ctx: CliContext, what: string | undefined, o: { from?: string; dryRun: boolean; force: boolean }): number {
  if (what !== 'openclaw') {
    ctx.err('clawkeeper import: only `clawkeeper import openclaw [--from FILE] [--dry-run] [--force]` is known');
    return 64;
  }
  const paths = homePaths(resolveHome(ctx.env));
  const file = o.from ? resolve(o.from) : join(paths.home, 'cron', 'jobs.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    ctx.err(`clawkeeper import openclaw: cannot read ${file}: ${(err as Error).message}${o.from ? '' : ' (give another file with --from FILE)'}`);
    return 1;
  }
  let result: ReturnType<typeof mapOpenClawJobs>;
  try {
    result = mapOpenClawJobs(data);
  } catch (err) {
    ctx.err(`clawkeeper import openclaw: ${file}: ${(err as Error).message}`);
    return 1;
  }
  const plan = planImport(result.mapped, paths.skills, o.force, bundledSkillsDir());
  ctx.out(`${o.dryRun ? 'dry run: would import' : 'importing'} ${file}: ${result.mapped.length} jobs map to prompt skills, ${result.unmapped.length} do not`);
  for (const p of plan) {
    const words = { create: 'created', unchanged: 'unchanged', update: 'updated (--force)', kept: 'kept as it is: the job changed since it was imported; --force rewrites it' }[p.action];
    ctx.out(`  ${p.name}: ${o.dryRun && p.action !== 'unchanged' && p.action !== 'kept' ? `would be ${words}` : words} ← job ${p.job.jobId} "${p.job.jobName}" (${String(p.job.manifest.schedule)}${typeof p.job.manifest.timezone === 'string' ? ` ${p.job.manifest.timezone}` : ''})`);
    for (const n of p.job.notes) ctx.out(`      note: ${n}`);
    if (o.dryRun || (p.action !== 'create' && p.action !== 'update')) continue;
    const dir = join(paths.skills, p.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomic.sync(join(dir, 'skill.json'), p.text, { fsync: false });
    writeFileAtomic.sync(join(dir, MARKER), `${p.job.jobId}\n`, { fsync: false });
  }
  if (result.unmapped.length > 0) ctx.out('not mapped:');
  for (const u of result.unmapped) ctx.out(`  job ${u.jobId} "${u.jobName}": ${u.reason}`);
  if (result.mapped.length > 0 && !readModelsFile(paths.home, ctx.env).models.default) {
    ctx.out('the imported skills use the default model: add config.json "models": {"default": {"baseURL", "model", "apiKeyEnv"}} (or set CLAWKEEPER_MODEL_BASE_URL and CLAWKEEPER_MODEL_NAME) before they can run');
  }
  return 0;
}

/** Names and actions: a job's own earlier skill is found by its marker; any other folder is never taken over. */
function planImport(mapped: MappedJob[], skillsDir: string, force: boolean, bundledDir: string | null): Planned[] {
  // A bundled skill's name is taken too: a user skill of that name would replace it.
  const taken = new Set<string>(bundledDir && existsSync(bundledDir) ? readdirSync(bundledDir) : []);
  const out: Planned[] = [];
  for (const job of mapped) {
    let name = job.baseName;
    for (let n = 2; ; n++) {
      const owner = markerOf(join(skillsDir, name));
      const free = !existsSync(join(skillsDir, name)) || owner === job.jobId;
      if (free && !taken.has(name)) break;
      name = `${job.baseName.slice(0, 60)}-${n}`;
    }
    taken.add(name);
    const text = JSON.stringify({ ...job.manifest, name }, null, 2) + '\n';
    const file = join(skillsDir, name, 'skill.json');
    let action: Action = 'create';
    if (existsSync(file)) {
      const same = readFileSync(file, 'utf8') === text;
      action = same ? 'unchanged' : force ? 'update' : 'kept';
    }
    out.push({ job, name, action, text });
  }
  return out;
}

function markerOf(dir: string): string | null {
  try {
    return readFileSync(join(dir, MARKER), 'utf8').trim();
  } catch {
    return null;
  }
}
