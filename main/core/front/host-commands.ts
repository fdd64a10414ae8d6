// The host's commands, in one place: the CLI (over host.sock) and the gateway (over IPC) both
// call executeCommand, so a run, a pause or a refusal is the same whichever front-end asked.
import { ClawError, errorMessage } from '../../common/errors.ts';
import { HOST_OPS, type HostReply, type HostRequest, type RunOnceReply, type RunStartedReply } from '../../common/host-protocol.ts';
import type { Host } from '../host/host.ts';
import { isSlotOf } from '../scheduling/slot-of.ts';
import type { LayerLink } from './layer-link.ts';
import { liveHealth, noLayers } from '../host/live-health.ts';
import type { HealthReport, Snapshot } from '../../common/layer-protocol.ts';

/** The health report within a snapshot (no metrics, ports or transitions). */
function healthOnly(s: Snapshot): HealthReport {
  const { generatedAt, mode, scenario, layers, dependencies, skills, storage } = s;
  const { alive, pid, startedAt, lastAlive } = s.host;
  return {
    generatedAt, mode, scenario, layers, dependencies, skills, host: { alive, pid, startedAt, lastAlive },
    ...(storage ? { storage } : {}),
  };
}
import { cleanPauseNote, PAUSE_NOTE_MAX } from '../skills/paused.ts';

const C = 'host';
/** What `clawkeeper open` prints is good for one minute (as the gateway's own login codes). */
const LOGIN_CODE_TTL_MS = 60_000;

/** Reads one request and answers it; never throws (a bad request becomes an error reply). */
export async function executeCommand(host: Host, link: LayerLink | null, request: HostRequest): Promise<HostReply> {
  const id = typeof request?.id === 'number' && Number.isFinite(request.id) ? request.id : null;
  try {
    const result = await execute(host, link, request);
    return { id, ok: true, result };
  } catch (err) {
    if (err instanceof ClawError) return { id, ok: false, error: { code: err.code, message: err.message } };
    host.logger.error(`command ${String(request?.op)} failed: ${errorMessage(err)}`);
    return { id, ok: false, error: { code: 'CK_INTERNAL', message: `[${C}] internal error: ${errorMessage(err)}` } };
  }
}

// May become async (a command that waits on something); executeCommand awaits it either way.
function execute(host: Host, link: LayerLink | null, req: HostRequest): Record<string, unknown> | Promise<Record<string, unknown>> {
  if (typeof req !== 'object' || req === null) throw new ClawError('CK_BAD_REQUEST', C, 'a request is a JSON object {"id":n,"op":...}');
  if (typeof req.id !== 'number') throw new ClawError('CK_BAD_REQUEST', C, 'the request has no numeric "id"');
  if (!HOST_OPS.includes(req.op)) {
    throw new ClawError('CK_BAD_REQUEST', C, `unknown op ${JSON.stringify(String(req.op)).slice(0, 80)}; one of ${HOST_OPS.join(', ')}`);
  }
  switch (req.op) {
    case 'status': {
      // What this host knows now, from memory: it answers even while it cannot write a file
      // (a full disk leaves runs/_host.json stale; the file-only view asks here then).
      const now = Date.now();
      if (link) return { ...healthOnly(link.snapshot()) };
      return { ...liveHealth(host, noLayers(new Date(now).toISOString()), host.started || now, now) };
    }
    case 'login-code': {
      if (!link) throw new ClawError('CK_UNAVAILABLE', C, 'this host runs without its gateway, so there is no dashboard to log in to');
      return { code: link.loginCode(LOGIN_CODE_TTL_MS), expiresInSeconds: LOGIN_CODE_TTL_MS / 1000 };
    }
    case 'run': {
      const name = knownSkill(host, req.skill);
      const r = host.runNow(name, { force: req.force === true });
      if (!r) throw invalid(host, name);
      if ('refused' in r) throw new ClawError(r.refused.code, C, r.refused.message);
      // Queued: behind which run, so the caller can say so (never "started as run null").
      const behind = r.queued ? (host.runningId(name) ?? null) : null;
      return { run_id: r.runId, queued: r.queued, ...(r.queued ? { behind } : {}) } satisfies RunStartedReply;
    }
    case 'pause': {
      const name = knownSkill(host, req.skill);
      const note = pauseNote(req.note);
      host.pause(name, note);
      return { paused: true, ...(note ? { note } : {}) };
    }
    case 'resume':
      host.resume(knownSkill(host, req.skill));
      return { paused: false };
    case 'reset-breaker':
      return resetBreaker(host, knownSkill(host, req.skill));
    case 'run-once':
      return { ...runOnce(host, req) };
    case 'backfill': {
      const name = knownSkill(host, req.skill);
      if (typeof req.from !== 'string' || typeof req.to !== 'string') throw new ClawError(
        'CK_BAD_REQUEST', C, 'backfill needs "from" and "to", ISO-8601 times',
      );
      if (req.max !== undefined && typeof req.max !== 'number') throw new ClawError('CK_BAD_REQUEST', C, '"max" is a number');
      return {
        ...host.backfills.start(name, {
          from: req.from, to: req.to, dryRun: req.dryRun === true, ...(req.max !== undefined ? { max: req.max } : {}),
        }),
      };
    }
    case 'alerts-test': {
      if (!host.alerts) throw new ClawError('CK_UNAVAILABLE', C, 'this host runs without alerts');
      if (req.channel !== undefined && typeof req.channel !== 'string') throw new ClawError(
        'CK_BAD_REQUEST', C, '"channel" is a channel name from config.json alerts.channels',
      );
      return host.alerts.test(req.channel).then((answers) => ({ answers }));
    }
  }
}

