import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODE_EXIT_CODES } from '../common/health.js';
import { renderStatusText } from './status-view.ts';
import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { Host } from '../core/host/host.ts';
import { readJsonl } from '../core/home/jsonl.ts';
import { isLedgerEntry, Ledger } from '../core/runs/ledger.ts';
import type { Logger } from '../core/home/logger.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import { discoverSkills, formatProblems } from '../core/skills/skill-loader.ts';
import { validateSkills } from '../core/skills/skill-validation.ts';
import { buildStatusReport, freshStatusFiles, readHostLiveness } from '../core/health/status-report.ts';
import { rotateToken } from '../core/auth/token.ts';
import { paint, table } from './format.ts';
import type { HealthReport } from '../common/layer-protocol.ts';
import { liveLockHolder } from '../core/host/host-lock.ts';
import { withScheduleWords } from '../core/scheduling/schedule-words.ts';
import { askHost } from './ask-host.ts';
import { callHost } from './host-client.ts';
import { outcomeWords } from '../common/health.js';
import { tokensToday, usageWords } from '../core/models/usage-view.ts';
import { callGateway } from './gateway-client.ts';
import { exitCodeOf, healthVerdict } from './health-verdict.ts';
import { runEvidence } from '../core/health/run-evidence.ts';
import { formatTime } from '../common/time-words.js';
import { cliPorts } from './ports.ts';
import { scheduleLabel } from '../core/scheduling/slots.ts';
import { detachedSkills } from '../core/skills/openclaw-plan.ts';

/** `clawkeeper open`: a one-time login link for the dashboard, the code asked of the host over
 * host.sock (so the token never goes to whatever listens on the gateway's port). */
export async function openCommand(ctx: CliContext): Promise<number> {
  const home = resolveHome(ctx.env);
  const r = await askHost(home, { id: 1, op: 'login-code' });
  if (!r) {
    ctx.err(`clawkeeper open: no ClawKeeper host is running with ${home}; start it first (clawkeeper start)`);
    return 1;
  }
  if (!r.ok) {
    ctx.err(`clawkeeper open: ${r.error.message}`);
    return 1;
  }
  const port = (await cliPorts(ctx.env, ctx.logger)).gateway;
  const { code, expiresInSeconds } = r.result as { code: string; expiresInSeconds: number };
  ctx.out(`http://127.0.0.1:${port}/login#code=${code}`);
  ctx.out(`(one use, valid ${expiresInSeconds} s)`);
  return 0;
}

export function tokenCommand(ctx: CliContext, rotate: boolean): number {
  const file = homePaths(resolveHome(ctx.env)).token;
  if (!rotate) {
    ctx.out(`the token is in ${file} (mode 0600); \`clawkeeper token --rotate\` replaces it`);
    return 0;
  }
  rotateToken(file);
  ctx.out(
    `new token written to ${file}; the gateway and session layers use it from their next request, and browser sessions must log in again`,
  );
  return 0;
}

/**
 * `clawkeeper run`: the host that holds the home folder runs it (over host.sock), so its ledger,
 * `overlap` policy and queue see every run; only with no host holding host.lock does the CLI run
 * it itself.
 */
