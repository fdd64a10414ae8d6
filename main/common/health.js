// @ts-check
// The one vocabulary of health: layers, dependencies, per-skill states, modes, scenarios, colors,
// words and exit codes. Every view (CLI text and JSON, /health, /api/health, dashboard, tray,
// notifications) renders what `summarize` and `withLiveness` return; nothing else defines a
// title, a mode word or a color (test/common/health-vocabulary.test.ts enforces it).
// Plain JS with JSDoc types, so that the dashboard loads this very file in the browser.
import { formatTime } from './time-words.js';

/** @typedef {'session' | 'gateway' | 'runtime'} LayerName */
/**
 * `unknown`: a view that cannot know (the file-only `status` while no host answers); never called
 * failed.
 * @typedef {'ok' | 'failed' | 'restarting' | 'unknown'} LayerStatus
 */
/** @typedef {'operational' | 'degraded' | 'down'} Mode */
/**
 * `grey`: neutral, neither good nor bad (a skill that never ran, a state nobody can know).
 * @typedef {'green' | 'amber' | 'red' | 'grey'} Color
 */
/** @typedef {'ok' | 'late' | 'failing' | 'paused' | 'deferred' | 'tripped' | 'invalid' | 'disabled' | 'pending' | 'done'} SkillState */
/** @typedef {{ status: LayerStatus, since: string, reason: string }} LayerHealth */
/** @typedef {Record<LayerName, LayerHealth>} Layers */
/** `unknown`: not probed yet. @typedef {'ok' | 'down' | 'unknown'} DependencyStatus */
/**
 * @typedef {{ status: DependencyStatus, since: string, reason: string, latencyMs: number | null, neededBy: string[] }} DependencyHealth
 */
/** @typedef {{ name: string, state: SkillState, reason: string, deferred?: string[] | null }} SkillHealth */
/**
 * The home folder's file system, as far as health goes: `runs-failing` fails the runtime itself.
 * @typedef {{ status: 'ok' | 'logs-failing' | 'runs-failing', reason: string }} StorageState
 */
/**
 * A run's end as the views show it; `delivery` is a prompt skill's webhook delivery.
 * @typedef {{ outcome: string, error?: string | null, delivery?: { status: 'delivered' | 'failed', error?: string } | null }} RunEnd
 */
/**
 * @typedef {{
 *   id: 'runtime-down' | 'network-partition' | 'process-restart' | 'gateway-session-down' |
 *   'websocket-disconnect' | 'gateway-down' | 'layers-unknown' | 'dependency-down' | 'storage' |
 *   'skills-not-ok',
 *   title: string,
 *   message: string,
 * }} Scenario
 */

/** Display order of the layers, everywhere. @type {readonly LayerName[]} */
export const LAYER_NAMES = ['runtime', 'gateway', 'session'];

/** @type {Readonly<Record<LayerName, string>>} */
export const LAYER_TITLES = { runtime: 'Skill Runtime', gateway: 'Gateway Core', session: 'Session Layer' };

/** @type {Readonly<Record<LayerStatus, string>>} */
export const LAYER_STATUS_WORDS = { ok: 'OK', restarting: 'Restarting', failed: 'Down', unknown: 'Unknown' };

/** @type {Readonly<Record<Mode, string>>} */
export const MODE_WORDS = { operational: 'All systems operational', degraded: 'Degraded mode', down: 'Skills down' };

/** `clawkeeper status` (and `health`) exit codes. @type {Readonly<Record<Mode, number>>} */
export const MODE_EXIT_CODES = { operational: 0, degraded: 1, down: 2 };

/** What `GET /health` calls each mode (the article's script only reads the HTTP code, always 200). */
export const PUBLIC_STATUS = /** @type {const} */ ({ operational: 'ok', degraded: 'degraded', down: 'down' });

/** @type {Readonly<Record<SkillState, string>>} */
export const SKILL_STATE_WORDS = {
  ok: 'ok',
  late: 'late',
  failing: 'failing',
  paused: 'paused',
  deferred: 'waiting',
  tripped: 'tripped',
  invalid: 'invalid',
  disabled: 'disabled',
  pending: 'pending',
  /** A one-shot (`at`) skill whose slot is settled. */
  done: 'done',
};

/** Words for run outcomes, so a provider outage never reads like a broken skill. */
export const OUTCOME_WORDS = /** @type {const} */ ({
  success: 'success',
  failure: 'failed',
  timeout: 'timed out',
  crashed: 'crashed',
  interrupted: 'interrupted',
  'upstream-failure': 'provider failed',
  'budget-exceeded': 'over token budget',
});

/**
 * A run's outcome and error in words (`clawkeeper logs`, a failing skill's reason).
 * @param {{ outcome: string, error?: string | null }} e
 */
