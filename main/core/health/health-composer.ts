// The one composer of health. Its inputs come from the live host (LayerLink, for the gateway,
// the dashboard, the tray and notifications) or from the files alone (status-report.ts, for
// `clawkeeper status`); what it returns is what every view renders.
import { lastRunVerdict, summarize, type DependencyHealth, type LayerHealth, type Layers, type SkillState } from '../../common/health.js';
import type { HealthReport, SkillView } from '../../common/layer-protocol.ts';
import type { LedgerEnd, LoadedSkill } from '../../common/types.ts';
import type { BreakerView } from '../runs/breaker.ts';
import { nextSlotOf, scheduleLabel, skillSlots, slotSpecOf } from '../scheduling/slots.ts';
import { scheduleKindWords } from '../scheduling/schedule-kind-words.ts';
import { nextRunOf } from '../scheduling/slot-plan.ts';
import { formatTime } from '../../common/time-words.js';
import type { Ledger } from '../runs/ledger.ts';
import { formatProblem } from '../skills/skill-loader.ts';
import type { StorageHealth } from './storage-health.ts';

/** Runs per skill in a snapshot's `recent` (the sparkline's length). */
export const RECENT_SHOWN = 20;

export interface SkillFacts {
  paused: boolean;
  /** The note kept with the pause (runs/_paused.json), shown beside the state in every view. */
  pauseNote?: string | null;
  hostAlive: boolean;
  /** Needs of the skill that are down now. */
  deferredOn: string[];
  breaker: BreakerView | null;
  /** Model skills' token use (tokenHistory), or null. */
  tokens?: SkillView['tokens'];
}

/** Per skill, healthchecks-style. One next-slot computation says whether a slot is overdue. */
export function skillState(skill: LoadedSkill, ledger: Ledger, now: number, f: SkillFacts): { state: SkillState; reason: string } {
  const m = skill.manifest;
  if (!m) return { state: 'invalid', reason: skill.problems.map((p) => `${p.field}: ${p.message}`).join('; ') };
  if (!m.enabled) return { state: 'disabled', reason: 'enabled is false in skill.json' };
  if (f.paused) return { state: 'paused', reason: f.pauseNote ? `paused by the user: ${f.pauseNote}` : 'paused by the user' };
  if (f.breaker && f.breaker.state !== 'closed') {
    return {
      state: 'tripped',
      reason: f.breaker.state === 'half-open'
        ? `breaker half-open: a probe run decides after ${f.breaker.failures} failed runs`
        : `breaker open after ${f.breaker.failures} failed runs in a row, until ${formatTime(f.breaker.until, { zone: m.timezone, now })}`,
    };
  }
  const ss = skillSlots(skill.name, m);
  const once = ss.spec.kind === 'at' ? ledger.slot(skill.name, new Date(ss.spec.at).toISOString()) : undefined;
  if (once && once.lastOutcome !== 'running') {
    // A one-shot whose slot is settled: listed, not scheduled, never late, never an alarm.
    return { state: 'done', reason: `its one slot (${m.at}) ${once.lastOutcome ? `ran: ${once.lastOutcome}` : 'was recorded as not run'}` };
  }
  if (f.deferredOn.length > 0) return {
    state: 'deferred',
    reason: `waiting for ${f.deferredOn.join(', ')} (down); due slots run by catchUp=${m.catchUp.mode} when it is back`,
  };
  const last = ledger.lastRun(skill.name);
  const failing = lastRunVerdict(last);
  if (failing) return failing;
  const graceMs = (m.staleAfterMinutes ?? 2) * 60_000;
  const since = ledger.lastSlot(skill.name);
  if (since !== null) {
    // Late counts from when the slot starts: its jitter delay is not lateness.
    const due = nextSlotOf(ss.spec, since);
    if (due !== null && ss.startOf(due) <= now - graceMs) {
      return {
        state: 'late',
        reason: `the slot due ${formatTime(due, {
          zone: m.timezone, now, seconds: true,
        })} has not run after ${Math.round(graceMs / 60000)} min of grace${f.hostAlive ? '' : ' (the host is not running)'}`,
      };
    }
  }
  if (!last) return { state: 'pending', reason: 'no run yet' };
  return { state: 'ok', reason: '' };
}

