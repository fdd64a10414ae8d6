// @ts-check
// A skill's own page (#/skill/<name>[/run/<id>[/output]]): where you act on it (skill-actions.js)
// and why it is in the state it is in. Run history as a table (tokens, delivery, a provider's
// failure apart from the skill's own, a prompt skill's saved reply on the run's row) and a duration
// chart colored by outcome, each run's log (tailed live while it runs), the next 10 slots, every
// skip with its reason, an invalid skill's problems, and the manifest as loaded.
// Data: GET /api/skills/:name/page, /log/:runId?from=N and /output/:runId (gateway).
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import { addStylesheet } from './later.js';

addStylesheet('vendor/uplot/uPlot.min.css');
import { formatTime } from 'clawkeeper/common/time-words.js';
import { getJson } from './api.js';
import { outcomeColor } from './badge.js';
import { timeAxisValues } from './view-model.js';
import { NextRun, SkillState } from './skills-table.js';
import { SkillActions } from './skill-actions.js';
import { RunsTable } from './runs-table.js';

const html = /** @type {any} */ (htm).bind(h);
/** One way of writing a time (time-words.js): with the skill's zone when it is not the viewer's. */
const time = (/** @type {string} */ iso, /** @type {string | null | undefined} */ zone = null, seconds = false) =>
  formatTime(iso, { zone, seconds });
