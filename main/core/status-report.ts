import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LAYER_NAMES, modeOf, scenarioOf, type LayerHealth, type LayerName, type Layers, type Mode, type Scenario, type SkillState } from '../common/health.js';
import type { SkillView } from '../common/layer-protocol.ts';
import type { LedgerEnd, LoadedSkill } from '../common/types.ts';
import { nextSlot, slotsBetween } from './cron.ts';
import type { HostState } from './host.ts';
import { readJsonl } from './jsonl.ts';
import { Ledger } from './ledger.ts';
import type { Logger } from './logger.ts';
import type { HomePaths } from './paths.ts';
import { discoverSkills, formatProblem } from './skill-loader.ts';
import { readPaused } from './paused.ts';
import { checkStorage } from './storage-health.ts';
import { withStorage } from './storage-view.ts';

export interface LayerTransition {
  layer: LayerName;
  status: LayerHealth['status'];
  at: string;
  reason: string;
}

export function isLayerTransition(v: unknown): v is LayerTransition {
  const e = v as LayerTransition;
  return typeof e === 'object' && e !== null && LAYER_NAMES.includes(e.layer) && typeof e.status === 'string' && typeof e.at === 'string';
}

export interface StatusReport {
  mode: Mode;
  scenario: Scenario | null;
  layers: Layers;
  host: { alive: boolean; pid: number | null; lastAlive: string | null };
  skills: SkillView[];
  generatedAt: string;
}

