// `clawkeeper run <name> --dry-run`: runs the skill with a model client that sends nothing. Each
// prompt is printed with its token count and what the budget allows; no ledger entry, no status
// file, no output file, no log is written (a JS skill's own code still runs as written: it gets a
// `dryRun`-marked empty reply from ctx.model).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { dayTokensLeft, spentOn } from '../core/models/day-budget.ts';
import { localDay } from '../core/scheduling/local-day.ts';
import { prepareAgent } from '../core/models/run-agent.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import { discoverSkills, formatProblems } from '../core/skills/skill-loader.ts';
import type { CliContext } from './commands.ts';

const CHILD_MODULE = fileURLToPath(new URL('../core/runs/skill-child.js', import.meta.url));

export async function dryRunCommand(ctx: CliContext, name: string): Promise<number> {
  const paths = homePaths(resolveHome(ctx.env));
  const skill = discoverSkills(bundledSkillsDir(), paths.skills).find((s) => s.name === name);
  if (!skill) {
    ctx.err(`clawkeeper run --dry-run: no skill named "${name}"; \`clawkeeper skills\` lists them`);
    return 1;
  }
  const m = skill.manifest;
  if (!m) {
    ctx.err(`clawkeeper run --dry-run: skill "${name}" is invalid:\n${formatProblems(skill, '  ')}`);
    return 1;
  }
  if (!m.model) {
    ctx.out(`${name} uses no model: a dry run has nothing to show (it would send nothing anyway)`);
    return 0;
  }
  const now = Date.now();
  const b = m.budget;
  const budgetWords = [
    b?.tokensPerRun !== undefined ? `tokensPerRun=${b.tokensPerRun}` : null,
    b?.tokensPerDay !== undefined ? `tokensPerDay=${b.tokensPerDay} (${spentOn(
      paths, name, localDay(now, m.timezone),
    )} used today, ${dayTokensLeft(paths, m, now)} left)` : null,
  ].filter(Boolean);
  ctx.out(
    `dry run of ${name}: model "${m.model.name}", budget ${budgetWords.length ? budgetWords.join(', ') : 'none'}; nothing is sent or written`,
  );
  const runId = `dry-run-${now.toString(36)}`;
  const agent = prepareAgent(
    {
      manifest: m, dir: skill.dir, home: paths.home, runId, slot: null, trigger: 'manual',
      dayTokensLeft: dayTokensLeft(paths, m, now), dryRun: true,
    },
    ctx.env,
    now,
    now + m.timeoutSeconds * 1000,
  );
  if (agent.error) {
    ctx.err(`clawkeeper run --dry-run: ${agent.error}`);
    return 1;
  }
  const env: NodeJS.ProcessEnv = { ...ctx.env, ...m.env };
  for (const k of agent.secretEnv) delete env[k];
  env.CLAWKEEPER_RUN_SPEC = JSON.stringify({
    entry: m.entry ? `${skill.dir}/${m.entry}` : '',
    context: { name, runId, slot: null, home: paths.home, trigger: 'manual', attempt: 1 },
    ...agent.spec,
  });
  // The skill's output goes straight to this terminal: no log file is written.
  const child = fork(CHILD_MODULE, [], {
    cwd: skill.dir, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json', execArgv: [],
  });
  child.stdout?.on('data', (c: Buffer) => ctx.out(c.toString().replace(/\n$/, '')));
  child.stderr?.on('data', (c: Buffer) => ctx.err(c.toString().replace(/\n$/, '')));
  const seen: { error?: string } = {};
  child.on('message', (msg: { type?: string; message?: string }) => {
    if (msg?.type === 'error') seen.error = String(msg.message);
    // No key in a dry run (nothing is sent); a prompt skill's text comes with the reply.
    if (msg?.type === 'model-key-request') child.send(agent.keyReply());
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  ctx.out(code === 0 ? `dry run of ${name} done` : `dry run of ${name} ended with an error${seen.error ? `: ${seen.error}` : ''}`);
  return code === 0 ? 0 : 1;
}