/** A pause's note: optional, one line, at most PAUSE_NOTE_MAX characters. */
function pauseNote(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') throw new ClawError('CK_BAD_REQUEST', C, '"note" is a string (why the skill is paused)');
  if (raw.length > PAUSE_NOTE_MAX) throw new ClawError(
    'CK_BAD_REQUEST', C, `the pause note is ${raw.length} characters; keep it to ${PAUSE_NOTE_MAX}`,
  );
  return cleanPauseNote(raw);
}

/** Closes a tripped breaker; a skill with `breaker: false` has none to reset (refused, saying so). */
function resetBreaker(host: Host, name: string): Record<string, unknown> {
  const m = host.listSkills().find((s) => s.name === name)?.manifest;
  if (!m) throw invalid(host, name);
  if (m.breaker === false) throw new ClawError(
    'CK_CONFLICT', C,
    `skill "${name}" has no circuit breaker (breaker: false in skill.json), so there is nothing to reset`,
  );
  const was = host.breakerView(name)?.state ?? 'closed';
  host.resetBreaker(name);
  return { breaker: 'closed', was };
}

/** A slot handed over by `clawkeeper run-once`: run by this host unless the ledger already has it. */
function runOnce(host: Host, req: HostRequest): RunOnceReply {
  const name = knownSkill(host, req.skill);
  if (!host.listSkills().find((s) => s.name === name)?.manifest) throw invalid(host, name);
  const t = typeof req.slot === 'string' ? Date.parse(req.slot) : NaN;
  if (!Number.isFinite(t)) throw new ClawError(
    'CK_BAD_REQUEST', C, `run-once needs "slot", an ISO-8601 time (got ${JSON.stringify(req.slot ?? null)})`,
  );
  const trigger = req.trigger ?? 'schedule';
  if (trigger !== 'schedule' && trigger !== 'manual') throw new ClawError(
    'CK_BAD_REQUEST', C, `"trigger" is schedule or manual (got ${JSON.stringify(trigger)})`,
  );
  // The ledger's slot key is the canonical ISO form: "2026-01-01T00:00Z" and
  // "2026-01-01T00:00:00.000Z" are the same slot.
  const slot = new Date(t).toISOString();
  const m = host.listSkills().find((s) => s.name === name)!.manifest!;
  if (!isSlotOf(m, t)) {
    throw new ClawError(
      'CK_BAD_REQUEST', C,
      `"slot" ${slot} is not a slot of ${name}'s schedule "${m.schedule}"${m.timezone ? ` (${m.timezone})` : ''}; \`clawkeeper run-once ${name}\` without --slot takes the newest one`,
    );
  }
  if (host.ledger.hasSlot(name, slot)) return { run_id: null, queued: false, done: true };
  const r = host.dispatch({ skill: name, slot, trigger, queue: true });
  // Not started and not queued: the host recorded why (a paused skill's slot gets a skip entry),
  // or it is stopping. Either way the caller must not run it itself.
  return { run_id: r.runId, queued: r.queued, done: r.runId === null && !r.queued && host.ledger.hasSlot(name, slot) };
}

function knownSkill(host: Host, skill: unknown): string {
  if (typeof skill !== 'string' || skill === '') throw new ClawError('CK_BAD_REQUEST', C, 'this op needs "skill", a skill name');
  if (!host.listSkills().some((s) => s.name === skill)) {
    throw new ClawError('CK_NOT_FOUND', C, `no skill named ${JSON.stringify(skill.slice(0, 80))}; \`clawkeeper skills\` lists them`);
  }
  return skill;
}

function invalid(host: Host, name: string): ClawError {
  const problems = host.listSkills().find((s) => s.name === name)?.problems ?? [];
  const detail = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new ClawError(
    'CK_SKILL_INVALID', C,
    `skill "${name}" is invalid and cannot run${detail ? `: ${detail}` : ''}; \`clawkeeper skills\` shows every problem`,
  );
}
