// @ts-check
// The ClawKeeper dashboard: layer tiles, degraded banners, metrics, a 24-hour timeline and the
// skills table, updated live. Preact + htm (no build step), uPlot for the timeline.
import { h, render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import { COLOR_ICON, dependencyColor, LAYER_NAMES, LAYER_STATUS_WORDS, LAYER_TITLES, layerColor, MODE_WORDS, modeColor, OUTCOME_WORDS, skillBadge, skillColor } from 'clawkeeper/common/health.js';
import { httpSource, ipcSource } from './data-sources.js';
import { applyEvent, effectiveState, eventTime, percent, rebase, relative, timelineData } from './view-model.js';
import { SkillPage, useRoute } from './skill-page.js';
import { FilteredSkills } from './skills-filter.js';
import { StaleNote } from './stale.js';
import { AlertsPanel } from './alerts-panel.js';

const html = /** @type {any} */ (htm).bind(h);

/** @param {{ color: 'green' | 'amber' | 'red', children?: any, className?: string }} p */
function Badge({ color, children, className = '' }) {
  return html`<span class=${`badge c-${color} ${className}`}><span aria-hidden="true">${COLOR_ICON[color]}</span> ${children}</span>`;
}

/** A time of day in the viewer's locale ("14:05"). @param {string} iso */
function clockTime(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function useNow(everyMs = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** @param {{ layers: any, pids?: any, now: number }} p */
function LayerTiles({ layers, pids, now }) {
  return html`<section class="tiles" aria-label="Layers">
    ${LAYER_NAMES.map((name) => {
      const l = layers[name];
      const c = layerColor(l.status);
      return html`<div class=${`tile c-${c}`} data-layer=${name} data-status=${l.status} data-color=${c} data-pid=${pids?.[name] ?? ''}>
        <div class="name">${LAYER_TITLES[name]}</div>
        <div class="state"><span aria-hidden="true">${COLOR_ICON[c]}</span> ${LAYER_STATUS_WORDS[/** @type {'ok'} */ (l.status)] ?? l.status}</div>
        <div class="reason">since ${relative(l.since, now)}${l.reason ? ` — ${l.reason}` : ''}</div>
      </div>`;
    })}
  </section>`;
}

/**
 * What skills need (the internet, a model server, a NAS), probed by the host: one chip each.
 * @param {{ dependencies: Record<string, any>, now: number }} p
 */
function Dependencies({ dependencies, now }) {
  const entries = Object.entries(dependencies ?? {});
  if (entries.length === 0) return html`<p class="muted deps-none" data-dependencies="none">No skill declares a dependency (skill.json "needs"): every skill runs locally.</p>`;
  return html`<section class="deps" aria-label="Dependencies">
    ${entries.map(([name, d]) => {
      const c = dependencyColor(d.status);
      return html`<div class=${`dep c-${c}`} data-dependency=${name} data-status=${d.status} data-color=${c} title=${d.reason}>
        <span aria-hidden="true">${COLOR_ICON[c]}</span> <strong>${name}</strong> ${d.status === 'ok' ? 'up' : 'down'}
        <span class="muted"> · ${d.status === 'ok' ? (d.latencyMs !== null ? `${d.latencyMs} ms` : 'not probed yet') : `since ${relative(d.since, now)}`} · needed by ${d.neededBy.join(', ')}</span>
      </div>`;
    })}
  </section>`;
}

/**
 * Tokens today against the day budget, as a bar (a model skill only).
 * @param {{ tokens: { today: number, tokensPerDay: number | null } }} p
 */
function TokenBar({ tokens: t }) {
  const pct = t.tokensPerDay ? Math.min(100, (t.today / t.tokensPerDay) * 100) : null;
  const c = pct === null ? 'green' : pct >= 100 ? 'red' : pct >= 80 ? 'amber' : 'green';
  const words = `${t.today.toLocaleString()}${t.tokensPerDay ? ` of ${t.tokensPerDay.toLocaleString()}` : ''} tokens today`;
  return html`<div class="tokens" data-tokens-today=${t.today} title=${words}>
    ${pct !== null && html`<span class="tbar" role="meter" aria-valuemin="0" aria-valuemax=${t.tokensPerDay} aria-valuenow=${t.today} aria-label=${words}><span class=${`tfill c-${c}`} style=${{ width: `${pct}%` }}></span></span>`}
    <span class="muted">${words}</span>
  </div>`;
}

/**
 * Tokens per day for the last 7 days, per model skill: small bars, one per day.
 * @param {{ skills: any[] }} p
 */
function TokenChart({ skills }) {
  const rows = skills.filter((s) => s.tokens);
  if (rows.length === 0) return null;
  const max = Math.max(1, ...rows.flatMap((s) => s.tokens.days.map((/** @type {any} */ d) => d.tokens)));
  return html`<h2>Tokens, last 7 days</h2>
    <section class="panel token-chart" aria-label="Tokens per day, last 7 days" data-chart="tokens">
      ${rows.map((s) => html`<div class="trow" data-skill=${s.name}>
        <span class="tname">${s.name}</span>
        <span class="tdays">${s.tokens.days.map((/** @type {any} */ d) => html`<span class="tday" title=${`${d.day}: ${d.tokens.toLocaleString()} tokens`} style=${{ height: `${Math.max(2, (d.tokens / max) * 40)}px` }}></span>`)}</span>
        <span class="muted">${s.tokens.days.reduce((/** @type {number} */ a, /** @type {any} */ d) => a + d.tokens, 0).toLocaleString()} tokens${s.tokens.tokensPerDay ? ` · ${s.tokens.tokensPerDay.toLocaleString()} a day allowed` : ''}</span>
      </div>`)}
    </section>`;
}

/** @param {{ metrics: any }} p */
function Metrics({ metrics: m }) {
  const rec = (/** @type {any} */ r) => (r.count ? `${Math.round(r.meanMs)} ms mean · ${Math.round(r.p95Ms)} ms p95` : 'no outage yet');
  return html`<section class="metrics" aria-label="Metrics">
    <div class="metric"><div class="label">Uptime (runtime · gateway · session)</div><div class="value">${percent(m.uptime.runtime)}</div><div class="muted">${percent(m.uptime.gateway)} · ${percent(m.uptime.session)}</div></div>
    <div class="metric"><div class="label">Gateway connection issues</div><div class="value" data-metric="gateway-issues">${m.gatewayConnectionIssues}</div><div class="muted">session: ${m.sessionConnectionIssues}</div></div>
    <div class="metric"><div class="label">Skill success rate</div><div class="value">${percent(m.skillSuccessRate.overall)}</div><div class="muted">during layer failures: ${percent(m.skillSuccessRate.duringLayerFailures)} (${m.skillSuccessRate.runsDuringLayerFailures} runs)</div></div>
    <div class="metric"><div class="label">Recovery time</div><div class="value">${m.recovery.gateway.count ? `${Math.round(m.recovery.gateway.meanMs)} ms` : '—'}</div><div class="muted">gateway ${rec(m.recovery.gateway)}<br/>session ${rec(m.recovery.session)}</div></div>
  </section>`;
}

/** @param {{ snap: any }} p */
function Timeline({ snap }) {
  const ref = useRef(/** @type {HTMLDivElement | null} */ (null));
  const plot = useRef(/** @type {uPlot | null} */ (null));
  const now = useNow(5000);
  // Recomputed every 5 s or when a layer changes, not on every snapshot (200 skills × 30 runs).
  const layerKey = Object.values(snap.layers).map((/** @type {any} */ l) => l.status).join();
  const data = useMemo(() => timelineData(snap, now), [now, snap.transitions?.length, layerKey]);
  useEffect(() => {
    if (!ref.current) return;
    const css = getComputedStyle(document.documentElement);
    const v = (/** @type {string} */ n) => css.getPropertyValue(n).trim();
    const stepped = uPlot.paths.stepped?.({ align: 1 });
    const line = (/** @type {string} */ label, /** @type {string} */ color) => ({ label, stroke: color, width: 2, paths: stepped, points: { show: false } });
    const dots = (/** @type {string} */ label, /** @type {string} */ color) => ({ label, stroke: color, fill: color, width: 0, paths: () => null, points: { show: true, size: 6, fill: color } });
    const opts = {
      width: ref.current.clientWidth || 900,
      height: 180,
      legend: { show: false },
      cursor: { show: false },
      scales: { y: { range: /** @type {[number, number]} */ ([-0.3, 5]) } },
      axes: [
        { stroke: v('--muted'), grid: { stroke: v('--border') } },
        { stroke: v('--muted'), size: 70, grid: { show: false }, ticks: { show: false }, splits: () => [0.5, 2, 3.5, 4.4], values: () => ['runtime', 'gateway', 'session', 'runs'] },
      ],
      series: [{}, line('runtime', v('--green')), line('gateway', '#6f7dff'), line('session', '#c35cf0'), dots('runs ok', v('--green')), dots('runs failed', v('--red'))],
    };
    plot.current?.destroy();
    plot.current = new uPlot(/** @type {any} */ (opts), /** @type {any} */ (data), ref.current);
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => plot.current?.setData(/** @type {any} */ (data)), [data]);
  return html`<div class="panel"><div ref=${ref} data-chart="timeline"></div>
    <div class="legend"><span>Lines, bottom to top: runtime, gateway, session (high = ok, middle = restarting, low = down)</span><span>Dots: runs (green ok, red failed)</span></div></div>`;
}

/**
 * Recent runs as one element with a hard-stop gradient (green ok, red failed), not one element per
 * run: 200 skills × 20 runs would be 4,000 nodes to lay out.
 * @param {{ recent: any[] }} p
 */
function Sparkline({ recent }) {
  const last = recent.slice(-20);
  if (last.length === 0) return html`<span class="muted">—</span>`;
  const w = 100 / last.length;
  const stops = last.map((r, i) => {
    const c = r.outcome === 'success' ? 'var(--green)' : 'var(--red)';
    return `${c} ${(i * w).toFixed(2)}% ${((i + 1) * w - w * 0.25).toFixed(2)}%, transparent ${((i + 1) * w - w * 0.25).toFixed(2)}% ${((i + 1) * w).toFixed(2)}%`;
  });
  const ok = last.filter((r) => r.outcome === 'success').length;
  return html`<span class="spark" role="img" data-ok=${ok} data-total=${last.length} style=${{ width: `${last.length * 7}px`, background: `linear-gradient(to right, ${stops.join(', ')})` }} aria-label=${`${ok} of ${last.length} recent runs succeeded`} title=${`${ok} of ${last.length} recent runs succeeded`}></span>`;
}

/** @param {{ skills: any[], now: number, source: import('./data-sources.js').DataSource }} p */
function SkillsTable({ skills, now, source }) {
  const [busy, setBusy] = useState(/** @type {string | null} */ (null));
  // Rows arrive in slices of 40, one slice per frame: the first screenful paints at once and a
  // 200-skill table never blocks the page for one long layout.
  const [shown, setShown] = useState(40);
  useEffect(() => {
    if (shown >= skills.length) return;
    const t = setTimeout(() => requestAnimationFrame(() => setShown((n) => n + 40)), 0);
    return () => clearTimeout(t);
  }, [shown, skills.length]);
  const [error, setError] = useState('');
  const act = async (/** @type {string} */ name, /** @type {'run' | 'pause' | 'resume'} */ op) => {
    setBusy(name);
    setError('');
    try {
      await source[op](name);
    } catch (err) {
      setError(`${op} ${name}: ${String(err)}`);
    } finally {
      setBusy(null);
    }
  };
  return html`<div class="panel">
    ${error && html`<p class="c-red badge">${error}</p>`}
    <table>
      <colgroup><col class="c-skill" /><col class="c-sched" /><col class="c-next" /><col class="c-last" /><col class="c-rate" /><col class="c-spark" /><col class="c-state" /><col class="c-act" /></colgroup>
      <thead><tr><th>Skill</th><th>Schedule</th><th>Next run</th><th>Last run</th><th>Success</th><th>Recent</th><th>Status</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>
        ${skills.slice(0, shown).map((s) => html`<tr data-skill=${s.name} data-runs=${s.runs} data-state=${s.state}>
          <td><strong><a href=${`#/skill/${s.name}`}>${s.name}</a></strong><div class="desc" title=${s.description}>${s.description}</div>${s.tokens ? html`<${TokenBar} tokens=${s.tokens} />` : ''}</td>
          <td title=${s.schedule ?? ''}>${s.scheduleText ?? '—'}${s.timezone ? html` <span class="muted">(${s.timezone})</span>` : ''}</td>
          <td>${s.paused ? 'paused' : s.nextRun && Date.parse(s.nextRun) <= now ? 'due now' : relative(s.nextRun, now)}</td>
          <td data-last-run=${s.lastRun?.runId ?? ''}>${s.running
            ? html`<${Badge} color="amber">running ${Math.max(0, Math.round((now - Date.parse(s.running.since)) / 1000))}s</${Badge}>`
            : s.lastRun
              ? // (a run that ended after the clock's last tick is "0s ago", never "in 1s")
                html`<${Badge} color=${s.lastRun.outcome === 'success' ? 'green' : s.lastRun.outcome === 'upstream-failure' || s.lastRun.outcome === 'budget-exceeded' ? 'amber' : 'red'}>${OUTCOME_WORDS[/** @type {'success'} */ (s.lastRun.outcome)] ?? s.lastRun.outcome}</${Badge}> <span class="muted">${relative(s.lastRun.endedAt, Math.max(now, Date.parse(s.lastRun.endedAt)))}</span>`
              : html`<span class="muted">never</span>`}</td>
          <td>${percent(s.successRate)}</td>
          <td><${Sparkline} recent=${s.recent} /></td>
          <td title=${s.reason}><${Badge} color=${skillColor(s.state)}>${skillBadge(s, clockTime)}</${Badge}></td>
          <td><div class="actions">
            <button disabled=${busy === s.name || s.state === 'invalid'} onClick=${() => act(s.name, 'run')}>Run now</button>
            <button disabled=${busy === s.name || s.state === 'invalid'} onClick=${() => act(s.name, s.paused ? 'resume' : 'pause')}>${s.paused ? 'Resume' : 'Pause'}</button>
          </div></td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

/** @param {{ source: import('./data-sources.js').DataSource }} p */
function App({ source }) {
  const [snap, setSnap] = useState(/** @type {any} */ (null));
  const [reach, setReach] = useState(/** @type {{ gateway: boolean, session: boolean, sessionSeen?: boolean }} */ ({ gateway: true, session: true }));
  // The timeline waits for the first paint: tiles, banner and table come first.
  const [showTimeline, setShowTimeline] = useState(false);
  const lostAt = useRef(0);
  const recentEvents = useRef(/** @type {{ kind: string, data: any }[]} */ ([]));
  const now = useNow();
  const route = useRoute();
  useEffect(() => {
    source.start({
      onSnapshot: (s) => {
        updateStarted.current = performance.now();
        setSnap(rebase(s, recentEvents.current));
      },
      onEvent: (e) => {
        const cutoff = Date.now() - 10_000;
        recentEvents.current = [...recentEvents.current.filter((x) => (eventTime(x) ?? 0) > cutoff), e].slice(-200);
        setSnap((/** @type {any} */ prev) => applyEvent(prev, e));
      },
      onReachability: (r) => {
        if (!r.gateway && !lostAt.current) lostAt.current = Date.now();
        if (r.gateway) lostAt.current = 0;
        setReach(r);
      },
    });
  }, []);
  // Performance marks for bench/dashboard.ts: first render with data, and each update's cost.
  const updateStarted = useRef(0);
  useEffect(() => {
    if (!snap) return;
    if (!performance.getEntriesByName('ck-first-render').length) performance.mark('ck-first-render');
    if (updateStarted.current) performance.measure('ck-update', { start: updateStarted.current, end: performance.now() });
  }, [snap]);
  useEffect(() => {
    if (snap && !showTimeline) requestAnimationFrame(() => setTimeout(() => setShowTimeline(true), 0));
  }, [snap]);
  const state = effectiveState(snap, reach, lostAt.current);
  if (!state) return html`<p class="loading">${reach.gateway ? 'Loading ClawKeeper…' : 'Cannot reach the ClawKeeper gateway.'}</p>`;
  const c = modeColor(state.mode);
  if (route.skill) return html`<${SkillPage} key=${route.skill} name=${route.skill} snap=${state} now=${now} />`;
  return html`<main data-mode=${state.mode} data-stale=${reach.gateway ? undefined : 'true'}>
    <header class="top">
      <h1>ClawKeeper</h1>
      <${Badge} color=${c} className="mode">${MODE_WORDS[/** @type {'down'} */ (state.mode)]}</${Badge}>
    </header>
    ${state.scenario && html`<div class=${`banner c-${c}`} role="alert" data-scenario=${state.scenario.id}><strong>${state.scenario.title}:</strong> ${state.scenario.message}</div>`}
    <${StaleNote} reach=${reach} at=${state.generatedAt} />
    <${LayerTiles} layers=${state.layers} pids=${state.host?.layerPids} now=${now} />
    <h2>Dependencies</h2>
    <${Dependencies} dependencies=${state.dependencies} now=${now} />
    <h2>Metrics</h2>
    <${Metrics} metrics=${state.metrics} />
    <h2>Last 24 hours</h2>
    ${showTimeline ? html`<${Timeline} snap=${state} />` : html`<div class="panel loading">Loading the timeline…</div>`}
    <${TokenChart} skills=${state.skills} />
    <h2>Skills (${state.skills.length})</h2>
    <${FilteredSkills} skills=${state.skills} now=${now} source=${source} Table=${SkillsTable} />
    <h2>Alerts</h2>
    <${AlertsPanel} alerts=${state.alerts} now=${now} />
  </main>`;
}

const bridge = /** @type {any} */ (window).clawkeeper;
const source = bridge ? ipcSource(bridge) : httpSource();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} source=${source} />`, root);
}
