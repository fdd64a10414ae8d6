// @ts-check
// The ClawKeeper dashboard: the mode and its banner, the layers as a compact strip, then the
// skills (what people come for), then dependencies, metrics, the 24-hour timeline and tokens;
// updated live. A skill's page (#/skill/<name>) is where you act on it; #/runs lists every run.
// Preact + htm (no build step), uPlot for the charts.
import { h, render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { useNow } from './use-now.js';
import { MODE_WORDS, modeColor } from 'clawkeeper/common/health.js';
import { httpSource, ipcSource } from './data-sources.js';
import { applyEvent, effectiveState, eventTime, rebase } from './view-model.js';
import { useRoute } from './route.js';
import { FilteredSkills } from './skills-filter.js';
import { StaleNote } from './stale.js';
import { Badge } from './badge.js';
import { LayerStrip } from './layer-strip.js';
import { SkillsTable } from './skills-table.js';
import { lazy, Later, Loading } from './later.js';

// Not needed for the first screen: loaded after it (panels) or when the address asks (pages).
const PANELS = lazy(() => import('./dashboard-panels.js'));
const SKILL_PAGE = lazy(() => import('./skill-page.js'));
const RUNS_VIEW = lazy(() => import('./runs-view.js'));

const html = /** @type {any} */ (htm).bind(h);

/** The page's header: the name, where to go, and the mode. @param {{ mode: any, here: 'skills' | 'runs' }} p */
export function TopBar({ mode, here }) {
  return html`<header class="top">
    <h1>ClawKeeper</h1>
    <nav aria-label="Views" class="views">
      <a href="#/" aria-current=${here === 'skills' ? 'page' : undefined}>Skills</a>
      <a href="#/runs" aria-current=${here === 'runs' ? 'page' : undefined}>Runs</a>
    </nav>
    <${Badge} color=${modeColor(mode)} className="mode">${MODE_WORDS[/** @type {'down'} */ (mode)]}</${Badge}>
  </header>`;
}

/** @param {{ source: import('./data-sources.js').DataSource }} p */
function App({ source }) {
  const [snap, setSnap] = useState(/** @type {any} */ (null));
  /** @typedef {{ gateway: boolean, session: boolean, sessionSeen?: boolean, gaveUp?: string }} Reach */
  const [reach, setReach] = useState(/** @type {Reach} */ ({ gateway: true, session: true }));
  // The timeline waits for the first paint: tiles, banner and table come first.
  const [showTimeline, setShowTimeline] = useState(false);
  const lostAt = useRef(0);
  const recentEvents = useRef(/** @type {{ kind: string, data: any }[]} */ ([]));
  const now = useNow();
  const route = useRoute();
  // A layout effect runs right after the first commit ("Loading…"); a plain effect would wait for
  // the next frame while the first snapshot, asked for early (first-snapshot.js), is already here.
  useLayoutEffect(() => {
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
    // Once per snapshot: a change an event brings (applyEvent) is not a snapshot's update.
    if (updateStarted.current) performance.measure('ck-update', { start: updateStarted.current, end: performance.now() });
    updateStarted.current = 0;
  }, [snap]);
  useEffect(() => {
    if (snap && !showTimeline) requestAnimationFrame(() => setTimeout(() => setShowTimeline(true), 0));
  }, [snap]);
  const state = effectiveState(snap, reach, lostAt.current);
  if (!state) return html`<p class="loading">${reach.gateway ? 'Loading ClawKeeper…' : 'Cannot reach the ClawKeeper gateway.'}</p>`;
  const c = modeColor(state.mode);
  if (route.view === 'skill') return html`<${Later} module=${SKILL_PAGE} fallback=${html`<${Loading}
    what=${route.skill} />`} render=${(/** @type {any} */ m) => html`<${m.SkillPage} key=${route.skill}
      name=${route.skill} route=${route} snap=${state} now=${now} source=${source} />`} />`;
  const banner = state.scenario
    && html`<div class=${`banner c-${c}`} role="alert" data-scenario=${state.scenario.id}><strong>
    ${state.scenario.title}:</strong> ${state.scenario.message}</div>`;
  if (route.view === 'runs') {
    return html`<main class="runs-view" data-mode=${state.mode}>
      <${TopBar} mode=${state.mode} here="runs" />${banner}
      <${Later} module=${RUNS_VIEW} fallback=${html`<${Loading}
        what="runs" />`} render=${(/** @type {any} */ m) => html`<${m.RunsView} query=${route.query} snap=${state} now=${now} />`} />
    </main>`;
  }
  return html`<main data-mode=${state.mode} data-stale=${reach.gateway ? undefined : 'true'}>
    <${TopBar} mode=${state.mode} here="skills" />
    ${banner}
    <${StaleNote} reach=${reach} at=${state.generatedAt} />
    <${LayerStrip} layers=${state.layers} pids=${state.host?.layerPids} now=${now} />
    <h2 class="skills-head">Skills (${state.skills.length})</h2>
    <${FilteredSkills} skills=${state.skills} now=${now} source=${source} Table=${SkillsTable} />
    ${showTimeline ? html`<${Later} module=${PANELS} render=${(/** @type {any} */ m) => html`<${m.Panels}
      state=${state} now=${now} />`} />` : html`<div class="panel loading">Loading dependencies, metrics, the timeline and alerts…</div>`}
  </main>`;
}

const bridge = /** @type {any} */ (window).clawkeeper;
const source = bridge ? ipcSource(bridge) : httpSource();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} source=${source} />`, root);
}
