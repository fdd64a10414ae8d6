// `clawkeeper export kubernetes|systemd|launchd`: the skills for an external scheduler.
// Arguments and files here; each target is main/core/export/<target>.ts.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appRoot, bundledSkillsDir, serviceNode } from '../core/home/app-paths.ts';
import type { ExportContext, ExportResult } from '../core/export/export-plan.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import { sharedFolderProblem, writeFileNoFollow } from '../core/home/no-follow.ts';
import { readPaused } from '../core/skills/paused.ts';
import { discoverSkills } from '../core/skills/skill-loader.ts';
import type { CliContext } from './commands.ts';

export interface ExportOptions {
  image?: string;
  namespace?: string;
}

type Target = (skills: ReturnType<typeof discoverSkills>, ctx: ExportContext, o: ExportOptions) => ExportResult;

const TARGETS: Record<string, () => Promise<Target>> = {
  kubernetes: async () => (await import('../core/export/kubernetes.ts')).exportKubernetes,
  systemd: async () => (await import('../core/export/systemd.ts')).exportSystemd,
  launchd: async () => (await import('../core/export/launchd.ts')).exportLaunchd,
};

export const EXPORT_USAGE = `usage: clawkeeper export <target> [--out DIR] [options]
  Writes the skills (of $CLAWKEEPER_HOME/skills and the bundled ones) for an external scheduler,
  each calling \`clawkeeper run-once <skill>\`; lists every policy that does not map exactly.
targets:
  kubernetes [--image IMG] [--namespace NS]
                one batch/v1 CronJob per skill, a PersistentVolumeClaim mounted as CLAWKEEPER_HOME,
                and a Dockerfile for the image (build it from the app folder)
  systemd       a .service (ExecStart = run-once) and a .timer (OnCalendar=) per skill (user units)
  launchd       a LaunchAgent plist per skill (StartCalendarInterval)
options:
  --out DIR     where to write (default ./clawkeeper-<target>)
  --image IMG   container image (default clawkeeper:<version>)
  --namespace NS  Kubernetes namespace (default: none, kubectl's current one)`;

export async function exportCommand(ctx: CliContext, argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { out: { type: 'string' }, image: { type: 'string' }, namespace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    ctx.err(`clawkeeper export: ${(err as Error).message}\n${EXPORT_USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    ctx.out(EXPORT_USAGE);
    return 0;
  }
  const [target, extra] = positionals;
  const load = target ? TARGETS[target] : undefined;
  if (!target || !load || extra !== undefined) {
    const valid = Object.keys(TARGETS).join(', ');
    ctx.err(
      `clawkeeper export: ${!target ? 'name a target' : extra !== undefined ? `one target at a time ("${extra}" is extra)` : `unknown target "${target}"`}; valid targets: ${valid}\n${EXPORT_USAGE}`,
    );
    return 64;
  }
  if (target !== 'kubernetes' && (values.image !== undefined || values.namespace !== undefined)) {
    ctx.err(`clawkeeper export ${target}: --image and --namespace are for the kubernetes target only`);
    return 64;
  }
  const home = resolveHome(ctx.env);
  const paths = homePaths(home);
  const skills = discoverSkills(bundledSkillsDir(), paths.skills);
  const exportCtx: ExportContext = {
    home,
    node: serviceNode(process.execPath, process.versions.node),
    bin: join(appRoot(), 'bin', 'clawkeeper.js'),
    machineZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    paused: readPaused(paths),
    now: Date.now(),
  };
  const result = (await load())(skills, exportCtx, { image: values.image, namespace: values.namespace });
  const out = resolve(values.out ?? `clawkeeper-${target}`);
  // Unit files often end up run by root or launchd: each is written without following a link
  // planted at its name (no-follow.ts), into a folder nobody else can write.
  try {
    mkdirSync(out, { recursive: true, mode: 0o755 });
  } catch (err) {
    ctx.err(`clawkeeper export: cannot make ${out}: ${(err as Error).message}`);
    return 73;
  }
  const problem = sharedFolderProblem(out);
  if (problem) {
    ctx.err(
      `clawkeeper export: refusing to write into ${out}: ${problem}. Choose a folder of your own with --out (e.g. --out ~/clawkeeper-${target})`,
    );
    return 73;
  }
  try {
    for (const f of result.files) writeFileNoFollow(join(out, f.path), f.content, 0o644);
  } catch (err) {
    ctx.err(`clawkeeper export: cannot write into ${out}: ${(err as Error).message}`);
    return 73;
  }
  ctx.out(`wrote ${result.files.length} files to ${out}: ${result.files.map((f) => f.path).join(', ')}`);
  if (result.notes.length > 0) {
    ctx.out(`\nnot exact (${result.notes.length}; also written into the files):`);
    for (const n of result.notes) ctx.out(`  ${n.skill}: ${n.note}`);
  }
  if (result.next.length > 0) ctx.out(`\nnext:\n${result.next.map((l) => `  ${l}`).join('\n')}`);
  return 0;
}