/** A schedule with a seconds field: its slots are told apart by their seconds. @param {any} s */
const perSecond = (s) => typeof s.schedule === 'string' && s.schedule.trim().split(/\s+/).length === 6;

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
    const dots = (/** @type {string} */ label, /** @type {string} */ color) => ({
      label, stroke: color, fill: color, width: 0, paths: () => null, points: { show: true, size: 7, fill: color },
    });
    const opts = {
      width: ref.current.clientWidth || 600, height: 200, legend: { show: false }, cursor: { show: false },
      // The y axis is as wide as its longest label ("0.25 s" lost its 0 in the default 50 px).
      axes: [{ stroke: v('--muted'), grid: { stroke: v('--border') }, values: timeAxisValues }, {
        stroke: v('--muted'), grid: { stroke: v('--border') },
        values: (/** @type {any} */ _u, /** @type {number[]} */ t) => t.map((s) => `${s} s`),
        size: (/** @type {any} */ _u, /** @type {string[] | null} */ vals) => Math.max(
          48, 16 + 7.5 * Math.max(0, ...(vals ?? []).map((x) => String(x).length)),
        ),
      }],
      scales: {
        y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, Math.max(1, max * 1.15)] },
      },
      series: [{}, dots('success', v('--green')), dots('interrupted', v('--amber')), dots('failed', v('--red'))],
    };
    plot.current = new uPlot(/** @type {any} */ (opts), /** @type {any} */ ([[], [], [], []]), ref.current);
    // The chart follows its box (a window made narrower, a phone turned): never wider than the page.
    const el = ref.current;
    const fit = new ResizeObserver(() => el.clientWidth && plot.current?.setSize({ width: el.clientWidth, height: 200 }));
    fit.observe(el);
    return () => {
      fit.disconnect();
      plot.current?.destroy();
    };
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
  return html`<div class="panel">
  <div ref=${ref} data-chart="durations" role="img" aria-label=${`Durations of the last ${runs.length} runs, colored by outcome`}></div>
    <div class="legend"><span class="c-text-green">● success</span>
    <span class="c-text-amber">● interrupted / upstream</span><span class="c-text-red">● failure, timeout, crash</span></div></div>`;
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
    <div class="log-head"><strong>Run ${run.run_id}</strong> <span class="muted">
    ${run.outcome === null ? 'running: live tail' : run.outcome}</span></div>
    ${error ? html`<p class="muted">${error}
    </p>` : html`<pre ref=${pre} tabindex="0" data-log-run=${run.run_id}>${text || '(no output yet)'}</pre>`}
  </section>`;
}

/**
 * @param {{ name: string, route: { run: string | null, output: boolean }, snap: any, now: number,
 * source: import('./data-sources.js').DataSource }} p
 */
export function SkillPage({ name, route, snap, now, source }) {
  const live = snap?.skills?.find((/** @type {any} */ s) => s.name === name);
  const [page, setPage] = useState(/** @type {any} */ (null));
  const [error, setError] = useState('');
  // Refetched when the host's view of the skill changes (a run started or ended), and every 5 s.
  const key = `${live?.runs}|${live?.running?.runId ?? ''}|${live?.state}|${live?.paused}`;
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
  if (!page || page.skill?.name !== name) return html`<main class="skill-page"><p>
  <a href="#/">← All skills</a></p><p class="loading">${error || `Loading ${name}…`}</p></main>`;
  const s = live ?? page.skill;
  // The chosen run's log (from the address); else the running one's (live tail); else the newest run's.
  const run = page.runs.find((/** @type {any} */ r) => r.run_id === (route.run ?? s.running?.runId)) ?? page.runs[0] ?? null;
  return html`<main class="skill-page" data-skill-page=${name}>
    <p class="crumbs"><a href="#/">← All skills</a> · <a href=${`#/runs?skill=${name}`}>All runs of ${name}</a></p>
    <header class="top"><h1>${name}</h1><span class="state-line" data-state=${s.state}><${SkillState} s=${s} /></span></header>
    <p>${s.description}</p>
    <p class="muted sched-line">
    ${s.scheduleText ?? s.schedule ?? 'no schedule'}${s.timezone ? ` (${s.timezone})` : ''}${s.reason ? ` · ${s.reason}` : ''}</p>
    <p data-next-run>Next run: <${NextRun} s=${s} now=${now} /></p>
    <${SkillActions} s=${s} source=${source} />
    ${s.problems?.length ? html`<section class="panel problems" aria-label="Problems"><h2>Problems</h2><ul>${s.problems.map(
      (/** @type {string} */ p) => html`<li>${p}</li>`,
    )}</ul></section>` : ''}
    <h2>Runs (${page.totalRuns})</h2>
    <${RunsTable} runs=${page.runs} now=${now} selected=${run?.run_id ?? null} output=${route.output ? route.run : null} />
    ${run ? html`<${LogView} name=${name} run=${run} />` : ''}
    <h2>Durations (last ${page.runs.length} run${page.runs.length === 1 ? '' : 's'})</h2>
    <${DurationChart} runs=${page.runs} />
    <div class="two">
      <section aria-label="Next runs"><h2>Next 10 slots</h2><div class="panel"><ol class="slots">
      ${page.nextSlots.length ? page.nextSlots.map(
        (/** @type {{ at: string, skip: string | null, why: string | null }} */ p) => html`<li data-slot-skip=${p.skip ?? ''}>
        <time datetime=${p.at}>${time(p.at, s.timezone, perSecond(s))}</time>
        ${p.skip ? html` <span class="badge c-amber">skipped: ${p.why}</span>` : ''}</li>`,
      ) : html`<li class="muted">none (${s.paused ? 'paused' : s.state})</li>`}</ol></div></section>
      <section aria-label="Skipped slots"><h2>Skipped slots (${page.skips.length})</h2><div class="panel">
      <table class="skips"><thead><tr><th>Slot</th><th>Reason</th><th>Detail</th></tr></thead>
        <tbody>${page.skips.slice(0, 200).map(
          (/** @type {any} */ k) => html`<tr data-skip=${k.reason}><td title=${k.slot}>${time(
            k.slot, s.timezone, perSecond(s),
          )}${k.count > 1 ? ` (+${k.count - 1} older)` : ''}</td><td>${k.reason}</td><td>${k.detail ?? ''}</td></tr>`,
        )}</tbody></table>
        ${page.skips.length ? '' : html`<p class="muted">No slot was skipped.</p>`}</div></section>
    </div>
    <h2>Manifest as loaded</h2>
    <section class="panel" aria-label="Manifest">${page.manifest ? html`<div class="muted">
    ${page.manifest.file}</div><pre tabindex="0" data-manifest>${page.manifest.text}
    </pre>` : html`<p class="muted">not found</p>`}</section>
  </main>`;
}
