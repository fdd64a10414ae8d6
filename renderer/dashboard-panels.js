// @ts-check
// What follows the skills on the dashboard: dependencies, metrics, the 24-hour timeline, the
// 7-day token chart and the alert channels (moved out of app.js: loaded after the first screen).
import { h } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import htm from 'htm';
import { useNow } from './use-now.js';
import uPlot from 'uplot';
import { addStylesheet } from './later.js';

addStylesheet('vendor/uplot/uPlot.min.css');
import { COLOR_ICON, dependencyColor } from 'clawkeeper/common/health.js';
import { ago, percent, timeAxisValues, timelineData } from './view-model.js';
import { AlertsPanel } from './alerts-panel.js';

const html = /** @type {any} */ (htm).bind(h);

/**
 * What skills need (the internet, a model server, a NAS), probed by the host: one chip each.
 * @param {{ dependencies: Record<string, any>, now: number }} p
 */
export function Dependencies({ dependencies, now }) {
  const entries = Object.entries(dependencies ?? {});
  if (entries.length === 0) return html`<p class="muted deps-none"
    data-dependencies="none">No skill declares a dependency (skill.json "needs"): every skill runs locally.</p>`;
  return html`<section class="deps" aria-label="Dependencies">
    ${entries.map(([name, d]) => {
      const c = dependencyColor(d.status);
      return html`<div class=${`dep c-${c}`} data-dependency=${name} data-status=${d.status} data-color=${c} title=${d.reason}>
        <span aria-hidden="true">${COLOR_ICON[c]}</span> <strong>${name}
        </strong> ${d.status === 'ok' ? 'up' : d.status === 'unknown' ? 'unknown' : 'down'}
        <span class="muted"> · ${dependencyDetail(d, now)} · needed by ${d.neededBy.length ? d.neededBy.join(', ') : 'alerts and pings'}
        </span>
      </div>`;
    })}
  </section>`;
}

/**
 * Tokens per day for the last 7 days, per model skill: small bars, one per day.
 * @param {{ skills: any[] }} p
 */
export function TokenChart({ skills }) {
  const rows = skills.filter((s) => s.tokens);
  if (rows.length === 0) return null;
  const max = Math.max(1, ...rows.flatMap((s) => s.tokens.days.map((/** @type {any} */ d) => d.tokens)));
  return html`<h2>Tokens, last 7 days</h2>
    <section class="panel token-chart" aria-label="Tokens per day, last 7 days" data-chart="tokens">
      ${rows.map((s) => html`<div class="trow" data-skill=${s.name}>
        <span class="tname">${s.name}</span>
        <span class="tdays">${s.tokens.days.map(
          (/** @type {any} */ d) => html`<span class="tday" title=${`${d.day}: ${d.tokens.toLocaleString()} tokens`} style=${{
            height: `${Math.max(2, (d.tokens / max) * 40)}px`,
          }}></span>`,
        )}</span>
        <span class="muted">${s.tokens.days.reduce(
          (/** @type {number} */ a, /** @type {any} */ d) => a + d.tokens, 0,
        ).toLocaleString()} tokens${s.tokens.tokensPerDay ? ` · ${s.tokens.tokensPerDay.toLocaleString()} a day allowed` : ''}</span>
      </div>`)}
    </section>`;
}