/** Host alive: its state file was refreshed recently and its process exists. */
export function readHostLiveness(paths: HomePaths, now: number, freshMs = 15_000): { alive: boolean; state: HostState | null } {
  let state: HostState | null = null;
  try {
    state = JSON.parse(readFileSync(paths.hostState, 'utf8')) as HostState;
  } catch {
    return { alive: false, state: null };
  }
  const fresh = now - Date.parse(state.last_alive) < freshMs;
  let exists = false;
  try {
    process.kill(state.pid, 0);
    exists = true;
  } catch (err) {
    exists = (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return { alive: fresh && exists, state };
}

export function latestLayerStates(paths: HomePaths, logger: Logger): Partial<Record<LayerName, LayerTransition>> {
  const out: Partial<Record<LayerName, LayerTransition>> = {};
  const file = join(paths.health, 'layers.jsonl');
  for (const t of readJsonl(file, logger, isLayerTransition)) out[t.layer] = t;
  return out;
}

/** Per skill, healthchecks-style: a slot past its time plus grace with nothing in the ledger is late. */
export function skillState(skill: LoadedSkill, ledger: Ledger, paused: Set<string>, now: number, hostAlive: boolean): { state: SkillState; reason: string } {
  const m = skill.manifest;
  if (!m) return { state: 'invalid', reason: skill.problems.map((p) => `${p.field}: ${p.message}`).join('; ') };
  if (!m.enabled) return { state: 'disabled', reason: 'enabled is false in skill.json' };
  if (paused.has(skill.name)) return { state: 'paused', reason: 'paused by the user' };
  const last = ledger.lastRun(skill.name);
  if (last && last.outcome !== 'success') return { state: 'failing', reason: `last run ${last.outcome}${last.error ? `: ${last.error}` : ''}` };
  const graceMs = (m.staleAfterMinutes ?? 2) * 60_000;
  const since = ledger.lastSlot(skill.name);
  if (since !== null) {
    const { total } = slotsBetween(m.schedule, m.timezone, since, now - graceMs, 1);
    if (total > 0) return { state: 'late', reason: `${total} slot(s) past their time by more than ${Math.round(graceMs / 60000)} min with no run${hostAlive ? '' : ' (the host is not running)'}` };
  }
  if (!last) return { state: 'pending', reason: 'no run yet' };
  return { state: 'ok', reason: '' };
}

/** One skill as every view shows it (CLI status, gateway, dashboard, tray). */
export function skillView(s: LoadedSkill, ledger: Ledger, paused: Set<string>, now: number, hostAlive: boolean, nextRun: number | null | undefined, running: { runId: string; since: number } | null): SkillView {
  const { state, reason } = skillState(s, ledger, paused, now, hostAlive);
  const recent = ledger.recentRuns(s.name);
  const last: LedgerEnd | undefined = recent[recent.length - 1];
  const m = s.manifest;
  const next = nextRun !== undefined ? nextRun : m && m.enabled ? nextSlot(m.schedule, m.timezone, now) : null;
  return {
    name: s.name,
    source: s.source,
    state,
    reason,
    description: m?.description ?? '',
    schedule: m?.schedule ?? null,
    scheduleText: null, // filled in by the views (schedule-words.ts)
    timezone: m?.timezone ?? null,
    enabled: m?.enabled ?? false,
    paused: paused.has(s.name),
    nextRun: next ? new Date(next).toISOString() : null,
    lastRun: last ? { runId: last.run_id, outcome: last.outcome, endedAt: last.ended_at, durationMs: last.duration_ms, ...(last.error ? { error: last.error } : {}) } : null,
    running: running ? { runId: running.runId, since: new Date(running.since).toISOString() } : null,
    recent: recent.slice(-30).map((r) => ({ outcome: r.outcome, endedAt: r.ended_at, durationMs: r.duration_ms })),
    successRate: recent.length ? recent.filter((r) => r.outcome === 'success').length / recent.length : null,
    runs: recent.length,
    problems: s.problems.map(formatProblem),
  };
}

/** Runtime health: not ok when the scheduler is not ticking, or skills are failing or late. */
export function runtimeHealth(alive: boolean, state: HostState | null, skills: SkillView[], at: string): LayerHealth {
  const failing = skills.filter((r) => r.state === 'failing' || r.state === 'late');
  if (!alive) return { status: 'failed', since: state?.last_alive ?? at, reason: state ? `the host stopped ticking at ${state.last_alive}` : 'the host has never run with this home' };
  if (failing.length > 0) return { status: 'failed', since: at, reason: `skills not ok: ${failing.map((r) => `${r.name} (${r.state})`).join(', ')}` };
  return { status: 'ok', since: state?.started_at ?? at, reason: 'scheduler ticking' };
}

export function buildStatusReport(paths: HomePaths, bundledDir: string | null, logger: Logger, now = Date.now()): StatusReport {
  const { alive, state } = readHostLiveness(paths, now);
  const ledger = new Ledger(paths.runs, logger);
  ledger.load();
  const paused = readPaused(paths);
  const reports = discoverSkills(bundledDir, paths.skills).map((s) => skillView(s, ledger, paused, now, alive, undefined, null));
  const latest = latestLayerStates(paths, logger);
  const at = new Date(now).toISOString();
  const layer = (name: 'session' | 'gateway'): LayerHealth => {
    if (!alive) return { status: 'failed', since: state?.last_alive ?? at, reason: 'the host is not running' };
    const t = latest[name];
    return t ? { status: t.status, since: t.at, reason: t.reason } : { status: 'failed', since: state?.started_at ?? at, reason: 'no health record yet' };
  };
  const layers: Layers = { session: layer('session'), gateway: layer('gateway'), runtime: runtimeHealth(alive, state, reports, at) };
  // Storage (finding 10): checked here from the file system itself, so a full disk is named even
  // while the host cannot write its state.
  const storageMode = withStorage(layers, checkStorage(paths.runs, paths.logs, now));
  return { mode: storageMode ?? modeOf(layers), scenario: scenarioOf(layers), layers, host: { alive, pid: state?.pid ?? null, lastAlive: state?.last_alive ?? null }, skills: reports, generatedAt: at };
}

/** The article's check, part 2: status files modified in the last `minutes`. */
export function freshStatusFiles(statusDir: string, now: number, minutes = 60): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(statusDir).filter((f) => f.endsWith('.txt'));
  } catch {
    return [];
  }
  return names.filter((f) => {
    try {
      return now - statSync(join(statusDir, f)).mtimeMs < minutes * 60_000;
    } catch {
      return false;
    }
  });
}
