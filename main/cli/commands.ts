import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modeColor, layerColor, skillColor, LAYER_NAMES } from '../common/health.js';
import { bundledSkillsDir } from '../core/app-paths.ts';
import { Host } from '../core/host.ts';
import { readJsonl } from '../core/jsonl.ts';
import { isLedgerEntry, Ledger } from '../core/ledger.ts';
import type { Logger } from '../core/logger.ts';
import { homePaths, resolveHome } from '../core/paths.ts';
import { scheduleInWords } from '../core/schedule-words.ts';
import { discoverSkills, formatProblems } from '../core/skill-loader.ts';
import { buildStatusReport, freshStatusFiles } from '../core/status-report.ts';
import { rotateToken } from '../core/token.ts';
import { outcomeWords, tokensToday, usageWords } from '../core/models/usage-view.ts';
import { ago, paint, table } from './format.ts';
import { callGateway } from './gateway-client.ts';

function readToken(ctx: CliContext): string | null {
  try {
    return readFileSync(homePaths(resolveHome(ctx.env)).token, 'utf8').trim();
  } catch {
    return null;
  }
}

/** `clawkeeper open`: a one-time login link for the dashboard (the code is in the fragment). */
export async function openCommand(ctx: CliContext): Promise<number> {
  const port = gatewayPort(ctx.env);
  const token = readToken(ctx);
  if (!token) {
    ctx.err(`clawkeeper open: no token in ${homePaths(resolveHome(ctx.env)).token}; start the host first (clawkeeper start)`);
    return 1;
  }
  const r = await callGateway(port, 'POST', '/api/login-codes', token);
  if (!r || r.status !== 201) {
    ctx.err(`clawkeeper open: the gateway on 127.0.0.1:${port} ${r ? `answered ${r.status}` : 'does not answer'}; \`clawkeeper status\` says why`);
    return 1;
  }
  const { code, expiresInSeconds } = r.body as { code: string; expiresInSeconds: number };
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
  ctx.out(`new token written to ${file}; the gateway and session layers use it from their next request, and browser sessions must log in again`);
  return 0;
}

