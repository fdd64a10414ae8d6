// @ts-check
// Pure functions from what the data source says to what the dashboard shows. No DOM here, so
// they are tested under Node.
import { stateAfterRun, withLayers, withLiveness } from 'clawkeeper/common/health.js';
import { formatTime, relativeTime } from 'clawkeeper/common/time-words.js';

/**
 * The snapshot as the browser can vouch for it: a gateway it cannot reach is failed, whatever the
 * last snapshot said; live session events update runs between snapshots (layers: snapshots only).
 * A session connection that was open and dropped says the same of the session layer, at once.
 * A snapshot the host has not refreshed for 5 s (while its source answers) says the runtime is
 * not responding, as every other view does.
 * @param {any} snap
 * @param {{ gateway: boolean, session: boolean, sessionSeen?: boolean, detail?: string }} reach
 * @param {number} lostAt when the gateway stopped answering (ms), or 0
 * @param {number} [now]
 */
export function effectiveState(snap, reach, lostAt, now = Date.now()) {
  if (!snap) return null;
  if (reach.gateway) snap = withLiveness({ dependencies: {}, ...snap }, now);
  const layers = { ...snap.layers };
  if (!reach.gateway) {
    layers.gateway = {
      status: 'failed', since: new Date(lostAt || Date.now()).toISOString(),
      reason: 'the dashboard cannot reach the gateway',
    };
  }
  if (reach.sessionSeen && !reach.session && layers.session.status === 'ok') {
    layers.session = {
      status: 'failed', since: new Date().toISOString(),
      reason: 'the dashboard lost its connection to the session layer',
    };
  }
  return withLayers({ dependencies: {}, ...snap }, layers);
}

/**
 * Applies one live event from the host's session to the snapshot (returns a new one).
 * @param {any} snap
 * @param {{ kind: string, data: any }} e
 */
export function applyEvent(snap, e) {
  if (!snap) return snap;
  // Layer states come only from the host's snapshot (polled every 500 ms), never from an event:
  // whatever reaches the session cannot paint a layer green.
  if (e.kind === 'layer') return snap;
  const name = e.data?.skill;
  if (!name) return snap;
  const skills = snap.skills.map((/** @type {any} */ s) => {
    if (s.name !== name) return s;
    if (e.kind === 'run-start') return { ...s, running: { runId: e.data.runId, since: e.data.startedAt } };
    if (e.kind === 'run-end') {
      const d = e.data;
      const recent = [...s.recent, {
        outcome: d.outcome, endedAt: d.ended_at, durationMs: d.duration_ms,
      }].slice(-20); // as the host's snapshot (RECENT_SHOWN)
      return {
        ...s,
        // Until the next snapshot: a skill that was "pending, no run yet" has a run now.
        ...stateAfterRun(s, d),
        running: s.running?.runId === d.run_id ? null : s.running,
        lastRun: { runId: d.run_id, outcome: d.outcome, endedAt: d.ended_at, durationMs: d.duration_ms, error: d.error },
        recent,
        runs: s.runs + 1,
        successRate: recent.filter((/** @type {any} */ r) => r.outcome === 'success').length / recent.length,
      };
    }
    return s;
  });
  return { ...snap, skills };
}

/** When an event happened, by the host's clock (null if it carries no time). @param {{ kind: string, data: any }} e */
export function eventTime(e) {
  const t = e.kind === 'run-end' ? e.data?.ended_at : e.kind === 'run-start' ? e.data?.startedAt : e.kind === 'layer' ? e.data?.at : null;
  return typeof t === 'string' ? Date.parse(t) : null;
}

/**
 * A snapshot can arrive after live events it does not include yet (it was taken a moment
 * before them): the events newer than the snapshot are applied again on top, so the view never
 * steps back.
 * @param {any} snap @param {{ kind: string, data: any }[]} recent
 */
export function rebase(snap, recent) {
  const at = Date.parse(snap.generatedAt);
  let out = snap;
  for (const e of recent) {
    const t = eventTime(e);
    if (t !== null && t > at) out = applyEvent(out, e);
  }
  return out;
}