/** One skill as every view shows it (CLI status, gateway, dashboard, tray). */
export function skillView(
  s: LoadedSkill, ledger: Ledger, now: number, f: SkillFacts, nextRun: number | null | undefined,
  running: { runId: string; since: number } | null,
): SkillView {
  const { state, reason } = skillState(s, ledger, now, f);
  const recent = ledger.recentRuns(s.name);
  const last: LedgerEnd | undefined = recent[recent.length - 1];
  const m = s.manifest;
  const gates = m && state !== 'done' ? {
    spec: slotSpecOf(m), timezone: m.timezone, enabled: m.enabled, paused: f.paused, deferred: f.deferredOn,
    breaker: f.breaker, tokens: f.tokens,
  } : null;
  const first = nextRun !== undefined ? nextRun : m && m.enabled ? nextStart(s.name, m, now) : null;
  const next = gates ? nextRunOf(gates, now, first) : { at: null, reason: null };
  return {
    name: s.name,
    source: s.source,
    state,
    reason,
    description: m?.description ?? '',
    schedule: m ? scheduleLabel(m) : null,
    // A cron schedule is put in words by the views (schedule-words.ts); the other kinds here.
    scheduleText: m ? scheduleKindWords(m) : null,
    timezone: m?.timezone ?? null,
    enabled: m?.enabled ?? false,
    paused: f.paused,
    pauseNote: f.paused && f.pauseNote ? f.pauseNote : null,
    needs: m?.needs ?? [],
    deferred: f.deferredOn.length > 0 ? f.deferredOn : null,
    breaker: f.breaker,
    tokens: f.tokens ?? null,
    nextRun: next.at,
    nextRunReason: next.reason,
    lastRun: last ? {
      runId: last.run_id, outcome: last.outcome, endedAt: last.ended_at, durationMs: last.duration_ms,
      ...(last.error ? { error: last.error } : {}), ...(last.delivery ? { delivery: last.delivery } : {}),
    } : null,
    running: running ? { runId: running.runId, since: new Date(running.since).toISOString() } : null,
    // As many as the dashboard's sparkline shows: with 200 skills this list is most of the
    // snapshot sent every second (30 made it 0.56 MB, 20 makes it 0.39 MB).
    recent: recent.slice(-RECENT_SHOWN).map((r) => ({ outcome: r.outcome, endedAt: r.ended_at, durationMs: r.duration_ms })),
    successRate: recent.length ? recent.filter((r) => r.outcome === 'success').length / recent.length : null,
    runs: recent.length,
    problems: s.problems.map(formatProblem),
  };
}

/** When the skill's next slot starts (jitter included), computed from the manifest alone. */
function nextStart(name: string, m: NonNullable<LoadedSkill['manifest']>, now: number): number | null {
  const ss = skillSlots(name, m);
  const t = nextSlotOf(ss.spec, now);
  return t === null ? null : ss.startOf(t);
}

export interface HealthInputs {
  now: number;
  host: { alive: boolean; pid: number | null; startedAt: string | null; lastAlive: string | null; notAliveReason?: string };
  /** What is known of the two network layers (the supervisor live, or layers.jsonl). */
  layers: { session: LayerHealth; gateway: LayerHealth };
  /** Something that stops the runtime from starting runs although the host ticks (e.g. a full disk). */
  runtimeProblem?: { since: string; reason: string } | null;
  dependencies: Record<string, DependencyHealth>;
  skills: SkillView[];
  /** The home folder's file system: run starts that cannot be written mean the runtime cannot run skills. */
  storage?: StorageHealth;
}

/** Runtime health: failed only when the runtime itself cannot do its job. One failing skill is not that. */
export function runtimeHealth(i: HealthInputs, at: string): LayerHealth {
  if (!i.host.alive) {
    return {
      status: 'failed', since: i.host.lastAlive ?? at,
      reason: i.host.notAliveReason
        ?? (i.host.lastAlive ? `the host stopped ticking at ${i.host.lastAlive}` : 'the host has never run with this home'),
    };
  }
  if (i.runtimeProblem) return { status: 'failed', since: i.runtimeProblem.since, reason: i.runtimeProblem.reason };
  if (i.storage?.status === 'runs-failing') return { status: 'failed', since: i.storage.since, reason: i.storage.reason };
  return { status: 'ok', since: i.host.startedAt ?? at, reason: 'scheduler ticking' };
}

/** While no run start can be written, no slot starts: the next run waits for space (slot-plan's gates, one more). */
function skillsUnderStorage(skills: SkillView[], storage: StorageHealth | undefined): SkillView[] {
  if (storage?.status !== 'runs-failing') return skills;
  return skills.map((s) => (s.nextRun || s.nextRunReason ? { ...s, nextRun: null, nextRunReason: 'when the disk has space again' } : s));
}

export function composeHealth(i: HealthInputs): HealthReport {
  const at = new Date(i.now).toISOString();
  i = { ...i, skills: skillsUnderStorage(i.skills, i.storage) };
  const layers: Layers = { session: i.layers.session, gateway: i.layers.gateway, runtime: runtimeHealth(i, at) };
  return {
    generatedAt: at,
    ...summarize(layers, i.dependencies, i.skills, i.storage ? { status: i.storage.status, reason: i.storage.reason } : null),
    layers,
    dependencies: i.dependencies,
    skills: i.skills,
    host: { alive: i.host.alive, pid: i.host.pid, startedAt: i.host.startedAt, lastAlive: i.host.lastAlive },
    ...(i.storage ? { storage: i.storage } : {}),
  };
}