/** `clawkeeper run`: through the gateway when it answers, else locally, saying so. */
export async function runCommand(ctx: CliContext, name: string): Promise<number> {
  const port = gatewayPort(ctx.env);
  const token = readToken(ctx);
  const r = token ? await callGateway(port, 'POST', `/api/skills/${encodeURIComponent(name)}/run`, token) : null;
  if (!r || r.status >= 500) {
    ctx.out(`the gateway on 127.0.0.1:${port} ${r ? `answered ${r.status}` : 'does not answer'}: running ${name} locally instead`);
    return runLocalCommand(ctx, name);
  }
  if (r.status !== 202) {
    const msg = (r.body as { error?: { message?: string } })?.error?.message ?? JSON.stringify(r.body);
    ctx.err(`clawkeeper run: ${msg}`);
    return 1;
  }
  const { run_id: runId, queued } = r.body as { run_id: string | null; queued: boolean };
  ctx.out(`${name}: ${queued ? 'queued behind the running one' : `started as run ${runId}`} via the gateway`);
  if (!runId) return 0;
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

export function gatewayPort(env: NodeJS.ProcessEnv): number {
  const n = Number(env.CLAWKEEPER_GATEWAY_PORT ?? 3019);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 3019;
}

export function sessionPort(env: NodeJS.ProcessEnv): number {
  const n = Number(env.CLAWKEEPER_SESSION_PORT ?? 3020);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 3020;
}

/** `clawkeeper status [--json]`: files only, so it answers with every server down. */
export function statusCommand(ctx: CliContext, json: boolean): number {
  const paths = homePaths(resolveHome(ctx.env));
  const r = buildStatusReport(paths, bundledSkillsDir(), ctx.logger);
  const code = r.mode === 'operational' ? 0 : r.mode === 'degraded' ? 1 : 2;
  if (json) {
    ctx.out(JSON.stringify(r, null, 2));
    return code;
  }
  ctx.out(`${paint(modeColor(r.mode), `● ${r.mode.toUpperCase()}`)}${r.scenario ? ` — ${r.scenario.title}: ${r.scenario.message}` : ''}`);
  ctx.out(
    table([
      ['LAYER', 'STATE', 'SINCE', 'REASON'],
      ...LAYER_NAMES.map((n) => [n, paint(layerColor(r.layers[n].status), r.layers[n].status), ago(r.layers[n].since), r.layers[n].reason]),
    ]),
  );
  ctx.out('');
  ctx.out(
    table([
      ['SKILL', 'STATE', 'SCHEDULE', 'LAST RUN', 'NEXT RUN', 'NOTE'],
      ...r.skills.map((s) => [
        s.name,
        paint(skillColor(s.state), s.state),
        s.schedule ? scheduleInWords(s.schedule) : '-',
        s.lastRun ? `${s.lastRun.outcome} ${ago(s.lastRun.endedAt)}` : '-',
        s.nextRun ? ago(s.nextRun) : '-',
        s.reason.slice(0, 100),
      ]),
    ]),
  );
  // Agent skills: tokens used today against the day budget.
  const tokenLines = discoverSkills(bundledSkillsDir(), paths.skills).flatMap((s) => {
    const words = s.manifest ? tokensToday(paths, s.manifest, Date.now()) : null;
    return words ? [`  ${s.name}: ${words}`] : [];
  });
  if (tokenLines.length > 0) ctx.out(['', 'TOKENS', ...tokenLines].join('\n'));
  return code;
}

export function skillsCommand(ctx: CliContext): number {
  const paths = homePaths(resolveHome(ctx.env));
  const skills = discoverSkills(bundledSkillsDir(), paths.skills);
  ctx.out(table([['SKILL', 'SOURCE', 'SCHEDULE', 'STATE'], ...skills.map((s) => [s.name, s.source, s.manifest ? `${s.manifest.schedule}${s.manifest.timezone ? ` (${s.manifest.timezone})` : ''}` : '-', s.manifest ? (s.manifest.enabled ? 'valid' : 'disabled') : paint('red', 'INVALID')])]));
  const invalid = skills.filter((s) => !s.manifest);
  for (const s of invalid) {
    ctx.out('');
    ctx.out(`${s.name} is invalid and will not run:`);
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
    ctx.err(`clawkeeper logs: no runs recorded for "${name}" in ${paths.runs}`);
    return 1;
  }
  const shown = entries.filter((e) => e.type !== 'start').slice(-count);
  ctx.out(
    table([
      ['WHEN', 'WHAT', 'SLOT', 'DETAIL'],
      ...shown.map((e) =>
        e.type === 'end'
          ? [e.ended_at, `${e.outcome} (${e.trigger}${e.attempt > 1 ? ` #${e.attempt}` : ''})`, e.slot ?? '-', `${e.duration_ms} ms${e.error ? ` ${outcomeWords(e)}` : ''}${usageWords(e) ? ` ${usageWords(e)}` : ''}`]
          : [e.at, `skip ${e.reason}`, e.slot, `${e.count ? `${e.count} slots ` : ''}${e.detail ?? ''}`],
      ),
    ]),
  );
  const lastEnd = [...entries].reverse().find((e) => e.type === 'end');
  if (lastEnd?.type === 'end' && lastEnd.log && existsSync(lastEnd.log)) {
    ctx.out(`\n--- ${lastEnd.log} ---`);
    const text = readFileSync(lastEnd.log, 'utf8');
    ctx.out(text.length > 8000 ? `…${text.slice(-8000)}` : text);
  }
  return 0;
}

/** `clawkeeper health`: the article's check (SEED.md), as a command with the same words. */
export async function healthCommand(ctx: CliContext): Promise<number> {
  const paths = homePaths(resolveHome(ctx.env));
  const port = gatewayPort(ctx.env);
  // As the article's `curl -sf`: OK only for a 2xx answer.
  const reply = await callGateway(port, 'GET', '/health', null, undefined, 2000);
  const gateway = reply !== null && reply.status >= 200 && reply.status < 300;
  const fresh = freshStatusFiles(paths.status, Date.now(), 60);
  ctx.out(`Gateway (127.0.0.1:${port}/health): ${gateway ? 'OK' : 'FAIL'}`);
  ctx.out(`Skill status files updated in the last 60 minutes: ${fresh.length}`);
  if (!gateway && fresh.length > 0) {
    ctx.out('Gateway down but skills running - Graceful degradation mode');
    return 1;
  }
  ctx.out('All systems operational');
  return 0;
}