/** @param {{ metrics: any }} p */
export function Metrics({ metrics: m }) {
  const rec = (/** @type {any} */ r) => (r.count ? `${Math.round(r.meanMs)} ms mean · ${Math.round(r.p95Ms)} ms p95` : 'no outage yet');
  return html`<section class="metrics" aria-label="Metrics">
    <div class="metric"><div class="label">Uptime (runtime · gateway · session)</div><div class="value">
    ${percent(m.uptime.runtime)}</div><div class="muted">${percent(m.uptime.gateway)} · ${percent(m.uptime.session)}</div></div>
    <div class="metric"><div class="label">Gateway connection issues</div>
    <div class="value" data-metric="gateway-issues">${m.gatewayConnectionIssues}</div>
    <div class="muted">session: ${m.sessionConnectionIssues}</div></div>
    <div class="metric"><div class="label">Skill success rate</div><div class="value">
    ${percent(m.skillSuccessRate.overall)}</div><div class="muted">during layer failures: ${percent(
      m.skillSuccessRate.duringLayerFailures,
    )} (${m.skillSuccessRate.runsDuringLayerFailures} runs)</div></div>
    <div class="metric"><div class="label">Recovery time</div><div class="value">
    ${m.recovery.gateway.count ? `${Math.round(m.recovery.gateway.meanMs)} ms` : '—'}</div>
    <div class="muted">gateway ${rec(m.recovery.gateway)}<br/>session ${rec(m.recovery.session)}</div></div>
  </section>`;
}

/** @param {{ snap: any }} p */
export function Timeline({ snap }) {
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
    const line = (/** @type {string} */ label, /** @type {string} */ color) => ({
      label, stroke: color, width: 2, paths: stepped, points: { show: false },
    });
    const dots = (/** @type {string} */ label, /** @type {string} */ color) => ({
      label, stroke: color, fill: color, width: 0, paths: () => null, points: { show: true, size: 6, fill: color },
    });
    const opts = {
      width: ref.current.clientWidth || 900,
      height: 180,
      legend: { show: false },
      cursor: { show: false },
      scales: { y: { range: /** @type {[number, number]} */ ([-0.3, 5]) } },
      axes: [
        { stroke: v('--muted'), grid: { stroke: v('--border') }, values: timeAxisValues },
        {
          stroke: v('--muted'), size: 70, grid: { show: false }, ticks: { show: false },
          splits: () => [0.5, 2, 3.5, 4.4], values: () => ['runtime', 'gateway', 'session', 'runs'],
        },
      ],
      series: [
        {}, line('runtime', v('--green')), line('gateway', '#6f7dff'), line('session', '#c35cf0'),
        dots('runs ok', v('--green')), dots('runs failed', v('--red')),
      ],
    };
    plot.current?.destroy();
    plot.current = new uPlot(/** @type {any} */ (opts), /** @type {any} */ (data), ref.current);
    // The chart follows its box (a window made narrower, a phone turned): never wider than the page.
    const el = ref.current;
    const fit = new ResizeObserver(() => el.clientWidth && plot.current?.setSize({ width: el.clientWidth, height: 180 }));
    fit.observe(el);
    return () => {
      fit.disconnect();
      plot.current?.destroy();
    };
  }, []);
  useEffect(() => plot.current?.setData(/** @type {any} */ (data)), [data]);
  return html`<div class="panel"><div ref=${ref} data-chart="timeline"></div>
    <div class="legend"><span>Lines, bottom to top: runtime, gateway, session (high = ok, middle = restarting, low = down)</span>
    <span>Dots: runs (green ok, red failed)</span></div></div>`;
}

/** Everything below the skills, in order. @param {{ state: any, now: number }} p */
export function Panels({ state, now }) {
  return html`<h2>Dependencies</h2>
    <${Dependencies} dependencies=${state.dependencies} now=${now} />
    <h2>Metrics</h2>
    <${Metrics} metrics=${state.metrics} />
    <h2>Last 24 hours</h2>
    <${Timeline} snap=${state} />
    <${TokenChart} skills=${state.skills} />
    <h2>Alerts</h2>
    <${AlertsPanel} alerts=${state.alerts} now=${now} />`;
}

/** What a dependency chip says after its state: why unknown, its latency, or since when down. @param {any} d @param {number} now */
function dependencyDetail(d, now) {
  if (d.status === 'unknown') return d.reason;
  if (d.status === 'ok') return d.latencyMs !== null ? `${d.latencyMs} ms` : 'not probed yet';
  return `since ${ago(d.since, now)}`;
}
