// @ts-check
// Every skill's runs in one place (#/runs): newest first, filtered by skill, outcome, trigger and
// day range, 50 a page, each linking to its log and saved reply on its skill's page. The filters
// live in the address (#/runs?skill=…&page=2), so a view can be linked and Back works. The gateway
// pages from its ledger index (GET /api/runs), so 10,000 runs cost this page one page of rows.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { OUTCOME_WORDS } from 'clawkeeper/common/health.js';
import { getJson } from './api.js';
import { RunsTable } from './runs-table.js';

const html = /** @type {any} */ (htm).bind(h);
const PAGE = 50;
const TRIGGERS = ['schedule', 'catch-up', 'manual', 'retry', 'backfill'];
const FILTERS = ['skill', 'outcome', 'trigger', 'from', 'to'];

/** The API's query for the view's address: days are the viewer's local days, `to` inclusive. @param {URLSearchParams} q */
export function apiQuery(q) {
  const out = new URLSearchParams();
  for (const k of ['skill', 'outcome', 'trigger']) if (q.get(k)) out.set(k, /** @type {string} */ (q.get(k)));
  const day = (/** @type {string} */ d, /** @type {number} */ plus) => {
    const [y, m, dd] = d.split('-').map(Number);
    return new Date(/** @type {number} */ (y), /** @type {number} */ (m) - 1, /** @type {number} */ (dd) + plus).toISOString();
  };
  if (/^\d{4}-\d\d-\d\d$/.test(q.get('from') ?? '')) out.set('from', day(/** @type {string} */ (q.get('from')), 0));
  if (/^\d{4}-\d\d-\d\d$/.test(q.get('to') ?? '')) out.set('to', day(/** @type {string} */ (q.get('to')), 1));
  const page = Math.max(1, Number(q.get('page')) || 1);
  out.set('offset', String((page - 1) * PAGE));
  out.set('limit', String(PAGE));
  return out;
}

/** The view's filters and page as one string (what the rows shown answer). @param {URLSearchParams} q */
const filtersOf = (q) => [...FILTERS, 'page'].filter((k) => q.get(k)).map((k) => `${k}=${q.get(k)}`).join('&');

/** @param {URLSearchParams} q @param {Record<string, string>} change */
function hrefWith(q, change) {
  const next = new URLSearchParams(q);
  for (const [k, v] of Object.entries(change)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  if (!('page' in change)) next.delete('page');
  const s = next.toString();
  return `#/runs${s ? `?${s}` : ''}`;
}

/** @param {{ query: URLSearchParams, snap: any, now: number }} p */
export function RunsView({ query, snap, now }) {
  const [data, setData] = useState(/** @type {any} */ (null));
  const [error, setError] = useState('');
  const qs = apiQuery(query).toString();
  // A run that starts or ends anywhere changes this key: the page asks again.
  const key = snap.skills.map((/** @type {any} */ s) => `${s.lastRun?.runId ?? ''}${s.running?.runId ?? ''}`).join();
  useEffect(() => {
    let gone = false;
    getJson(`/api/runs?${qs}`).then((d) => {
      if (gone) return;
      setData({ ...d, filters: filtersOf(query) });
      setError('');
      if (!performance.getEntriesByName('ck-runs-view').length) performance.mark('ck-runs-view');
    }, (err) => !gone && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      gone = true;
    };
  }, [qs, key]);
  const set = (/** @type {string} */ k) => (/** @type {any} */ e) => {
    location.hash = hrefWith(query, { [k]: e.currentTarget.value });
  };
  const names = [...new Set([...(data?.skills ?? []), ...snap.skills.map((/** @type {any} */ s) => s.name)])].sort();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;
  const filtered = FILTERS.some((k) => query.get(k));
  // Rows for other filters (the answer for the new ones is on its way) are marked busy.
  const busy = data && data.filters !== filtersOf(query);
  const matching = data ? `${filtered ? ' matching' : ''}${data.capped ? ', the newest 1,000 of each skill' : ''}` : '';
  const count = data ? ` (${data.total.toLocaleString()}${matching})` : '';
  const range = data ? `${((page - 1) * PAGE + 1).toLocaleString()}–${Math.min(page * PAGE, data.total).toLocaleString()}` : '';
  return html`<h2 data-runs-query=${data && !busy ? data.filters : undefined}
    aria-busy=${busy ? 'true' : undefined}>All runs${count}</h2>
    <form class="skills-toolbar runs-filters" aria-label="Filter runs" onSubmit=${(/** @type {Event} */ e) => e.preventDefault()}>
      <label>Skill <select value=${query.get('skill') ?? ''} onChange=${set('skill')}><option value="">all</option>${names.map(
        (n) => html`<option value=${n}>${n}</option>`,
      )}</select></label>
      <label>Outcome <select value=${query.get('outcome') ?? ''} onChange=${set('outcome')}>
      <option value="">all</option>${Object.entries(OUTCOME_WORDS).map(
        ([k, w]) => html`<option value=${k}>${w}</option>`,
      )}<option value="running">running</option></select></label>
      <label>Trigger <select value=${query.get('trigger') ?? ''} onChange=${set('trigger')}><option value="">all</option>${TRIGGERS.map(
        (t) => html`<option value=${t}>${t}</option>`,
      )}</select></label>
      <label>From <input type="date" value=${query.get('from') ?? ''} onChange=${set('from')} /></label>
      <label>To <input type="date" value=${query.get('to') ?? ''} onChange=${set('to')} /></label>
      ${filtered ? html`<a href="#/runs">Clear filters</a>` : ''}
    </form>
    ${error ? html`<p class="c-text-red" role="alert">${error}
    </p>` : !data ? html`<p class="loading">Loading runs…</p>` : data.total === 0 ? html`<p
      class="muted panel" data-runs-empty>No run matches.</p>` : html`<${RunsTable} runs=${data.runs}
        now=${now} showSkill=${true} paged=${true} />`}
    ${data && data.total > PAGE ? html`<nav class="pager" aria-label="Pages">
      ${page > 1 ? html`<a href=${hrefWith(
        query, { page: String(page - 1) },
      )} rel="prev">← Newer</a>` : html`<span class="muted">← Newer</span>`}
      <span>Page ${page} of ${pages} · runs ${range}</span>
      ${page < pages ? html`<a href=${hrefWith(
        query, { page: String(page + 1) },
      )} rel="next">Older →</a>` : html`<span class="muted">Older →</span>`}
    </nav>` : ''}`;
}