/** @param {string | null | undefined} iso @param {number} now */
export function relative(iso, now) {
  return relativeTime(iso, now);
}

/**
 * How long ago something that has happened happened: "0s ago", never "in 1s" for a moment that
 * came after the page's clock last ticked (a run's start, a layer's change).
 * @param {string | null | undefined} iso @param {number} now
 */
export function ago(iso, now) {
  const t = iso ? Date.parse(iso) : NaN;
  return relativeTime(iso, Number.isFinite(t) ? Math.max(now, t) : now);
}

/** @param {number | null | undefined} x */
export function percent(x) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(x === 1 ? 0 : 1)}%`;
}

/**
 * Series for the 24-hour timeline: one stepped line per layer (1 ok, 0.5 restarting, 0 failed),
 * offset so the three do not overlap, and run outcomes as points.
 * @param {any} snap @param {number} now
 */
export function timelineData(snap, now) {
  const from = now - 24 * 3600_000;
  const level = (/** @type {string} */ st) => (st === 'ok' ? 1 : st === 'restarting' ? 0.5 : 0);
  const layers = ['runtime', 'gateway', 'session'];
  /** @type {Set<number>} */
  const times = new Set([Math.floor(from / 1000), Math.floor(now / 1000)]);
  const trans = (snap.transitions ?? []).filter((/** @type {any} */ t) => Date.parse(t.at) >= from);
  for (const t of trans) times.add(Math.floor(Date.parse(t.at) / 1000));
  /** @type {Map<number, { ok: number, bad: number }>} */
  const runsAt = new Map();
  for (const s of snap.skills) for (const r of s.recent) {
    const t = Math.floor(Date.parse(r.endedAt) / 1000);
    if (t * 1000 < from) continue;
    times.add(t);
    const v = runsAt.get(t) ?? { ok: 0, bad: 0 };
    if (r.outcome === 'success') v.ok++;
    else v.bad++;
    runsAt.set(t, v);
  }
  // Draw only what the files know: nothing before this host started (a host 31 s old knows 31 s),
  // unless a transition in the window says what the layer was.
  const started = Date.parse(snap.host?.startedAt ?? '');
  const knownFrom = Number.isFinite(started) && started > from ? Math.floor(started / 1000) : Math.floor(from / 1000);
  times.add(knownFrom);
  const xs = [...times].sort((a, b) => a - b);
  const series = layers.map((name, i) => {
    /** @type {string | null} */
    let state = snap.layers[name]?.status ?? 'ok';
    const own = trans.filter((/** @type {any} */ t) => t.layer === name);
    // the state before the first transition in the window: known only for a host older than the window
    if (own.length) state = knownFrom > Math.floor(from / 1000) ? null : own[0].status === 'ok' ? 'failed' : 'ok';
    let j = 0;
    return xs.map((x) => {
      while (j < own.length && Math.floor(Date.parse(own[j].at) / 1000) <= x) state = own[j++].status;
      if (x < knownFrom && j === 0) return null;
      return state === null || state === 'unknown' ? null : i * 1.5 + level(state);
    });
  });
  const ok = xs.map((x) => (runsAt.get(x)?.ok ? 4.2 : null));
  const bad = xs.map((x) => (runsAt.get(x)?.bad ? 4.6 : null));
  return [xs, ...series, ok, bad];
}

/**
 * A chart's time axis written as every other time on the page (common/time-words.js: a 24-hour
 * clock), not uPlot's own "11:20am"; short enough not to collide: the time of day, and the date
 * alone at a midnight tick. A uPlot `values` function.
 * @param {unknown} _u @param {number[]} splits seconds since the epoch
 */
export function timeAxisValues(_u, splits) {
  return splits.map((s) => {
    const d = new Date(s * 1000);
    if (d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0) {
      return d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
    }
    // `now` is the tick itself: the time of day, never "yesterday" or a date before it.
    return formatTime(s * 1000, { now: s * 1000 });
  });
}
