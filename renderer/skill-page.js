// @ts-check
// A skill's own page (#/skill/<name>): why it is in the state it is in. Run history as a table and
// a duration chart colored by outcome, each run's log (tailed live while it runs), the next 10
// slots, every skip with its reason, an invalid skill's problems, and the manifest as loaded.
// Data: GET /api/skills/:name/page and /api/skills/:name/log/:runId?from=N (gateway).
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import { COLOR_ICON, nextRunWords, skillBadge, skillColor } from 'clawkeeper/common/health.js';
import { formatTime } from 'clawkeeper/common/time-words.js';
import { relative } from './view-model.js';
import { apiFetch } from './session-auth.js';

const html = /** @type {any} */ (htm).bind(h);
const ROWS = 100;
/** The route from the address bar's fragment: `#/skill/<name>` or the dashboard. */
export function useRoute() {
  const read = () => {
    const m = /^#\/skill\/([a-z0-9][a-z0-9-]{0,63})$/.exec(location.hash);
    return { skill: m ? m[1] : null };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** @param {string | null} outcome */
export const outcomeColor = (outcome) => (outcome === null ? 'amber' : outcome === 'success' ? 'green' : outcome === 'interrupted' || outcome === 'upstream-failure' ? 'amber' : 'red');
/** @param {number | null} ms */
const dur = (ms) => (ms === null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
/** One way of writing a time (time-words.js): with the skill's zone when it is not the viewer's. */
const time = (/** @type {string} */ iso, /** @type {string | null | undefined} */ zone = null, seconds = false) => formatTime(iso, { zone, seconds });
/** A schedule with a seconds field: its slots are told apart by their seconds. @param {any} s */
const perSecond = (s) => typeof s.schedule === 'string' && s.schedule.trim().split(/\s+/).length === 6;

/** @param {string} path */
async function getJson(path) {
  const res = await apiFetch(path);
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

/** uPlot's columns: x = start (s), one y series per outcome color (null where another color). @param {any[]} runs */
export function durationData(runs) {
  const done = runs.filter((r) => r.duration_ms !== null).sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const col = (/** @type {string} */ c) => done.map((r) => (outcomeColor(r.outcome) === c ? r.duration_ms / 1000 : null));
  return [done.map((r) => Date.parse(r.started_at) / 1000), col('green'), col('amber'), col('red')];
}

/** @param {{ runs: any[] }} p */
function DurationChart({ runs }) {
  const ref = useRef(/** @type {HTMLDivElement | null} */ (null));
  const plot = useRef(/** @type {uPlot | null} */ (null));
  useEffect(() => {
    if (!ref.current) return;
    const css = getComputedStyle(document.documentElement);
    const v = (/** @type {string} */ n) => css.getPropertyValue(n).trim();
    const dots = (/** @type {string} */ label, /** @type {string} */ color) => ({ label, stroke: color, fill: color, width: 0, paths: () => null, points: { show: true, size: 7, fill: color } });
    const opts = {
      width: ref.current.clientWidth || 600, height: 200, legend: { show: false }, cursor: { show: false },
      axes: [{ stroke: v('--muted'), grid: { stroke: v('--border') } }, { stroke: v('--muted'), grid: { stroke: v('--border') }, values: (/** @type {any} */ _u, /** @type {number[]} */ t) => t.map((s) => `${s} s`) }],
      scales: { y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, Math.max(1, max * 1.15)] } },
      series: [{}, dots('success', v('--green')), dots('interrupted', v('--amber')), dots('failed', v('--red'))],
    };
    plot.current = new uPlot(/** @type {any} */ (opts), /** @type {any} */ ([[], [], [], []]), ref.current);
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => {
    const data = durationData(runs);
    plot.current?.setData(/** @type {any} */ (data), false);
    // One run alone would stretch the time axis over years: at least an hour around the points.
    const xs = data[0] ?? [];
    if (xs.length) {
      const min = /** @type {number} */ (xs[0]), max = /** @type {number} */ (xs[xs.length - 1]);
      plot.current?.setScale('x', max - min < 3600 ? { min: min - 1800, max: max + 1800 } : { min, max });
    }
  }, [runs]);
  return html`<div class="panel"><div ref=${ref} data-chart="durations" role="img" aria-label=${`Durations of the last ${runs.length} runs, colored by outcome`}></div>
    <div class="legend"><span class="c-text-green">● success</span><span class="c-text-amber">● interrupted / upstream</span><span class="c-text-red">● failure, timeout, crash</span></div></div>`;
}

/** The log of one run; tailed every 250 ms while the run is still going. @param {{ name: string, run: any }} p */
function LogView({ name, run }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const pre = useRef(/** @type {HTMLPreElement | null} */ (null));
  useEffect(() => {
    let next = 0;
    let stopped = false;
    setText('');
    setError('');
    const tick = async () => {
      try {
        const c = await getJson(`/api/skills/${name}/log/${run.run_id}?from=${next}`);
        next = c.next;
        if (c.text) setText((t) => t + c.text);
      } catch (err) {
        setError(String(err));
      }
      if (!stopped && run.outcome === null) timer = setTimeout(tick, 250);
    };
    let timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [name, run.run_id, run.outcome]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  return html`<section class="panel log" aria-label=${`Log of run ${run.run_id}`}>
    <div class="log-head"><strong>Run ${run.run_id}</strong> <span class="muted">${run.outcome === null ? 'running: live tail' : run.outcome}</span></div>
    ${error ? html`<p class="muted">${error}</p>` : html`<pre ref=${pre} tabindex="0" data-log-run=${run.run_id}>${text || '(no output yet)'}</pre>`}
  </section>`;
}

/** @param {{ name: string, snap: any, now: number }} p */
export function SkillPage({ name, snap, now }) {
  const live = snap?.skills?.find((/** @type {any} */ s) => s.name === name);
  const [page, setPage] = useState(/** @type {any} */ (null));
  const [error, setError] = useState('');
  const [selected, setSelected] = useState(/** @type {string | null} */ (null));
  const [rows, setRows] = useState(ROWS);
  // Refetched when the host's view of the skill changes (a run started or ended), and every 5 s.
  const key = `${live?.runs}|${live?.running?.runId ?? ''}|${live?.state}`;
  useEffect(() => {
    let gone = false;
    const load = () => getJson(`/api/skills/${name}/page?limit=10000`).then((p) => {
      if (gone) return;
      // bench/skill-page.ts measures from here (data arrived) to the mark after the render.
      if (!performance.getEntriesByName('ck-skill-page-data').length) performance.mark('ck-skill-page-data');
      setPage(p);
      setError('');
    }, (err) => !gone && setError(String(err)));
    void load();
    const t = setInterval(load, 5000);
    return () => {
      gone = true;
      clearInterval(t);
    };
  }, [name, key]);
  useEffect(() => {
    if (page && !performance.getEntriesByName('ck-skill-page').length) performance.mark('ck-skill-page');
  }, [page]);
  // Another skill's page must never show under this name (a route change before its data came).
  if (!page || page.skill?.name !== name) return html`<main class="skill-page"><p><a href="#/">← All skills</a></p><p class="loading">${error || `Loading ${name}…`}</p></main>`;
  const s = live ?? page.skill;
  // The chosen run's log; else the running one's (live tail); else the newest run's.
  const run = page.runs.find((/** @type {any} */ r) => r.run_id === (selected ?? s.running?.runId)) ?? page.runs[0] ?? null;
  return html`<main class="skill-page" data-skill-page=${name}>
    <p><a href="#/">← All skills</a></p>
    <header class="top"><h1>${name}</h1><span class=${`badge c-${skillColor(s.state)}`}><span aria-hidden="true">${COLOR_ICON[skillColor(s.state)]}</span> ${skillBadge(s, (/** @type {string} */ iso) => time(iso, s.timezone))}</span></header>
    <p>${s.description}</p>
    <p class="muted">${s.scheduleText ?? s.schedule ?? 'no schedule'}${s.timezone ? ` (${s.timezone})` : ''}${s.reason ? ` · ${s.reason}` : ''}</p>
    <p data-next-run>Next run: ${nextRunWords(s, (/** @type {string} */ iso) => time(iso, s.timezone), (/** @type {string} */ iso) => relative(iso, now))}</p>
    ${s.problems?.length ? html`<section class="panel problems" aria-label="Problems"><h2>Problems</h2><ul>${s.problems.map((/** @type {string} */ p) => html`<li>${p}</li>`)}</ul></section>` : ''}
    <h2>Durations (last ${page.runs.length} run${page.runs.length === 1 ? '' : 's'})</h2>
    <${DurationChart} runs=${page.runs} />
    <h2>Runs (${page.totalRuns})</h2>
    <div class="panel"><table class="runs">
      <thead><tr><th>Started</th><th>Trigger</th><th>Outcome</th><th>Duration</th><th>Error</th><th>Log</th></tr></thead>
      <tbody>${page.runs.slice(0, rows).map((/** @type {any} */ r) => html`<tr data-run=${r.run_id} data-outcome=${r.outcome ?? 'running'}>
        <td title=${r.started_at}>${relative(r.started_at, now)}</td><td>${r.trigger}${r.attempt > 1 ? ` #${r.attempt}` : ''}</td>
        <td><span class=${`badge c-${outcomeColor(r.outcome)}`}>${r.outcome ?? 'running'}</span></td><td>${dur(r.duration_ms)}</td>
        <td class="err" title=${r.error ?? ''}>${r.error ?? ''}</td>
        <td><button aria-pressed=${run?.run_id === r.run_id} onClick=${() => setSelected(r.run_id)}>Log</button></td></tr>`)}</tbody>
    </table>${page.runs.length > rows ? html`<button class="more" onClick=${() => setRows((n) => n + ROWS * 5)}>Show more runs</button>` : ''}</div>
    ${run ? html`<${LogView} name=${name} run=${run} />` : ''}
    <div class="two">
      <section aria-label="Next runs"><h2>Next 10 slots</h2><div class="panel"><ol class="slots">${page.nextSlots.length ? page.nextSlots.map((/** @type {any} */ p) => html`<li data-slot-skip=${p.skip ?? ''}><time datetime=${p.at}>${time(p.at, s.timezone, perSecond(s))}</time>${p.skip ? html` <span class="badge c-amber">skipped: ${p.why}</span>` : ''}</li>`) : html`<li class="muted">none (${s.paused ? 'paused' : s.state})</li>`}</ol></div></section>
      <section aria-label="Skipped slots"><h2>Skipped slots (${page.skips.length})</h2><div class="panel"><table class="skips"><thead><tr><th>Slot</th><th>Reason</th><th>Detail</th></tr></thead>
        <tbody>${page.skips.slice(0, 200).map((/** @type {any} */ k) => html`<tr data-skip=${k.reason}><td title=${k.slot}>${time(k.slot, s.timezone, perSecond(s))}${k.count > 1 ? ` (+${k.count - 1} older)` : ''}</td><td>${k.reason}</td><td>${k.detail ?? ''}</td></tr>`)}</tbody></table>
        ${page.skips.length ? '' : html`<p class="muted">No slot was skipped.</p>`}</div></section>
    </div>
    <h2>Manifest as loaded</h2>
    <section class="panel" aria-label="Manifest">${page.manifest ? html`<div class="muted">${page.manifest.file}</div><pre tabindex="0" data-manifest>${page.manifest.text}</pre>` : html`<p class="muted">not found</p>`}</section>
  </main>`;
}