export function outcomeWords(e) {
  const why = e.error ? `: ${e.error}` : '';
  if (e.outcome === 'upstream-failure' || e.outcome === 'budget-exceeded') return `${OUTCOME_WORDS[e.outcome]}${why}`;
  return `${e.outcome}${why}`;
}

/** Whether a run produced its output but could not deliver it (a prompt skill's webhook). @param {RunEnd | null | undefined} e */
export function undelivered(e) {
  return !!e && e.outcome === 'success' && e.delivery?.status === 'failed';
}

/**
 * A run's end in words, delivery included: "success", "failed: exit 1", "success, not
 * delivered: getaddrinfo ENOTFOUND hooks.example". Every view's "last run" says this.
 * @param {RunEnd} e
 */
export function runWords(e) {
  if (undelivered(e)) return `success, not delivered${e.delivery?.error ? `: ${e.delivery.error}` : ''}`;
  return /** @type {Record<string, string>} */ (OUTCOME_WORDS)[e.outcome] ?? e.outcome;
}

/**
 * A run's color: a provider outage or an interruption is amber, an undelivered output red.
 * @param {RunEnd | { outcome: null }} e
 * @returns {Color}
 */
export function runColor(e) {
  if (e.outcome === null) return 'amber';
  if (undelivered(/** @type {RunEnd} */ (e))) return 'red';
  if (e.outcome === 'success') return 'green';
  return e.outcome === 'upstream-failure' || e.outcome === 'budget-exceeded' || e.outcome === 'interrupted' ? 'amber' : 'red';
}

/**
 * What a skill's last run says of it: failing (with why), or nothing (a success leaves the
 * state to the rest of the composition). The host's skillState and the dashboard between two
 * snapshots both ask this. A run whose output could not be delivered is not fine either.
 * @param {RunEnd | null | undefined} last
 * @returns {{ state: SkillState, reason: string } | null}
 */
export function lastRunVerdict(last) {
  if (!last) return null;
  if (undelivered(last)) return {
    state: 'failing',
    reason: `last run's output was not delivered${last.delivery?.error ? `: ${last.delivery.error}` : ''}`,
  };
  return last.outcome !== 'success' ? { state: 'failing', reason: `last run ${outcomeWords(last)}` } : null;
}

/**
 * A skill's state once one more run ended, before the host's next snapshot: states the host
 * decides from the last run (pending, ok, failing) follow it; the others (paused, tripped,
 * deferred, late…) wait for the snapshot.
 * @param {{ state: SkillState, reason: string }} s
 * @param {{ outcome: string, error?: string | null }} end
 * @returns {{ state: SkillState, reason: string }}
 */
export function stateAfterRun(s, end) {
  if (s.state !== 'pending' && s.state !== 'ok' && s.state !== 'failing') return { state: s.state, reason: s.reason };
  return lastRunVerdict(end) ?? { state: 'ok', reason: '' };
}

/** The title of the full-disk scenario, in every view (never "the host is not responding"). */
export const DISK_FULL_TITLE = 'Disk full';

/** The title of the article's partition scenario (also the notice when it starts). */
export const NETWORK_PARTITION_TITLE = 'Network partition';

/** Liveness: the host refreshes its snapshot and runs/_host.json at least every second; older than this, it is not responding. */
export const HOST_STALE_MS = 5000;

/** States that make the mode degraded (a skill that needs attention, or waits). An invalid skill is one the user must fix. */
const NOT_OK_STATES = /** @type {const} */ (['invalid', 'failing', 'late', 'deferred', 'tripped']);

/** @param {SkillState} state */
export function skillNeedsAttention(state) {
  return /** @type {readonly string[]} */ (NOT_OK_STATES).includes(state);
}

/** @param {Mode} mode @returns {Color} */
export function modeColor(mode) {
  return mode === 'operational' ? 'green' : mode === 'degraded' ? 'amber' : 'red';
}

/** @param {LayerStatus} status @returns {Color} */
export function layerColor(status) {
  return status === 'ok' ? 'green' : status === 'restarting' ? 'amber' : status === 'unknown' ? 'grey' : 'red';
}

/** A layer that is known to be down or coming back (`unknown` is neither). @param {LayerStatus} status */
function layerBad(status) {
  return status === 'failed' || status === 'restarting';
}

/** @param {DependencyStatus} status @returns {Color} */
export function dependencyColor(status) {
  return status === 'ok' ? 'green' : status === 'unknown' ? 'grey' : 'red';
}

/** @param {SkillState} state @returns {Color} */
export function skillColor(state) {
  if (state === 'ok' || state === 'done') return 'green';
  // A skill that never ran has proved nothing yet: neutral, never a green check.
  if (state === 'pending') return 'grey';
  if (state === 'paused' || state === 'disabled' || state === 'late' || state === 'deferred') return 'amber';
  return 'red';
}