export async function runCommand(ctx: CliContext, name: string, opts: { force?: boolean } = {}): Promise<number> {
  const home = resolveHome(ctx.env);
  // --force runs a skill whose dependency is down (the host refuses it otherwise, naming it).
  const r = await askHost(home, { id: 1, op: 'run', skill: name, ...(opts.force ? { force: true } : {}) });
  if (!r) {
    ctx.out(`no ClawKeeper host is running with ${home}: running ${name} here`);
    return runLocalCommand(ctx, name);
  }
  if (!r.ok) {
    ctx.err(`clawkeeper run: ${r.error.message}`);
    return 1;
  }
  const { run_id: runId, queued, behind } = r.result as { run_id: string | null; queued: boolean; behind?: string | null };
  if (queued) {
    ctx.out(
      `${name}: queued by the host behind run ${behind ?? '(the running one)'}, which is still running; it starts when that one ends (\`clawkeeper logs ${name}\` shows it)`,
    );
    return 0;
  }
  if (!runId) {
    ctx.err(
      `clawkeeper run: the host did not start ${name} (it is stopping, or cannot write the run's start entry); \`clawkeeper status\` says why`,
    );
    return 1;
  }
  ctx.out(`${name}: started as run ${runId} by the host`);
  const ledgerFile = join(homePaths(resolveHome(ctx.env)).runs, `${name}.jsonl`);
  const deadline = Date.now() + 24 * 3600_000;
  while (Date.now() < deadline) {
    const end = readJsonl(ledgerFile, ctx.logger, isLedgerEntry).find((e) => e.type === 'end' && e.run_id === runId);
    if (end?.type === 'end') {
      ctx.out(`${name}: ${end.outcome} in ${end.duration_ms} ms${end.error ? `: ${end.error}` : ''}`);
      return end.outcome === 'success' ? 0 : 1;
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return 1;
}


export interface CliContext {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  logger: Logger;
}

/**
 * `clawkeeper status [--json]`: files only, so it answers with every server down. When the files
 * say the host is stale while a host still holds the home (a full disk stops it writing
 * runs/_host.json), it asks that host over host.sock: a live host is never reported dead.
 */
export async function statusCommand(ctx: CliContext, json: boolean): Promise<number> {
  const home = resolveHome(ctx.env);
  const paths = homePaths(home);
  let report: HealthReport = buildStatusReport(paths, bundledSkillsDir(), ctx.logger);
  if (!report.host.alive && liveLockHolder(paths.lock) !== null) {
    // A frozen host must not hold `status` up: 1.5 s, then the files' verdict stands.
    const live = await callHost(home, { id: 1, op: 'status' }, 1500);
    if (live?.ok) report = live.result as unknown as HealthReport;
  }
  const r = withScheduleWords(report);
  const code = MODE_EXIT_CODES[r.mode];
  if (json) {
    ctx.out(JSON.stringify(r, null, 2));
    return code;
  }
  for (const line of renderStatusText(r)) ctx.out(line);
  // Agent skills: tokens used today against the day budget.
  const tokenLines = discoverSkills(bundledSkillsDir(), paths.skills).flatMap((s) => {
    const words = s.manifest ? tokensToday(paths, s.manifest, Date.now()) : null;
    return words ? [`  ${s.name}: ${words}`] : [];
  });
  if (tokenLines.length > 0) ctx.out(['', 'TOKENS', ...tokenLines].join('\n'));
  return code;
}

/** `clawkeeper skills`: the same validation as `status`, `run` and the host (skill-validation.ts), every problem at once. */
export function skillsCommand(ctx: CliContext): number {
  const paths = homePaths(resolveHome(ctx.env));
  const { skills } = validateSkills(paths, bundledSkillsDir(), ctx.env);
  ctx.out(
    table([
      ['SKILL', 'SOURCE', 'SCHEDULE', 'STATE'],
      ...skills.map(
        (s) => [
          s.name, s.source,
          s.manifest
            ? `${scheduleLabel(s.manifest)}${s.manifest.timezone ? ` (${s.manifest.timezone})` : ''}${s.manifest.jitterSeconds ? ` +<${s.manifest.jitterSeconds}s` : ''}`
            : '-',
          s.manifest ? (s.manifest.enabled ? 'valid' : 'disabled') : paint('red', 'INVALID'),
        ],
      ),
    ]),
  );
  for (const d of detachedSkills(paths.skills)) ctx.out(
    `${d.name}: detached from OpenClaw job ${d.jobId} (edited by hand: imports leave it alone; \`import openclaw --force\` rewrites it)`,
  );
  const invalid = skills.filter((s) => !s.manifest);
  for (const s of invalid) {
    ctx.out('');
    ctx.out(`${s.name} is invalid and will not run (${s.problems.length} problem${s.problems.length === 1 ? '' : 's'}):`);
    ctx.out(formatProblems(s, '  '));
  }
  return invalid.length > 0 ? 1 : 0;
}

export async function runLocalCommand(ctx: CliContext, name: string): Promise<number> {
  const host = new Host({ home: resolveHome(ctx.env), bundledSkillsDir: bundledSkillsDir(), logger: ctx.logger, useTrigger: false });
  host.prepareLocal();
  const skill = host.listSkills().find((s) => s.name === name);
  if (!skill) {
    ctx.err(`clawkeeper run: no skill named "${name}"; \`clawkeeper skills\` lists them`);
    return 1;
  }
  if (!skill.manifest) {
    ctx.err(`clawkeeper run: skill "${name}" is invalid:\n${formatProblems(skill, '  ')}`);
    return 1;
  }
  ctx.out(`running ${name} locally in its own process...`);
  const end = await host.runLocal(name);
  if (!end) {
    ctx.err(`clawkeeper run: ${name} could not start`);
    return 1;
  }
  ctx.out(`${name}: ${end.outcome} in ${end.duration_ms} ms (run ${end.run_id})${end.error ? `: ${end.error}` : ''}`);
  for (const w of end.warnings ?? []) ctx.out(`  warning: ${w}`);
  if (end.log) ctx.out(`log: ${end.log}`);
  return end.outcome === 'success' ? 0 : 1;
}

export function logsCommand(ctx: CliContext, name: string, count: number): number {
  const paths = homePaths(resolveHome(ctx.env));
  const ledger = new Ledger(paths.runs, ctx.logger);
  const entries = ledger.readEntries(name);
  if (entries.length === 0) {
    const known = discoverSkills(bundledSkillsDir(), paths.skills).some((s) => s.name === name);
    ctx.err(
      known
        ? `clawkeeper logs: no runs recorded for "${name}" in ${paths.runs} yet`
        : `clawkeeper logs: no skill named "${name}"; \`clawkeeper skills\` lists them`,
    );
    return 1;
  }
  const shown = entries.filter((e) => e.type !== 'start').slice(-count);
  ctx.out(
    table([
      ['WHEN', 'WHAT', 'SLOT', 'DETAIL'],
      ...shown.map((e) =>
        e.type === 'end'
          ? [
            e.ended_at, `${e.outcome} (${e.trigger}${e.attempt > 1 ? ` #${e.attempt}` : ''})`, e.slot ?? '-',
            `${e.duration_ms} ms${e.error ? ` ${outcomeWords(e)}` : ''}${usageWords(e) ? ` ${usageWords(e)}` : ''}`,
          ]
          : [e.at, `skip ${e.reason}`, e.slot, `${e.count ? `${e.count} slots ` : ''}${e.detail ?? ''}`],
      ),
    ]),
  );
  // What the article's scripts read: the one line the last run wrote (control characters in it
  // are percent-encoded, so it stays one line).
  const statusFile = join(paths.status, `${name}.txt`);
  if (existsSync(statusFile)) ctx.out(`\nstatus line (${statusFile}):\n${readFileSync(statusFile, 'utf8').trimEnd()}`);
  const lastEnd = [...entries].reverse().find((e) => e.type === 'end');
  if (lastEnd?.type === 'end' && lastEnd.log && existsSync(lastEnd.log)) {
    ctx.out(`\n--- ${lastEnd.log} ---`);
    const text = readFileSync(lastEnd.log, 'utf8');
    ctx.out(text.length > 8000 ? `…${text.slice(-8000)}` : text);
  }
  return 0;
}

/**
 * `clawkeeper health`: the article's check (SEED.md) as a command, with its words where they are
 * true, and exit codes as `status`: 0 operational, 1 degraded, 2 down (health-verdict.ts).
 */
export async function healthCommand(ctx: CliContext): Promise<number> {
  const paths = homePaths(resolveHome(ctx.env));
  const port = (await cliPorts(ctx.env, ctx.logger)).gateway;
  // As the article's `curl -sf`: OK only for a 2xx answer.
  const reply = await callGateway(port, 'GET', '/health', null, undefined, 2000);
  const ok = reply !== null && reply.status >= 200 && reply.status < 300;
  const said = (reply?.body as { status?: unknown } | undefined)?.status;
  const gateway = !ok ? null : said === 'degraded' || said === 'down' ? said : 'ok';
  const now = Date.now();
  const fresh = freshStatusFiles(paths.status, now, 60);
  const hostAlive = readHostLiveness(paths, now).alive || (liveLockHolder(paths.lock) !== null && (await callHost(
    paths.home, { id: 1, op: 'status' }, 1500,
  ))?.ok === true);
  ctx.out(`Gateway (127.0.0.1:${port}/health): ${ok ? 'OK' : 'FAIL'}`);
  ctx.out(`Skill status files updated in the last 60 minutes: ${fresh.length}`);
  if (!ok) ctx.out(`Host: ${hostAlive ? 'running' : 'not running'}`);
  const v = healthVerdict({
    gateway, hostAlive, ...runEvidence(paths, bundledSkillsDir(), ctx.logger, now, ctx.env),
    time: (iso) => formatTime(iso, { now }),
  });
  ctx.out(v.line);
  if (v.why) ctx.out(`(${v.why})`);
  return exitCodeOf(v.mode);
}