/** Words and an icon for every color, so that color is never the only signal. */
export const COLOR_ICON = /** @type {const} */ ({ green: '✔', amber: '▲', red: '✖', grey: '○' });

/** @param {string[]} names @param {number} [max] */
function listNames(names, max = 5) {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** @param {number} n @param {string} one */
function plural(n, one) {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/**
 * The mode and the scenario, from everything health is made of. First match wins:
 * runtime not ok → "Skills down"; `network` down → "Network partition"; gateway and session
 * restarting → "Process restart"; both failed → "Gateway and session down"; session alone →
 * "WebSocket disconnect"; gateway alone → "Gateway down"; another dependency down → named;
 * some skill failing/late/deferred/tripped → named.
 * @param {Layers} layers
 * @param {Record<string, DependencyHealth>} dependencies
 * @param {SkillHealth[]} skills
 * @param {StorageState | null} [storage] logs or history that cannot be written (a full disk) degrade
 * @returns {{ mode: Mode, scenario: Scenario | null }}
 */
export function summarize(layers, dependencies, skills, storage = null) {
  // `unknown` is not called failed: only what is known to be down degrades.
  const s = layerBad(layers.session.status) ? layers.session.status : 'ok';
  const g = layerBad(layers.gateway.status) ? layers.gateway.status : 'ok';
  if (layers.runtime.status !== 'ok') {
    // A full disk stops runs (down) but is named as what it is, never as a dead host.
    if (storage?.status === 'runs-failing') return {
      mode: 'down', scenario: { id: 'storage', title: DISK_FULL_TITLE, message: `${storage.reason}.` },
    };
    return {
      mode: 'down',
      scenario: { id: 'runtime-down', title: 'Skills down', message: `${layers.runtime.reason || 'the scheduler is not running'}.` },
    };
  }
  const attention = skills.filter((k) => skillNeedsAttention(k.state));
  const downDeps = Object.entries(dependencies).filter(([, d]) => d.status === 'down');
  const diskTrouble = storage !== null && storage.status !== 'ok';
  // A layer nobody can vouch for is not called failed, but not "operational" either.
  const unknown = /** @type {LayerName[]} */ (['gateway', 'session']).filter((n) => layers[n].status === 'unknown');
  const degraded = s !== 'ok' || g !== 'ok' || downDeps.length > 0 || attention.length > 0 || diskTrouble || unknown.length > 0;
  if (!degraded) return { mode: 'operational', scenario: null };
  /** @param {Scenario} scenario */
  const deg = (scenario) => ({ mode: /** @type {Mode} */ ('degraded'), scenario });
  const net = dependencies.network;
  if (net && net.status === 'down') {
    const waiting = skills.filter((k) => k.state === 'deferred').map((k) => k.name);
    const running = skills.filter(
      (k) => k.state !== 'deferred' && k.state !== 'invalid' && k.state !== 'disabled' && k.state !== 'paused' && k.state !== 'done',
    ).map((k) => k.name);
    return deg({
      id: 'network-partition',
      title: NETWORK_PARTITION_TITLE,
      message: `the network is unreachable (${net.reason || 'probes fail'}); `
        + `${waiting.length ? `waiting: ${listNames(waiting)}` : 'no skill waits'}; `
        + `${running.length ? `still running: ${listNames(running)}` : 'no local skill'}.`,
    });
  }
  if (s === 'restarting' && g === 'restarting') {
    return deg({
      id: 'process-restart', title: 'Process restart',
      message: 'gateway and sessions are restarting; skills keep running and cron resumes by itself.',
    });
  }
  if (s !== 'ok' && g !== 'ok') {
    return deg({
      id: 'gateway-session-down', title: 'Gateway and session down',
      message: 'the dashboard API and session history are unavailable; skills keep running, on time.',
    });
  }
  if (s !== 'ok') {
    return deg({
      id: 'websocket-disconnect', title: 'WebSocket disconnect',
      message: 'session layer down; skills keep running, and session events resume when it is back.',
    });
  }
  if (g !== 'ok') return deg({ id: 'gateway-down', title: 'Gateway down', message: 'skills are still running.' });
  if (unknown.length > 0) {
    return deg({
      id: 'layers-unknown', title: `${unknown.map((n) => LAYER_TITLES[n]).join(' and ')}: state unknown`,
      message: `${layers[/** @type {LayerName} */ (unknown[0])].reason || 'nothing has recorded it'}; skills keep running.`,
    });
  }
  if (downDeps.length > 0) {
    const waiting = skills.filter((k) => k.state === 'deferred').map((k) => k.name);
    return deg({
      id: 'dependency-down',
      title: `${plural(downDeps.length, 'dependency')} down: ${listNames(downDeps.map(([n]) => n))}`,
      message: `${waiting.length ? `waiting: ${listNames(waiting)}` : 'no skill waits'}; other skills keep running.`,
    });
  }
  if (diskTrouble) {
    return deg({
      id: 'storage', title: DISK_FULL_TITLE,
      message: `${storage.reason}; skills keep running, run output and history are not kept until there is space.`,
    });
  }
  return deg(skillsNotOk(attention, skills));
}


/**
 * The banner for skills that need attention, by state (invalid ones named with why).
 * @param {SkillHealth[]} attention @param {SkillHealth[]} skills @returns {Scenario}
 */
function skillsNotOk(attention, skills) {
  /** @type {Partial<Record<SkillState, string[]>>} */
  const by = {};
  for (const k of attention) (by[k.state] ??= []).push(k.name);
  // Invalid skills are named with why, so the banner alone says what to fix (no hover needed).
  const why = (/** @type {string} */ n) => {
    const r = skills.find((k) => k.name === n)?.reason ?? '';
    return r ? `${n} — ${r.length > 140 ? `${r.slice(0, 139)}…` : r}` : n;
  };
  const parts = NOT_OK_STATES.filter((st) => by[st]).map((st) => {
    const names = /** @type {string[]} */ (by[st]);
    const more = names.length > 3 ? `; and ${names.length - 3} more` : '';
    const named = st === 'invalid' ? names.slice(0, 3).map(why).join('; ') + more : listNames(names);
    return `${plural(names.length, 'skill')} ${SKILL_STATE_WORDS[st]}: ${named}`;
  });
  return {
    id: 'skills-not-ok', title: parts[0] ?? 'Skills need attention',
    message: parts.length > 1 ? `${parts.slice(1).join('; ')}; other skills keep running.` : 'other skills keep running.',
  };
}

/**
 * A health value as seen at `now`: if the host has not refreshed it for HOST_STALE_MS, the
 * runtime is not responding, whatever the value said (a frozen host must never look green).
 * @template {{
 *   generatedAt: string, layers: Layers, dependencies: Record<string, DependencyHealth>,
 *   skills: SkillHealth[], mode: Mode, scenario: Scenario | null, storage?: StorageState
 * }} T
 * @param {T} report
 * @param {number} now
 * @returns {T}
 */
export function withLiveness(report, now) {
  const age = now - Date.parse(report.generatedAt);
  if (!(age > HOST_STALE_MS) || report.layers.runtime.status !== 'ok') return report;
  const layers = {
    ...report.layers,
    runtime: {
      status: /** @type {LayerStatus} */ ('failed'), since: report.generatedAt,
      reason: `the host is not responding (no update for ${Math.round(age / 1000)} s)`,
    },
  };
  return { ...report, layers, ...summarize(layers, report.dependencies, report.skills, report.storage ?? null) };
}

/**
 * The mode and scenario recomputed for layers a view knows better (the dashboard that cannot
 * reach the gateway).
 * @template {{ layers: Layers, dependencies: Record<string, DependencyHealth>, skills: SkillHealth[], storage?: StorageState }} T
 * @param {T} report @param {Layers} layers
 */
export function withLayers(report, layers) {
  return { ...report, layers, ...summarize(layers, report.dependencies ?? {}, report.skills, report.storage ?? null) };
}

/** The badge text of a skill, e.g. "waiting for network", "tripped until 14:05".
 * @param {{ state: SkillState, deferred?: string[] | null, breaker?: { state: string, until: string | null } | null }} s
 * @param {(iso: string) => string} [clock] formats a time of day
 */
export function skillBadge(s, clock = (iso) => formatTime(iso)) {
  if (s.state === 'deferred' && s.deferred?.length) return `waiting for ${s.deferred.join(', ')}`;
  if (s.state === 'tripped' && s.breaker?.until) return `tripped until ${clock(s.breaker.until)}`;
  return SKILL_STATE_WORDS[s.state];
}

/**
 * A skill's next run in words, the same in every view: "in 4s" when the next slot will start;
 * otherwise why not, with the slot that will when it is known ("08:36 — after cool-down",
 * "tomorrow 00:00 — day budget spent", "paused").
 * @param {{ nextRun: string | null, nextRunReason?: string | null }} s
 * @param {(iso: string) => string} at formats a time (time-words.js formatTime, with the skill's zone)
 * @param {(iso: string) => string} rel a relative time ("in 4s")
 */
export function nextRunWords(s, at, rel) {
  if (!s.nextRunReason) return s.nextRun ? rel(s.nextRun) : '—';
  return s.nextRun ? `${at(s.nextRun)} — ${s.nextRunReason}` : s.nextRunReason;
}
